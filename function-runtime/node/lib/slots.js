'use strict';
// FUNCTION_CONCURRENCY: at most that many handler calls run at once (a call runs until its Promise settles). Excess
// invocations wait in arrival order; one still waiting at its deadline is given up (the caller answers 503).

/** Handler slots with a first-come queue of waiters, each with a deadline. */
class Slots {
  constructor(size) {
    this.size = size;
    this.busy = 0;
    this.waiting = [];
  }

  /**
   * Calls `start` now if a slot is free, else when one frees up; calls `expired` instead if none frees up before
   * `deadline` (a performance.now() time). The caller must call release() once for every start.
   */
  acquire(deadline, start, expired) {
    if (this.busy < this.size && this.waiting.length === 0) {
      this.busy++;
      start();
      return;
    }
    const waiter = { start, timer: null, done: false };
    waiter.timer = setTimeout(() => {
      waiter.done = true;
      expired();
    }, Math.max(0, deadline - performance.now()));
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
