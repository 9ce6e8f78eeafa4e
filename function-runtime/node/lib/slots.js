'use strict';
// FUNCTION_CONCURRENCY: at most that many handler calls run at once (a call runs until its Promise settles). Excess
// invocations wait in arrival order; one still waiting at its deadline is given up (the caller answers 503).
const clock = require('./clock');

/** Handler slots with a first-come queue of waiters, each with a deadline. */
class Slots {
  constructor(size) {
    this.size = size;
    this.busy = 0;
    this.waiting = [];
  }

  /** Takes a slot if one is free and nobody waits for one; the caller must release() it. */
  tryAcquire() {
    if (this.busy < this.size && this.waiting.length === 0) {
      this.busy++;
      return true;
    }
    return false;
  }

  /**
   * Waits for a slot: calls `start` when one frees up (the caller must then release() it), or `expired` instead if
   * none does before `deadline` (a clock.js time).
   */
  wait(deadline, start, expired) {
    const waiter = { start, timer: null, done: false };
    waiter.timer = setTimeout(() => {
      waiter.done = true;
      expired();
    }, Math.max(0, deadline - clock.now()));
    this.waiting.push(waiter);
  }

  release() {
    this.busy--;
    while (this.busy < this.size && this.waiting.length > 0) {
      const waiter = this.waiting.shift();
      if (!waiter.done) {
        waiter.done = true;
        clearTimeout(waiter.timer);
        this.busy++;
        waiter.start();
      }
    }
  }
}

module.exports = { Slots };
