// The real jobqd for the browser tests: a free loopback port, a temporary data directory, and a
// small client of its HTTP API. The binary comes from $JOBQD (set by ctest), else build/asan/jobqd.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, openSync, readFileSync, accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const JOBQD = resolve(process.env.JOBQD || join(REPO, "build/asan/jobqd"));

// Polls fn() until it returns something truthy, and returns that; throws at the deadline with the
// last value. Errors from fn propagate at once.
export async function until(fn, what, timeoutMs = 10000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

export class Jobqd {
  static async start(args = []) {
    accessSync(JOBQD, constants.X_OK);
    const server = new Jobqd();
    server.dir = mkdtempSync(join(tmpdir(), "jobqd-dash-"));
    server.logPath = join(server.dir, "jobqd.log");
    server.port = await freePort();
    const log = openSync(server.logPath, "a");
    server.proc = spawn(JOBQD, ["--listen", `127.0.0.1:${server.port}`, "--store", `sqlite://${join(server.dir, "jobq.db")}`, ...args],
      { cwd: server.dir, stdio: ["ignore", log, log] });
    server.exited = new Promise((r) => server.proc.on("exit", (code, signal) => r({ code, signal })));
    server.base = `http://127.0.0.1:${server.port}`;
    try {
      await until(async () => {
        if (server.proc.exitCode !== null) throw new Error("jobqd exited while starting\n" + server.log());
        try {
          return (await fetch(server.base + "/health")).status === 200;
        } catch {
          return false;
        }
      }, "jobqd to answer /health", 15000);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  log() {
    try {
      return readFileSync(this.logPath, "utf8").slice(-6000);
    } catch {
      return "";
    }
  }

  // SIGTERM; jobqd exits 0 after a clean shutdown, and anything else fails the caller.
  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 15000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    const log = this.log();
    rmSync(this.dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`jobqd exited with ${code ?? signal}\n${log}`);
  }

  client(key) {
    return new Client(this.base, key);
  }
}

export class Client {
  constructor(base, key) {
    this.base = base;
    this.key = key;
  }

  async call(method, path, body, expect = [200, 201, 204]) {
    const headers = { "Content-Type": "application/json" };
    if (this.key) headers.Authorization = "Bearer " + this.key;
    const r = await fetch(this.base + "/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!expect.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  submit(job) { return this.call("POST", "/jobs", job); }
  job(id) { return this.call("GET", "/jobs/" + id); }
  async leaseOne(workerId, queue) {
    const { jobs } = await this.call("POST", "/lease", { worker_id: workerId, queues: [queue], wait_ms: 5000 });
    if (jobs.length !== 1) throw new Error(`lease on ${queue} got ${jobs.length} jobs`);
    return jobs[0];
  }
  progress(job, fields) { return this.call("POST", `/jobs/${job.id}/progress`, { lease_token: job.lease_token, ...fields }); }
  complete(job, result) { return this.call("POST", `/jobs/${job.id}/complete`, { lease_token: job.lease_token, result }); }
  fail(job, error, traceback) { return this.call("POST", `/jobs/${job.id}/fail`, { lease_token: job.lease_token, error, traceback }); }
}

let counter = 0;
export function unique(prefix) {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}
