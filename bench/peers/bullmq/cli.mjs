// What the three BullMQ scripts share: their command line, how they fail, how long they may run,
// and the connection and queue they use.
import { parseArgs } from 'node:util';

const script = process.argv[1].split('/').pop();

// A message on stderr and exit 1: no JSON line, so the benchmark reports the failure.
export function fail(msg) {
  console.error(`${script}: ${msg}`);
  process.exit(1);
}

// The --name value options, strictly (an unknown option fails).
export function parse(options) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return fail(e.message);
  }
}

export function intArg(values, name, min) {
  const v = values[name];
  if (v === undefined) fail(`--${name} is required`);
  if (!/^\d+$/.test(v) || Number(v) < min) fail(`--${name} must be an integer >= ${min}, got ${v}`);
  return Number(v);
}

// A Redis that stops answering would otherwise keep the script waiting for ever
// (maxRetriesPerRequest null retries without end): the whole run is bounded.
export function giveUpAfter(seconds) {
  setTimeout(() => fail(`gave up: still running ${seconds} s after the start`), seconds * 1000).unref();
}

// BullMQ's Workers need maxRetriesPerRequest null.
export const connectionTo = (port) => ({ host: '127.0.0.1', port, maxRetriesPerRequest: null });

// A queue of the run's own on the shared redis-server.
export const freshQueueName = () => `bench-${process.pid}-${Date.now()}`;
