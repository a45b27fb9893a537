// BullMQ lifecycles/s on an already-running redis-server, the peer of jobq's lifecycle rows.
//
//   node lifecycles.mjs --port P --jobs N --mode single|batched
//                       [--producers 4] [--concurrency 8] [--limit-s 30]
//
// Workload (as jobq's): `producers` concurrent async producers, each with its own Queue object
// (so its own redis connection), submit N jobs in total, split evenly, job name "bench", data
// {"n":1}. In `single` mode each producer awaits one queue.add() at a time; in `batched` mode it
// awaits one queue.addBulk() of 100 jobs at a time. Meanwhile ONE BullMQ Worker with concurrency
// `--concurrency` (default 8) runs a no-op async processor (returns nothing). The Worker is started
// and ready before the clock starts.
//
// Job options are BullMQ's defaults: completed jobs are KEPT (no removeOnComplete), attempts 1;
// Worker options too (lockDuration 30 s, stalled checks, drainDelay 5 s). Durability is whatever
// the redis-server is configured with.
//
// Timing: from the start of submitting to the last 'completed' event of the Worker (emitted once
// the job has been moved to the completed set in redis). The run stops at --limit-s seconds even
// if not every job completed (then "cut_short": true and the figures count what completed).
// A failed job, a Worker/Queue 'error' event (redis unreachable included) or any exception ends
// the run at once: a message on stderr, no JSON, a non-zero exit.
//
// The queue name is fresh (bench-<pid>-<ms>); it is obliterated at the start and, to leave the
// shared redis-server as found, again (force) after the figures are taken.
//
// Output: one JSON line on stdout,
//   {"jobs_submitted":..,"jobs_completed":..,"seconds":..,"per_s":..,"cut_short":true|false}
import { Queue, Worker } from 'bullmq';
import { connectionTo, fail, freshQueueName, giveUpAfter, intArg, parse } from './cli.mjs';

const BATCH = 100;

const opts = parse({
  port: { type: 'string' },
  jobs: { type: 'string' },
  mode: { type: 'string' },
  producers: { type: 'string', default: '4' },
  concurrency: { type: 'string', default: '8' },
  'limit-s': { type: 'string', default: '30' },
});
const port = intArg(opts, 'port', 1);
const jobs = intArg(opts, 'jobs', 1);
const producers = intArg(opts, 'producers', 1);
const concurrency = intArg(opts, 'concurrency', 1);
const limitS = Number(opts['limit-s']);
if (!(limitS > 0)) fail(`--limit-s must be a positive number, got ${opts['limit-s']}`);
const mode = opts.mode;
if (mode !== 'single' && mode !== 'batched') fail(`--mode must be single or batched, got ${mode}`);

// The whole run, set-up and clean-up included, is bounded.
giveUpAfter(limitS + 120);

const connection = connectionTo(port);
const name = freshQueueName();

let wake = null;      // resolves the wait for the end of the run

async function main() {
  const admin = new Queue(name, { connection });
  admin.on('error', (e) => fail(`queue error: ${e.message}`));
  await admin.waitUntilReady();
  await admin.obliterate({ force: true });

  const queues = [];
  for (let p = 0; p < producers; p++) {
    const q = new Queue(name, { connection });
    q.on('error', (e) => fail(`queue error: ${e.message}`));
    queues.push(q);
  }
  await Promise.all(queues.map((q) => q.waitUntilReady()));

  let completed = 0;
  let lastDone = 0;
  const worker = new Worker(name, async () => {}, { connection, concurrency });
  worker.on('completed', () => {
    completed++;
    lastDone = performance.now();
    if (completed >= jobs && wake) wake();
  });
  worker.on('failed', (job, err) => fail(`job ${job && job.id} failed: ${err && err.message}`));
  worker.on('error', (e) => fail(`worker error: ${e.message}`));
  await worker.waitUntilReady();

  const t0 = performance.now();
  const deadline = t0 + limitS * 1000;
  let submitted = 0;
  const over = () => performance.now() >= deadline;

  async function produce(q, share) {
    for (let mine = 0; mine < share && !over();) {
      const k = mode === 'batched' ? Math.min(BATCH, share - mine) : 1;
      if (mode === 'batched') {
        const bulk = new Array(k);
        for (let j = 0; j < k; j++) bulk[j] = { name: 'bench', data: { n: 1 } };
        await q.addBulk(bulk);
      } else {
        await q.add('bench', { n: 1 });
      }
      submitted += k;
      mine += k;
    }
  }

  const ended = new Promise((resolve) => { wake = resolve; });
  const timer = setTimeout(() => wake(), Math.max(0, deadline - performance.now()));
  const base = Math.floor(jobs / producers);
  const extra = jobs % producers;
  const producing = Promise.all(queues.map((q, p) => produce(q, base + (p < extra ? 1 : 0))))
    .catch((e) => fail(`submit failed: ${e.message}`));
  if (completed < jobs) await ended;
  const tEnd = performance.now();
  clearTimeout(timer);
  const done = completed;           // figures as of the end of the run
  const last = lastDone;
  await producing;                  // producers stop at their next check of the deadline

  const cutShort = done < jobs;
  const seconds = ((done > 0 ? last : tEnd) - t0) / 1000;
  const line = {
    jobs_submitted: submitted,
    jobs_completed: done,
    seconds: Number(seconds.toFixed(6)),
    per_s: Number((seconds > 0 ? done / seconds : 0).toFixed(1)),
    cut_short: cutShort,
  };

  await worker.close(cutShort);     // force if jobs are left: don't wait for more to finish
  await Promise.all(queues.map((q) => q.close()));
  await admin.obliterate({ force: true });
  await admin.close();
  process.stdout.write(JSON.stringify(line) + '\n');
}

main().then(() => process.exit(0), (e) => fail(e && e.message ? e.message : String(e)));
