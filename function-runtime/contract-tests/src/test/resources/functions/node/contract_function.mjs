// The contract suite's Node.js function (an ES module): a two-parameter handler whose behaviour the event chooses.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Typed results: a class of the function's own, serialised as the same JSON as a plain object. */
class Nested {
  constructor(flag, none) {
    this.flag = flag;
    this.none = none;
  }
}

class Typed {
  constructor(status, count, ratio, tags, nested) {
    Object.assign(this, { status, count, ratio, tags, nested });
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function handler(event, attributes) {
  const action = event.action ?? 'echo';
  switch (action) {
    case 'echo':
      return { echo: event };
    case 'attributes':
      return { attributes };
    case 'invalid':
      throw new RangeError(event.why ?? 'invalid');
    case 'fail':
      throw new Error('secret-detail-' + event.secret);
    case 'sleep':
    case 'hold': // an awaited timer cannot be interrupted: the slot stays busy until it ends, as for 'hold' elsewhere
      return sleep(event.ms).then(() => ({ slept: event.ms }));
    case 'unserialisable':
      return { value: 10n };
    case 'nan':
      return { x: Number.NaN };
    case 'touch': // a side effect the suite can see: the handler ran
      writeFileSync(event.path, 'touched');
      return { touched: event.path };
    case 'typed':
      return new Typed('ok', 2, 0.5, ['a', 'b'], new Nested(true, null));
    default:
      return { unknown: action };
  }
}

// the function's main block: the runtime must never run it
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(process.env.MARKER, 'the main block ran');
}
