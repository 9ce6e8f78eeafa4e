'use strict';
// Invocation counters, errors by code, a duration histogram and the cold start, as Prometheus text: the same names,
// labels and buckets as the Python and Java runtimes.

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
// bounds written as the other runtimes write them: 1.0, not 1
const LE = BUCKETS.map((b) => (Number.isInteger(b) ? b.toFixed(1) : String(b))).concat('+Inf');

/** The function's metrics; `inFlight` reads the runtime's count of requests being handled. */
class Metrics {
  constructor(functionId, inFlight) {
    this.label = `function="${functionId}",runtime="node"`;
    this.inFlight = inFlight;
    this.invocations = 0;
    this.errors = new Map();
    this.buckets = new Array(BUCKETS.length + 1).fill(0);
    this.durationSum = 0;
    this.coldStartSeconds = 0;
    this.cold = true;
  }

  /** Counts one invocation; true for the first one of the process (the cold one). */
  record(seconds, code) {
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) {
      i++;
    }
    this.buckets[i]++;
    this.durationSum += seconds;
    this.invocations++;
    if (code) {
      this.errors.set(code, (this.errors.get(code) || 0) + 1);
    }
    const cold = this.cold;
    this.cold = false;
    return cold;
  }

  render() {
    const label = this.label;
    const out = [
      '# HELP klambda_function_invocations_total Invocations of the function (every POST /).',
      '# TYPE klambda_function_invocations_total counter',
      `klambda_function_invocations_total{${label}} ${this.invocations}`,
      '# HELP klambda_function_errors_total Invocations answered with an error, by error code.',
      '# TYPE klambda_function_errors_total counter',
    ];
    for (const code of [...this.errors.keys()].sort()) {
      out.push(`klambda_function_errors_total{${label},code="${code}"} ${this.errors.get(code)}`);
    }
    out.push('# HELP klambda_function_duration_seconds Time from request to answer.',
      '# TYPE klambda_function_duration_seconds histogram');
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.buckets[i];
      out.push(`klambda_function_duration_seconds_bucket{${label},le="${LE[i]}"} ${cumulative}`);
    }
    out.push(`klambda_function_duration_seconds_sum{${label}} ${this.durationSum.toFixed(6)}`,
      `klambda_function_duration_seconds_count{${label}} ${cumulative}`,
      '# HELP klambda_function_cold_start_seconds Time from process start to the handler loaded and ready.',
      '# TYPE klambda_function_cold_start_seconds gauge',
      `klambda_function_cold_start_seconds{${label}} ${this.coldStartSeconds.toFixed(6)}`,
      '# HELP klambda_function_in_flight Requests being handled now.',
      '# TYPE klambda_function_in_flight gauge',
      `klambda_function_in_flight{${label}} ${this.inFlight()}`);
    return out.join('\n') + '\n';
  }
}

module.exports = { Metrics };
