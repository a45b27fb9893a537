// Redis memory per waiting BullMQ job, on an already-running redis-server.
//
//   node memory.mjs --port P --jobs N
//
// Obliterates a fresh queue (bench-<pid>-<ms>), reads used_memory from INFO memory, adds N
// waiting jobs (name "bench", data {"n":1}, BullMQ's default job options) with queue.addBulk()
// in batches of 1,000 and no Worker, reads used_memory again, prints one JSON line
//   {"jobs":N,"used_memory_before":..,"used_memory_after":..,"bytes_per_job":..}
// with bytes_per_job = (after - before) / N, and obliterates the queue (force).
//
// Before the first reading one job is added and the queue obliterated again, so the Lua scripts
// that adding and obliterating load into redis's script cache are not charged to the jobs.
// What is charged: each job's hash, its entry in the wait list, the queue's id counter and meta,
// and the queue's events stream (BullMQ trims it to about 10,000 entries by default).
//
// used_memory is the allocator's count of the whole server, so anything else writing to the same
// redis-server at the time is counted too, and so are the clients' buffers, which redis grows and
// shrinks as it pleases (the adding connection's query buffer grows with a 1,000-job pipeline and
// is trimmed later, in clientsCron). So that they cancel out, no Queue connection is open at
// either reading (each phase's Queue is closed, then 100 ms given for redis to free it), and each
// reading is the first command of a fresh connection of its own.
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { connectionTo, fail, freshQueueName, giveUpAfter, intArg, parse } from './cli.mjs';
import { setTimeout as sleep } from 'node:timers/promises';

const BATCH = 1000;

const opts = parse({ port: { type: 'string' }, jobs: { type: 'string' } });
const port = intArg(opts, 'port', 1);
const jobs = intArg(opts, 'jobs', 1);

giveUpAfter(300);

const connection = connectionTo(port);
const name = freshQueueName();

// used_memory as seen by the first command of a new connection, closed afterwards.
async function usedMemory() {
  const r = new IORedis({ ...connection, lazyConnect: true });
  r.on('error', (e) => fail(`redis error: ${e.message}`));
  await r.connect();
  const info = await r.info('memory');
  await r.quit();
  const m = /^used_memory:(\d+)\r?$/m.exec(info);
  if (!m) throw new Error('no used_memory in INFO memory');
  return Number(m[1]);
}

async function openQueue() {
  const q = new Queue(name, { connection });
  q.on('error', (e) => fail(`queue error: ${e.message}`));
  await q.waitUntilReady();
  return q;
}

async function closeQueue(q) {
  await q.close();
  await sleep(100);   // redis frees a client once it has answered its QUIT; leave it time for that
}

async function main() {
  let q = await openQueue();
  await q.obliterate({ force: true });
  await q.addBulk([{ name: 'bench', data: { n: 1 } }]);   // loads the scripts (see above)
  await q.obliterate({ force: true });
  await closeQueue(q);
  const before = await usedMemory();

  q = await openQueue();
  for (let done = 0; done < jobs;) {
    const k = Math.min(BATCH, jobs - done);
    const bulk = new Array(k);
    for (let j = 0; j < k; j++) bulk[j] = { name: 'bench', data: { n: 1 } };
    await q.addBulk(bulk);
    done += k;
  }
  const waiting = await q.getWaitingCount();
  if (waiting !== jobs) throw new Error(`expected ${jobs} waiting jobs, redis has ${waiting}`);
  await closeQueue(q);
  const after = await usedMemory();

  const line = {
    jobs,
    used_memory_before: before,
    used_memory_after: after,
    bytes_per_job: Number(((after - before) / jobs).toFixed(1)),
  };
  q = await openQueue();
  await q.obliterate({ force: true });
  await q.close();
  process.stdout.write(JSON.stringify(line) + '\n');
}

main().then(() => process.exit(0), (e) => fail(e && e.message ? e.message : String(e)));
