'use strict';
// The runtime's clock for durations and deadlines: monotonic milliseconds from process.hrtime. Not the global
// `performance`, whose first use loads perf_hooks (ten more modules at every start) and whose now() costs more per call.

/** Monotonic time in milliseconds, with a fraction. */
function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

module.exports = { now };
