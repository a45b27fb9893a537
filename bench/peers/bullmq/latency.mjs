// BullMQ submit-to-handler latency with a Worker already waiting, on an already-running
// redis-server: the peer of jobq's latency row.
//
//   node latency.mjs --port P --samples S [--limit-s 30]
//
// One Worker (concurrency 1, BullMQ's default options) waits on a fresh, obliterated queue
// (bench-<pid>-<ms>). S times, one after the other: note process.hrtime.bigint(), queue.add() one
// job (name "bench", data {"n":1,"t":<that time in ns>}) from a separate Queue connection; the
// processor records now - t the moment it is called. The next sample is sent only once the Worker
// has emitted 'completed' for this job, plus 1 ms (as jobq's row gives its lease a millisecond),
// so the queue is empty and the Worker back waiting at every send. Sender and Worker share this
// process and its event loop. No warm-up samples: the first one counts like the others.
// Sampling stops at --limit-s seconds even if fewer than S were taken ("samples" says how many).
// A failed job, an 'error' event (redis unreachable included) or any exception: a message on
// stderr, no JSON, a non-zero exit.
//
// Output: one JSON line on stdout, percentiles by nearest rank, in milliseconds,
//   {"samples":..,"p50_ms":..,"p99_ms":..,"max_ms":..}
// The queue is obliterated (force) before exiting.
import { Queue, Worker } from 'bullmq';
import { connectionTo, fail, freshQueueName, giveUpAfter, intArg, parse } from './cli.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const opts = parse({
  port: { type: 'string' },
  samples: { type: 'string' },
  'limit-s': { type: 'string', default: '30' },
});
const port = intArg(opts, 'port', 1);
const samples = intArg(opts, 'samples', 1);
const limitS = Number(opts['limit-s']);
if (!(limitS > 0)) fail(`--limit-s must be a positive number, got ${opts['limit-s']}`);

giveUpAfter(limitS + 120);

const connection = connectionTo(port);
const name = freshQueueName();

function nearestRank(sorted, q) {
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

async function main() {
  let wake = null;

  const q = new Queue(name, { connection });
  q.on('error', (e) => fail(`queue error: ${e.message}`));
  await q.waitUntilReady();
  await q.obliterate({ force: true });

  const ms = [];
  let completed = 0;
  const worker = new Worker(name, async (job) => {
    const now = process.hrtime.bigint();
    ms.push(Number(now - BigInt(job.data.t)) / 1e6);
  }, { connection, concurrency: 1 });
  worker.on('completed', () => {
    completed++;
    if (wake) wake();
  });
  worker.on('failed', (job, err) => fail(`job ${job && job.id} failed: ${err && err.message}`));
  worker.on('error', (e) => fail(`worker error: ${e.message}`));
  await worker.waitUntilReady();
  await sleep(200);   // let the Worker reach its blocking wait for a job

  const deadline = performance.now() + limitS * 1000;
  const over = () => performance.now() >= deadline;
  for (let i = 0; i < samples && !over(); i++) {
    const ended = new Promise((resolve) => { wake = resolve; });
    const timer = setTimeout(() => wake(), Math.max(0, deadline - performance.now()));
    await q.add('bench', { n: 1, t: process.hrtime.bigint().toString() });
    if (completed <= i) await ended;
    clearTimeout(timer);
    wake = null;
    if (completed <= i) break;   // time is up with this sample still out
    await sleep(1);
  }

  const taken = ms.slice(0, completed);   // a sample counts once its job completed
  const sorted = taken.slice().sort((a, b) => a - b);
  const round = (v) => (v === undefined ? null : Number(v.toFixed(3)));
  const line = {
    samples: sorted.length,
    p50_ms: round(nearestRank(sorted, 0.5)),
    p99_ms: round(nearestRank(sorted, 0.99)),
    max_ms: round(sorted[sorted.length - 1]),
  };

  await worker.close(true);
  await q.obliterate({ force: true });
  await q.close();
  process.stdout.write(JSON.stringify(line) + '\n');
}

main().then(() => process.exit(0), (e) => fail(e && e.message ? e.message : String(e)));
