// The dashboard in Debian's headless chromium, against the real jobqd: what it shows follows the
// server, and what is clicked changes the server. Screenshots of each page go to $JOBQ_SCREENSHOTS
// (ctest: the build directory), else docs/screenshots/, the ones the README shows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Jobqd, REPO, until, unique } from "./jobqd.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = process.env.JOBQ_SCREENSHOTS || join(REPO, "docs/screenshots");
const ADMIN = "admin-key";
const VIEWER = "viewer-key";
const WIDE = { width: 1280, height: 860 };

// The webhooks' server: a webhook_secret, no webhook_allow, and a [[webhooks]] table that no job
// here matches (its queue is never used), for the page's list of hooks.
const HOOKS = `default_tier = "free"

[[webhooks]]
url = "http://example.com/billing"
queue = "billing"
events = ["job.failed", "job.cancelled"]

[tiers.free]
submits = { count = 5, period_ms = 86400000 }
max_running = 1

[tiers.paid]
max_running = 10
`;

let server, api, hooked, hookedApi, hooksDir, browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await Jobqd.start(["--api-keys", `${ADMIN}:admin,${VIEWER}:viewer`]);
  api = server.client(ADMIN);
  hooksDir = mkdtempSync(join(tmpdir(), "jobqd-dash-hooks-"));
  writeFileSync(join(hooksDir, "jobqd.toml"), HOOKS);
  hooked = await Jobqd.start(["--api-keys", `${ADMIN}:admin,${VIEWER}:viewer`, "--webhook-secret", "X",
    "--config", join(hooksDir, "jobqd.toml")]);
  hookedApi = hooked.client(ADMIN);
  const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
  browser = await chromium.launch({ executablePath: CHROMIUM, args, headless: true });
});

after(async () => {
  await browser?.close();
  await hooked?.stop();
  if (hooksDir) rmSync(hooksDir, { recursive: true, force: true });
  await server?.stop();
});

// A page of `on` (a Jobqd) logged in with `key`; fails the test on any script error in the page.
async function open(path, key = ADMIN, viewport = WIDE, on = server) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  await context.addInitScript((k) => sessionStorage.setItem("jobq.key", k), key);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(on.base + path);
  await page.locator("#live-state[data-state=live]").waitFor({ timeout: 10000 });
  return page;
}

async function close(page) {
  assert.deepEqual(page.errors, [], "no script error in the page");
  await page.context().close();
}

async function confirm(page, action) {
  await page.getByRole("dialog").getByRole("button", { name: action }).click();
}

const text = (page, selector) => page.locator(selector).textContent();

test("logging in asks for a key, refuses a wrong one, and shows the role", async () => {
  const context = await browser.newContext({ viewport: WIDE });
  const page = await context.newPage();
  await page.goto(server.base + "/queues");
  await page.getByLabel("API key").fill("not-a-key");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText("That key is not known to the server.").waitFor();
  await page.getByLabel("API key").fill(VIEWER);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Queues" }).waitFor();
  assert.equal(await text(page, "#role"), "viewer");
  await page.locator("#live-state[data-state=live]").waitFor();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("API key").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("jobq.key") ?? localStorage.getItem("jobq.key")), null, "the key is forgotten");
  await context.close();
});

test("the overview's numbers follow jobs submitted and finished through the API", async () => {
  const queue = unique("ov");
  const page = await open("/");
  const count = async (status) => Number((await text(page, "#count-" + status)).replace(/\D/g, ""));
  await until(async () => (await text(page, "#count-queued")) !== "–", "the first counts");
  const queued = await count("queued");
  const scheduled = await count("scheduled");
  const completed = await count("completed");
  for (let i = 0; i < 5; i++) await api.submit({ type: "render", queue, payload: { frame: i } });
  await until(async () => (await count("queued")) === queued + 5, "queued to grow by 5");
  await page.locator("#queue-depths tr", { hasText: queue }).waitFor();
  for (let i = 0; i < 3; i++) await api.complete(await api.leaseOne("w-ov", queue), { ok: i });
  const failing = await api.leaseOne("w-ov", queue);
  await api.fail(failing, "flaky network");
  await until(async () => (await count("completed")) === completed + 3, "completed to grow by 3");
  // The failed attempt waits for its retry, scheduled or (once its backoff is over) queued.
  await until(async () => (await count("queued")) + (await count("scheduled")) === queued + scheduled + 2, "the untouched job and the retry to wait");
  await until(async () => (await text(page, "#failure-rate")) !== "–", "a failure rate");
  await close(page);
});

test("the overview keeps up with hundreds of events a second", async () => {
  const queue = unique("burst");
  const page = await open("/");
  const count = async (status) => Number((await text(page, "#count-" + status)).replace(/\D/g, ""));
  const boxes = () => page.locator(".card").evaluateAll((cards) => cards.map((c) => { const r = c.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }));
  await until(async () => (await text(page, "#count-queued")) !== "–", "the first counts");
  const before = await boxes();
  for (let round = 0; round < 8; round++) {
    await api.call("POST", "/jobs/batch", { jobs: Array.from({ length: 200 }, (_, i) => ({ type: "thumbnail", queue, payload: { n: i } })) });
    const { jobs } = await api.call("POST", "/lease", { worker_id: "w-burst", queues: [queue], max_jobs: 200 });
    assert.equal(jobs.length, 200);
    const failing = jobs.slice(0, 5 + round * 3);
    await api.call("POST", "/ack", {
      complete: jobs.slice(failing.length).map((j) => ({ id: j.id, lease_token: j.lease_token, result: { ok: true } })),
      fail: failing.map((j) => ({ id: j.id, lease_token: j.lease_token, error: "image too large", retryable: false })),
    });
    // Each round's 1,000 events land on the page before the next (which also spreads the chart).
    const { by_status: expected } = await api.call("GET", "/stats");
    await until(async () => (await count("completed")) === expected.completed && (await count("failed")) === expected.failed,
      `round ${round}: the page to show ${expected.completed} completed and ${expected.failed} failed`);
  }
  assert.deepEqual(await boxes(), before, "no card moved or changed size as its numbers grew");
  await page.screenshot({ path: join(SHOTS, "overview.png"), animations: "disabled" });
  await close(page);
});

test("a job's page shows progress moving live while a worker runs it", async () => {
  const queue = unique("live");
  const job = await api.submit({ type: "generate_video", queue, payload: { scene: "intro", frames: 240 }, user_id: "u-42", tags: ["video"] });
  const page = await open("/jobs/" + job.id);
  await page.locator("#job-status", { hasText: "queued" }).waitFor();
  await page.evaluate(() => { window.stayed = true; });
  const leased = await api.leaseOne("w-video", queue);
  await page.locator("#job-status", { hasText: "running" }).waitFor();
  for (const [progress, stage, message] of [[10, "loading_model", "weights"], [55, "rendering", "frame 132 of 240"]]) {
    await api.progress(leased, { progress, stage, progress_message: message });
    await until(async () => (await text(page, "#progress-text")) === `${progress} %`, `progress ${progress}`);
    assert.equal(await text(page, "#stage"), stage);
    assert.equal(await text(page, "#progress-message"), message);
    assert.equal(await page.locator("#progress").getAttribute("aria-valuenow"), String(progress));
  }
  assert.equal(await text(page, '[data-field="worker_id"]'), "w-video");
  assert.match(await text(page, "#lease"), /^leased by w-video until .*, attempt 1 of 3$/);
  await page.screenshot({ path: join(SHOTS, "job.png"), fullPage: true, animations: "disabled" });
  await api.complete(leased, { url: "/v/intro.mp4" });
  await page.locator("#job-status", { hasText: "completed" }).waitFor();
  assert.match(await text(page, "#result"), /"url": "\/v\/intro.mp4"/);
  assert.equal(await page.evaluate(() => window.stayed), true, "the page changed without reloading");
  await close(page);
});

test("cancel and retry from the browser change the job on the server", async () => {
  const queue = unique("cr");
  const job = await api.submit({ type: "sync", queue });
  const page = await open("/jobs/" + job.id);
  await page.locator("#cancel").click();
  await confirm(page, "Cancel job");
  await until(async () => (await api.job(job.id)).status === "cancelled", "the job to be cancelled");
  await page.locator("#retry").click();
  await confirm(page, "Retry job");
  await until(async () => (await api.job(job.id)).status === "queued", "the job to be queued again");
  await page.locator("#job-status", { hasText: "queued" }).waitFor();
  await close(page);
});

test("the keyboard alone can cancel and delete a job, and Escape keeps it", async () => {
  const job = await api.submit({ type: "sync", queue: unique("kb") });
  const page = await open("/jobs/" + job.id);
  await page.locator("#cancel").focus();
  await page.keyboard.press("Enter");
  await page.getByRole("dialog").waitFor();
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.equal((await api.job(job.id)).status, "queued", "Escape changes nothing");
  await page.locator("#cancel").focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter"); // the dialog opens with its confirming button focused
  await until(async () => (await api.job(job.id)).status === "cancelled", "the job to be cancelled");
  await page.locator("#delete").focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await page.waitForURL(server.base + "/jobs"); // the dashboard leaves the page of a deleted job
  await api.call("GET", "/jobs/" + job.id, undefined, [404]);
  await close(page);
});

test("bulk cancel and retry act on the jobs selected in the list", async () => {
  const queue = unique("bulk");
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await api.submit({ type: "sync", queue })).id);
  const keep = (await api.submit({ type: "other", queue })).id;
  const page = await open(`/jobs?queue=${queue}&type=sync`);
  await until(async () => (await page.locator("#jobs-table tbody tr[data-id]").count()) === 3, "three rows");
  await page.getByLabel("Select all on this page").check();
  await page.locator("#bulk-cancel").click();
  await confirm(page, "Cancel jobs");
  await until(async () => (await Promise.all(ids.map((id) => api.job(id)))).every((j) => j.status === "cancelled"), "all three cancelled");
  assert.equal((await api.job(keep)).status, "queued", "a job outside the selection is untouched");
  // The server has them all before the page has all its answers: until then the three are still
  // selected, and a retry now would take all three.
  await until(async () => (await page.locator(".selection").textContent()) === "none selected", "the selection cleared");
  await page.getByLabel("Select " + ids[1]).check();
  await page.locator("#bulk-retry").click();
  await confirm(page, "Retry jobs");
  await until(async () => (await api.job(ids[1])).status === "queued", "the selected one queued again");
  assert.equal((await api.job(ids[0])).status, "cancelled");
  await close(page);

  // Filters by status, one or several (from a link), as the server applies them.
  const rowsOf = async (path) => {
    const p = await open(path);
    await p.locator("#jobs-table tbody tr").first().waitFor();
    const found = await p.locator("#jobs-table tbody tr[data-id]").evaluateAll((rows) => rows.map((r) => r.dataset.id).sort());
    const selected = await p.locator("#f-status").evaluate((s) => s.options[s.selectedIndex].textContent);
    await close(p);
    return { found, selected };
  };
  assert.deepEqual(await rowsOf(`/jobs?queue=${queue}&status=cancelled`), { found: [ids[0], ids[2]].sort(), selected: "cancelled" });
  assert.deepEqual(await rowsOf(`/jobs?queue=${queue}&status=queued,cancelled&type=sync`), { found: [...ids].sort(), selected: "queued, cancelled" });
});

test("the jobs list filters, sorts and pages on the server", async () => {
  const queue = unique("page");
  for (let i = 0; i < 60; i++) await api.submit({ type: "index", queue, priority: i % 100 });
  const page = await open(`/jobs?queue=${queue}`);
  const listings = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/api/v1/jobs") listings.push(new URL(r.url()).searchParams); });
  await page.reload(); // now with the listener
  await until(async () => (await page.locator("#jobs-table tbody tr[data-id]").count()) === 50, "a page of 50");
  await page.getByRole("button", { name: "Older →" }).click();
  await until(async () => (await page.locator("#jobs-table tbody tr[data-id]").count()) === 10, "the last 10");
  await page.getByRole("button", { name: "← Newer" }).click();
  await until(async () => (await page.locator("#jobs-table tbody tr[data-id]").count()) === 50, "the first page again");
  await page.getByRole("button", { name: "priority" }).click();
  await until(async () => (await page.locator("#jobs-table tbody tr[data-id] td:nth-child(6)").first().textContent()) === "59", "the highest priority first");
  assert.match(page.url(), /sort=priority/);
  // The server filters, sorts and pages; the browser never asks for more than a page.
  assert.ok(listings.length >= 4, `${listings.length} listings`);
  for (const q of listings) {
    assert.equal(q.get("limit"), "50");
    assert.equal(q.get("queue"), queue);
  }
  assert.equal(listings.at(-1).get("sort"), "priority");
  await page.screenshot({ path: join(SHOTS, "jobs.png"), animations: "disabled" });
  await close(page);
});

test("a failed job appears in dead letters with its error, as text, and can be retried", async () => {
  const queue = unique("dl");
  const job = await api.submit({ type: "backup", queue, max_attempts: 1 });
  const message = `disk full <img src=x onerror="window.pwned=1"> ${queue}`;
  await api.fail(await api.leaseOne("w-dl", queue), message, "Traceback (most recent call last):\n  File \"backup.py\", line 7\nOSError: disk full");
  assert.equal((await api.job(job.id)).status, "failed");
  const page = await open("/dead-letters");
  const group = page.locator("section.group", { hasText: queue });
  await group.locator("h2").getByText(message, { exact: true }).waitFor();
  assert.equal(await page.locator("main img").count(), 0, "the error's markup is not markup");
  await page.screenshot({ path: join(SHOTS, "dead-letters.png"), animations: "disabled" });
  await group.locator(`tr[data-id="${job.id}"]`).getByRole("button", { name: "Retry" }).click();
  await until(async () => (await api.job(job.id)).status === "queued", "the dead letter queued again");
  await until(async () => (await page.locator("section.group", { hasText: queue }).count()) === 0, "the group to leave the list");
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await close(page);

  const jobPage = await open("/jobs/" + job.id);
  await jobPage.locator("#attempts li").getByText(message, { exact: true }).waitFor();
  await jobPage.locator("#attempts summary").click();
  await jobPage.locator("#attempts pre", { hasText: "OSError: disk full" }).waitFor();
  assert.equal(await jobPage.locator("main img").count(), 0);
  await close(jobPage);
});

test("dead letters: a group is retried together, and purge empties the list", async () => {
  const queue = unique("dlg");
  const message = "quota exceeded " + queue;
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await api.submit({ type: "upload", queue, max_attempts: 1 })).id);
    await api.fail(await api.leaseOne("w-dlg", queue), message);
  }
  const other = await api.submit({ type: "upload", queue, max_attempts: 1 });
  await api.fail(await api.leaseOne("w-dlg", queue), "something else " + queue);
  const page = await open("/dead-letters");
  const group = page.locator("section.group", { hasText: message });
  await until(async () => (await group.locator("tbody tr").count()) === 3, "a group of three");
  await group.getByRole("button", { name: "Retry group" }).click();
  await confirm(page, "Retry group");
  await until(async () => (await Promise.all(ids.map((id) => api.job(id)))).every((j) => j.status === "queued"), "the group queued again");
  assert.equal((await api.job(other.id)).status, "failed", "another group is untouched");
  await page.locator("#purge").click();
  await confirm(page, "Purge");
  await until(async () => (await api.call("GET", "/dead-letters")).jobs.length === 0, "no dead letters");
  await page.getByText("No dead letters.").waitFor();
  await close(page);
});

test("pause stops a queue, and resume lets it run again", async () => {
  const queue = unique("pause");
  const job = await api.submit({ type: "mail", queue });
  const page = await open("/queues");
  const row = page.locator(`#queues-table tr[data-queue="${queue}"]`);
  await row.getByRole("button", { name: "Pause" }).click();
  await confirm(page, "Pause");
  await until(async () => (await api.call("GET", "/queues")).queues.find((q) => q.name === queue)?.paused, "the queue to be paused");
  await row.getByText("paused").waitFor();
  const { jobs } = await api.call("POST", "/lease", { worker_id: "w-pause", queues: [queue], wait_ms: 0 });
  assert.equal(jobs.length, 0, "a paused queue leases nothing");
  await page.screenshot({ path: join(SHOTS, "queues.png"), animations: "disabled" });
  await row.getByRole("button", { name: "Resume" }).click();
  await until(async () => !(await api.call("GET", "/queues")).queues.find((q) => q.name === queue).paused, "the queue to be resumed");
  assert.equal((await api.leaseOne("w-pause", queue)).id, job.id);
  await close(page);
});

test("queue limits: a cap set on the page reaches the server, shows as running / cap, refuses a bad value by its field, and clears", async () => {
  const queue = unique("lim");
  for (let i = 0; i < 2; i++) await api.submit({ type: "encode", queue });
  const limitsOf = () => api.call("GET", `/queues/${queue}/limits`);
  const page = await open("/queues");
  const row = page.locator(`#queues-table tr[data-queue="${queue}"]`);
  const editor = page.locator(`#queues-table tr[data-limits-of="${queue}"]`);
  await row.locator("td.cap", { hasText: "no cap" }).waitFor();
  assert.equal(await row.locator("td.rate").textContent(), "—");
  assert.equal(await editor.isHidden(), true, "the editor opens on demand");

  await row.getByRole("button", { name: "Limits" }).click();
  await editor.getByLabel("max running").fill("1");
  await editor.getByLabel("starts").fill("10");
  await editor.getByLabel("per", { exact: true }).fill("1");
  await editor.getByLabel("period unit").selectOption("s");
  await editor.getByRole("button", { name: "Set limits" }).click();
  await until(async () => (await limitsOf()).max_running === 1, "the cap on the server");
  assert.deepEqual(await limitsOf(), { scope: "queue", name: queue, max_running: 1, starts: { count: 10, period_ms: 1000 } });
  await editor.waitFor({ state: "hidden" });
  await row.locator("td.cap", { hasText: "0 / 1" }).waitFor();
  assert.equal(await row.locator("td.rate").textContent(), "10 per 1 s");
  assert.equal((await api.call("GET", "/queues")).queues.find((q) => q.name === queue).limits.max_running, 1);

  // A leased job fills the cap: the page shows it, and the next lease gets nothing.
  await api.leaseOne("w-lim", queue);
  await row.locator("td.cap", { hasText: "1 / 1" }).waitFor();
  const { jobs } = await api.call("POST", "/lease", { worker_id: "w-lim", queues: [queue], wait_ms: 0 });
  assert.equal(jobs.length, 0, "a queue at its cap leases nothing");

  // The editor opens with what is set; a refused value shows the server's message, naming the field.
  await row.getByRole("button", { name: "Limits" }).click();
  assert.equal(await editor.getByLabel("max running").inputValue(), "1");
  assert.equal(await editor.getByLabel("starts").inputValue(), "10");
  await editor.getByLabel("max running").fill("-1");
  await editor.getByRole("button", { name: "Set limits" }).click();
  await editor.getByRole("alert").filter({ hasText: "max_running: must be between 0 (no cap) and 1000000000" }).waitFor();
  assert.equal((await limitsOf()).max_running, 1, "a refused value changes nothing");
  await editor.getByLabel("max running").fill("2");
  await editor.getByLabel("per", { exact: true }).fill("");
  await editor.getByRole("button", { name: "Set limits" }).click();
  await editor.getByRole("alert").filter({ hasText: "starts.period_ms: is required" }).waitFor();

  await editor.getByRole("button", { name: "Clear limits" }).click();
  await until(async () => (await limitsOf()).max_running === 0, "the limits cleared on the server");
  assert.deepEqual(await limitsOf(), { scope: "queue", name: queue, max_running: 0, starts: null });
  await row.locator("td.cap", { hasText: "no cap" }).waitFor();
  assert.equal(await row.locator("td.rate").textContent(), "—");
  await close(page);
});

test("type limits: set by name on the Queues page, listed, refused by field, and removed", async () => {
  const type = unique("tl");
  const page = await open("/queues");
  const form = page.locator("#type-limit-form");
  await form.getByLabel("type").fill("not a name");
  await form.getByLabel("max running").fill("3");
  await form.getByRole("button", { name: "Set type limits" }).click();
  await form.getByRole("alert").filter({ hasText: /^type: must be/ }).waitFor();

  await form.getByLabel("type").fill(type);
  await form.getByLabel("starts").fill("5");
  await form.getByLabel("per", { exact: true }).fill("2");
  await form.getByLabel("period unit").selectOption("min");
  await form.getByRole("button", { name: "Set type limits" }).click();
  await until(async () => (await api.call("GET", `/types/${type}/limits`)).max_running === 3, "the type's cap on the server");
  assert.deepEqual(await api.call("GET", `/types/${type}/limits`), { scope: "type", name: type, max_running: 3, starts: { count: 5, period_ms: 120000 } });
  await until(async () => (await form.locator("p.error").textContent()) === "", "the error to be gone once set");
  const row = page.locator(`#type-limits-table tr[data-type="${type}"]`);
  await row.waitFor();
  assert.equal(await row.locator("td:nth-child(2)").textContent(), "3");
  assert.equal(await row.locator("td:nth-child(3)").textContent(), "5 per 2 min");

  // A viewer sees the limits but nothing that changes them.
  const viewer = await open("/queues", VIEWER);
  await viewer.locator(`#type-limits-table tr[data-type="${type}"]`).waitFor();
  assert.equal(await viewer.locator("main form, main input, #type-limits-table button").count(), 0);
  await close(viewer);

  await row.getByRole("button", { name: "Remove" }).click();
  await until(async () => !(await api.call("GET", "/limits")).limits.some((l) => l.scope === "type" && l.name === type), "the type's limits removed");
  assert.deepEqual(await api.call("GET", `/types/${type}/limits`), { scope: "type", name: type, max_running: 0, starts: null });
  await row.waitFor({ state: "detached" });
  await close(page);
});

test("user tiers: the Queues page shows each tier's submit quota and running cap, and hides the section without tiers", async () => {
  const page = await open("/queues", ADMIN, WIDE, hooked);
  const free = page.locator('#tiers-table tr[data-tier="free"]');
  await free.waitFor();
  assert.equal(await free.locator("td:nth-child(1)").textContent(), "free (default)");
  assert.equal(await free.locator("td:nth-child(2)").textContent(), "5 per 1 d");
  assert.equal(await free.locator("td:nth-child(3)").textContent(), "1");
  const paid = page.locator('#tiers-table tr[data-tier="paid"]');
  assert.equal(await paid.locator("td:nth-child(2)").textContent(), "no quota");
  assert.equal(await paid.locator("td:nth-child(3)").textContent(), "10");
  await close(page);

  const plain = await open("/queues");
  await plain.locator("#queues-table").waitFor();
  await until(async () => (await api.call("GET", "/tiers")).tiers.length === 0, "no tiers on the plain server");
  assert.equal(await plain.locator("#tiers-table").isVisible(), false);
  await close(plain);
});

test("workers show what their beats say, and scale reaches the server", async () => {
  const id = unique("worker");
  await api.call("POST", `/workers/${id}/beat`, { types: ["render"], queues: ["default"], concurrency: 4, running: 2, host: "render-1", pid: 4242, version: "1.0" });
  const page = await open("/workers");
  const row = page.locator(`#workers-table tr[data-id="${id}"]`);
  await row.getByText("render-1").waitFor();
  assert.match(await row.textContent(), /4242/);
  assert.match(await row.textContent(), /active/);
  await row.getByLabel("Concurrency of " + id).fill("9");
  await row.getByRole("button", { name: "Scale" }).click();
  await until(async () => (await api.call("GET", "/workers")).workers.find((w) => w.id === id).concurrency === 9, "concurrency 9");
  await page.screenshot({ path: join(SHOTS, "workers.png"), animations: "disabled" });
  await row.getByRole("button", { name: "Quiet" }).click();
  await confirm(page, "Quiet");
  await until(async () => (await api.call("POST", `/workers/${id}/beat`, { concurrency: 4 })).command === "quiet", "the worker to be told to go quiet");
  await close(page);
});

test("a payload carrying <script> shows as text and runs nothing", async () => {
  const evil = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
  const job = await api.submit({ type: "xss", queue: unique("xss"), payload: { html: evil }, user_id: "<b>bold</b>", tags: ["<i>t</i>"] });
  const page = await open("/jobs/" + job.id);
  await until(async () => (await text(page, "#payload")).includes(evil.replace(/"/g, '\\"')), "the payload as text");
  assert.equal(await text(page, '[data-field="user_id"]'), "<b>bold</b>");
  const list = await open("/jobs?user_id=" + encodeURIComponent("<b>bold</b>"));
  await list.locator(`tr[data-id="${job.id}"]`).getByText("<b>bold</b>", { exact: true }).waitFor();
  for (const p of [page, list]) {
    assert.equal(await p.evaluate(() => window.pwned), undefined, "no injected script ran");
    assert.equal(await p.locator("main script, main img, main b, main i").count(), 0, "no injected element");
    await close(p);
  }
});

test("a viewer's key sees no button that changes anything", async () => {
  const queue = unique("view");
  const running = await api.submit({ type: "render", queue });
  await api.leaseOne("w-view", queue);
  const dead = await api.submit({ type: "render", queue, max_attempts: 1 });
  await api.fail(await api.leaseOne("w-view", queue), "viewer sees this");
  await api.call("POST", `/workers/${unique("vw")}/beat`, { concurrency: 1 });
  const changing = /cancel|retry|delete|pause|resume|scale|quiet|stop|purge/i;
  for (const [path, ready] of [["/", "#count-failed"], ["/jobs", "#jobs-table tbody tr[data-id]"], ["/jobs/" + running.id, "#job-status .badge"],
    ["/jobs/" + dead.id, "#job-status .badge"], ["/workers", "#workers-table tbody tr[data-id]"],
    ["/dead-letters", "section.group"], ["/queues", "#queues-table tbody tr[data-queue]"]]) {
    const page = await open(path, VIEWER);
    await page.locator(ready).first().waitFor();
    const buttons = await page.locator("main button, main input[type=checkbox]").evaluateAll((els) => els.map((e) => e.textContent || e.getAttribute("aria-label")));
    assert.deepEqual(buttons.filter((b) => changing.test(b)), [], `${path}: buttons ${JSON.stringify(buttons)}`);
    assert.equal(await page.locator("main input[type=checkbox]").count(), 0, `${path}: no selection boxes`);
    await close(page);
  }
});

test("at phone width the overview and a job still read", async () => {
  const page = await open("/", ADMIN, { width: 390, height: 844 });
  await until(async () => (await text(page, "#count-queued")) !== "–", "the counts");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  await page.screenshot({ path: join(SHOTS, "overview-phone.png"), fullPage: true, animations: "disabled" });
  await close(page);
});

test("the theme follows the system's dark setting", async () => {
  const background = async (colorScheme) => {
    const context = await browser.newContext({ viewport: WIDE, colorScheme });
    const page = await context.newPage();
    await page.goto(server.base + "/");
    const color = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await context.close();
    return color;
  };
  assert.equal(await background("light"), "rgb(247, 247, 248)");
  assert.equal(await background("dark"), "rgb(20, 21, 24)");
});

// jobqd serves the page itself at the addresses docs/api.md lists, /schedules not among them; the
// Schedules page is reached from the navigation, as a user does.
async function openSchedules(key = ADMIN) {
  const page = await open("/", key);
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Schedules" }).click();
  await page.getByRole("heading", { name: "Schedules" }).waitFor();
  return page;
}

// The page's own formatting of a server time, to compare cells with.
const shown = (page, iso) => page.evaluate(async (t) => (await import("/ui/dom.js")).shortTime(t), iso);

test("schedules: without any the page says how to add one", async () => {
  const { schedules } = await api.call("GET", "/schedules");
  assert.deepEqual(schedules, [], "no other test made a schedule before this one");
  const page = await openSchedules();
  await page.locator("#schedules-table td.empty", { hasText: "jobq schedule add" }).waitFor();
  assert.match(await text(page, "#schedules-table td.empty"), /POST \/api\/v1\/schedules/);
  await close(page);
});

test("schedules show cron, job, state and next run; trigger shows each run's outcome; pause and resume reach the server", async () => {
  const [nightly, tidy] = [unique("nightly"), unique("tidy")];
  const [qn, qt] = [unique("sq"), unique("sq")];
  const a = await api.call("POST", "/schedules", { name: nightly, cron: "0 3 * * *", timezone: "Europe/Paris", job: { type: "report", queue: qn, payload: { kind: "daily" } } });
  const b = await api.call("POST", "/schedules", { name: tidy, cron: "*/30 * * * *", job: { type: "cleanup", queue: qt }, paused: true });
  const page = await openSchedules();
  const rowA = page.locator(`#schedules-table tr[data-schedule="${nightly}"]`);
  const rowB = page.locator(`#schedules-table tr[data-schedule="${tidy}"]`);
  const cell = (row, n) => row.locator(`td:nth-child(${n})`);
  await rowA.locator(".badge", { hasText: "active" }).waitFor();
  await rowB.locator(".badge", { hasText: "paused" }).waitFor();
  assert.equal(await cell(rowA, 2).innerText(), "0 3 * * *\nEurope/Paris");
  assert.equal(await cell(rowA, 3).innerText(), `report\non ${qn}`);
  assert.equal(await cell(rowB, 2).innerText(), "*/30 * * * *\nUTC");
  assert.equal(await cell(rowB, 3).innerText(), `cleanup\non ${qt}`);
  assert.ok(a.next_run_at, "the active schedule has a next run");
  assert.equal(await cell(rowA, 5).textContent(), await shown(page, a.next_run_at));
  assert.equal(await cell(rowB, 5).textContent(), "–", "a paused schedule runs at no time");
  assert.equal(await cell(rowA, 7).textContent(), "no runs yet");
  assert.equal(b.paused, true);

  // Two runs by hand: the first completes, the second fails; newest first, each linking its job.
  const runs = async () => (await api.call("GET", `/jobs?tag=schedule:${nightly}&limit=5`)).jobs;
  await rowA.getByRole("button", { name: "Trigger" }).click();
  await until(async () => (await runs()).length === 1, "the first run submitted");
  const first = await api.leaseOne("w-sched", qn);
  await api.complete(first, { rows: 12 });
  await rowA.locator(`a[href="/jobs/${first.id}"]`, { hasText: "completed" }).waitFor();
  await rowA.getByRole("button", { name: "Trigger" }).click();
  await until(async () => (await runs()).length === 2, "the second run submitted");
  const second = await api.leaseOne("w-sched", qn);
  await api.call("POST", `/jobs/${second.id}/fail`, { lease_token: second.lease_token, error: "no data", retryable: false });
  await rowA.locator(`a[href="/jobs/${second.id}"]`, { hasText: "failed" }).waitFor();
  assert.deepEqual(await rowA.locator("td:nth-child(7) a").evaluateAll((as) => as.map((x) => x.getAttribute("href"))),
    [`/jobs/${second.id}`, `/jobs/${first.id}`], "newest run first");
  const after = await api.call("GET", `/schedules/${nightly}`);
  assert.equal(after.last_run_at, null, "a run by hand leaves the timetable alone");
  assert.equal(await cell(rowA, 6).textContent(), "–");
  await page.screenshot({ path: join(SHOTS, "schedules.png"), animations: "disabled" });

  await rowA.getByRole("button", { name: "Pause" }).click();
  await confirm(page, "Pause");
  await until(async () => (await api.call("GET", `/schedules/${nightly}`)).paused, "the schedule to be paused");
  await rowA.locator(".badge", { hasText: "paused" }).waitFor();
  await rowA.getByRole("button", { name: "Resume" }).waitFor();
  await rowB.getByRole("button", { name: "Resume" }).click();
  await until(async () => !(await api.call("GET", `/schedules/${tidy}`)).paused, "the other to be resumed");
  await rowB.locator(".badge", { hasText: "active" }).waitFor();
  const resumed = await api.call("GET", `/schedules/${tidy}`);
  await until(async () => (await cell(rowB, 5).textContent()) === await shown(page, resumed.next_run_at), "its next run shown");
  await rowB.getByRole("button", { name: "Pause" }).waitFor();

  // A run's badge opens its job.
  await rowA.locator(`a[href="/jobs/${first.id}"]`).click();
  await page.locator("#job-status", { hasText: "completed" }).waitFor();
  assert.equal(page.url(), `${server.base}/jobs/${first.id}`);
  await close(page);
});

test("schedules: a due run appears by itself, with the last run time the server has", async () => {
  const name = unique("every-second");
  const queue = unique("sq");
  await api.call("POST", "/schedules", { name, cron: "* * * * * *", job: { type: "tick", queue } });
  const page = await openSchedules();
  const row = page.locator(`#schedules-table tr[data-schedule="${name}"]`);
  await row.locator("td:nth-child(7) .badge", { hasText: "queued" }).first().waitFor({ timeout: 10000 });
  await api.call("POST", `/schedules/${name}/pause`);
  const { last_run_at: last } = await api.call("GET", `/schedules/${name}`);
  assert.ok(last, "a due time fired");
  await until(async () => (await row.locator("td:nth-child(6)").textContent()) === await shown(page, last), "the server's last run time");
  await api.call("DELETE", `/schedules/${name}`);
  await close(page);
});

test("schedules: delete asks first, Keep keeps it, and Delete removes it on the server", async () => {
  const name = unique("gone");
  await api.call("POST", "/schedules", { name, cron: "@daily", job: { type: "noop", queue: unique("sq") } });
  const page = await openSchedules();
  const row = page.locator(`#schedules-table tr[data-schedule="${name}"]`);
  await row.getByRole("button", { name: "Delete" }).click();
  await confirm(page, "Keep");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.equal((await api.call("GET", `/schedules/${name}`)).name, name, "Keep changes nothing");
  await row.getByRole("button", { name: "Delete" }).click();
  await confirm(page, "Delete");
  await until(async () => !(await api.call("GET", "/schedules")).schedules.some((s) => s.name === name), "the schedule to be deleted");
  await api.call("GET", `/schedules/${name}`, undefined, [404]);
  await row.waitFor({ state: "detached" });
  await close(page);
});

test("schedules: a viewer's key sees them but no button that changes them", async () => {
  const name = unique("viewed");
  await api.call("POST", "/schedules", { name, cron: "@hourly", job: { type: "noop", queue: unique("sq") } });
  await api.call("POST", `/schedules/${name}/trigger`);
  const page = await openSchedules(VIEWER);
  const row = page.locator(`#schedules-table tr[data-schedule="${name}"]`);
  await row.locator("td:nth-child(7) .badge").first().waitFor();
  assert.equal(await page.locator("main button").count(), 0, "no buttons at all");
  assert.equal(await page.locator("#schedules-table th", { hasText: "controls" }).count(), 0);
  await close(page);
});

// Webhooks. jobqd serves the page itself only at the addresses docs/api.md lists, so the Webhooks
// page is reached from the navigation, as a user does.
async function openWebhooks(key = ADMIN, on = hooked) {
  const page = await open("/", key, WIDE, on);
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Webhooks" }).click();
  await page.getByRole("heading", { name: "Webhooks" }).waitFor();
  return page;
}

// The sender refuses loopback (no webhook_allow): a callback there is dead after one attempt.
const REFUSED = "http://127.0.0.1:9/x";

// Jobs cancelled with a callback_url the sender refuses: -> their deliveries, dead, newest first.
async function deadDeliveries(n) {
  const { jobs } = await hookedApi.call("POST", "/jobs/batch",
    { jobs: Array.from({ length: n }, () => ({ type: "hooked", queue: unique("wq"), callback_url: REFUSED })) });
  for (const j of jobs) await hookedApi.call("POST", `/jobs/${j.id}/cancel`, {});
  const ids = new Set(jobs.map((j) => j.id));
  return until(async () => {
    const { deliveries } = await hookedApi.call("GET", "/webhooks/deliveries?status=dead&limit=1000");
    const mine = deliveries.filter((d) => ids.has(d.job_id));
    return mine.length === n && mine;
  }, `${n} dead deliveries`, 20000);
}

test("webhooks: without webhook_secret the page says they are off and how to turn them on", async () => {
  const page = await openWebhooks(ADMIN, server);
  await page.locator("#webhooks-off", { hasText: "webhook_secret" }).waitFor();
  assert.match(await text(page, "#webhooks-off"), /--webhook-secret/);
  await until(async () => (await text(page, "#webhooks-enabled")) === "off", "the setting shown");
  await page.locator("#deliveries-table td.empty", { hasText: "No deliveries" }).waitFor();
  await close(page);
});

test("webhooks: the settings and hooks, a dead delivery with its error; the filter, Retry and Delete reach the server", async () => {
  const [b, a] = await deadDeliveries(2); // a is the older
  assert.match(a.last_error, /loopback/);
  const page = await openWebhooks();
  const rowA = page.locator(`#deliveries-table tr[data-id="${a.id}"]`);
  const rowB = page.locator(`#deliveries-table tr[data-id="${b.id}"]`);
  const cell = (row, n) => row.locator(`td:nth-child(${n})`);
  await rowA.waitFor();
  assert.equal(await page.locator("#webhooks-off").isHidden(), true, "no notice while webhooks are on");
  assert.equal(await text(page, "#webhooks-enabled"), "on");
  assert.equal(await text(page, "#webhooks-hooks"), "1");
  assert.equal(await text(page, "#webhooks-attempts"), "10");
  assert.equal(await text(page, "#webhooks-kept"), "7 d");
  assert.deepEqual(await page.locator("#hooks-table tbody tr td").allTextContents(),
    ["http://example.com/billing", "billing", "any", "job.failed, job.cancelled"]);
  assert.equal(await cell(rowA, 1).textContent(), "job.cancelled");
  assert.equal(await cell(rowA, 2).locator("a").getAttribute("href"), `/jobs/${a.job_id}`);
  assert.equal(await cell(rowA, 2).textContent(), a.job_id);
  assert.equal(await cell(rowA, 3).textContent(), REFUSED);
  assert.equal(await cell(rowA, 4).textContent(), "dead");
  assert.equal(await cell(rowA, 5).textContent(), "1");
  assert.match(await cell(rowA, 6).textContent(), /refused: 127\.0\.0\.1 \(loopback\)/);
  assert.equal(await cell(rowA, 7).textContent(), "–", "a dead delivery is sent at no time");
  assert.equal(await cell(rowA, 1).getAttribute("title"), "created " + await page.evaluate(async (t) => (await import("/ui/dom.js")).time(t), a.created_at));
  assert.deepEqual(await page.locator("#deliveries-table tbody tr[data-id]").evaluateAll((rs) => rs.slice(0, 2).map((r) => r.dataset.id)),
    [b.id, a.id], "newest first");
  await page.screenshot({ path: join(SHOTS, "webhooks.png"), animations: "disabled" });

  // The filter: none of them is pending; dead shows them again, and is kept in the address.
  await page.locator("#f-delivery-status").selectOption("pending");
  await rowA.waitFor({ state: "detached" });
  assert.equal(await page.locator("#deliveries-table tr[data-status=dead]").count(), 0, "no dead row under pending");
  await page.locator("#f-delivery-status").selectOption("dead");
  await rowA.waitFor();
  assert.equal(new URL(page.url()).search, "?status=dead");
  // By job: only that job's delivery.
  await page.locator("#f-delivery-job").fill(b.job_id);
  await page.getByRole("button", { name: "Filter" }).click();
  await rowA.waitFor({ state: "detached" });
  assert.deepEqual(await page.locator("#deliveries-table tbody tr[data-id]").evaluateAll((rs) => rs.map((r) => r.dataset.id)), [b.id]);
  await page.getByRole("button", { name: "Clear" }).click();
  await rowA.waitFor();

  // Retry: the server answers it pending, due now, attempts reset; the sender refuses it again.
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/webhooks/deliveries/${a.id}/retry`));
  await rowA.getByRole("button", { name: "Retry" }).click();
  const response = await answered;
  assert.equal(response.status(), 200);
  const retried = await response.json();
  assert.equal(retried.status, "pending");
  assert.equal(retried.attempts, 0);
  assert.ok(retried.next_at, "a pending delivery has a next attempt");
  await page.locator(".toast", { hasText: "queued again" }).waitFor();
  const again = await until(async () => {
    const d = await hookedApi.call("GET", `/webhooks/deliveries/${a.id}`);
    return d.status === "dead" && d.updated_at > a.updated_at && d;
  }, "the retried delivery dead again", 20000);
  await until(async () => (await cell(rowA, 4).textContent()) === "dead" && (await rowA.getAttribute("data-status")) === "dead" &&
    (await rowA.getByRole("button", { name: "Retry" }).isVisible()), "the row dead again, with its Retry", 15000);
  assert.equal(again.attempts, 1);

  // Delete asks first; Keep keeps it, Delete drops it from the outbox.
  await rowB.getByRole("button", { name: "Delete" }).click();
  await confirm(page, "Keep");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.equal((await hookedApi.call("GET", `/webhooks/deliveries/${b.id}`)).id, b.id, "Keep changes nothing");
  await rowB.getByRole("button", { name: "Delete" }).click();
  await confirm(page, "Delete");
  await rowB.waitFor({ state: "detached" });
  await hookedApi.call("GET", `/webhooks/deliveries/${b.id}`, undefined, [404]);
  assert.equal(await rowA.count(), 1, "the other delivery stays");
  await close(page);
});

test("webhooks: more deliveries than a page load with Load more", async () => {
  await deadDeliveries(51);
  const { deliveries } = await hookedApi.call("GET", "/webhooks/deliveries?limit=1000");
  assert.ok(deliveries.length > 50, `${deliveries.length} deliveries`);
  const page = await openWebhooks();
  const rows = page.locator("#deliveries-table tbody tr[data-id]");
  await until(async () => (await rows.count()) === 50, "the first page");
  await page.locator("p.summary", { hasText: "50+" }).waitFor();
  await page.getByRole("button", { name: "Load more" }).click();
  await until(async () => (await rows.count()) === deliveries.length, "every delivery");
  assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.dataset.id)), deliveries.map((d) => d.id), "in the server's order");
  assert.equal(await page.getByRole("button", { name: "Load more" }).isHidden(), true, "no more to load");
  await close(page);
});

test("webhooks: a viewer's key sees the deliveries but no button that changes them", async () => {
  await deadDeliveries(1);
  const page = await openWebhooks(VIEWER);
  await page.locator("#deliveries-table tbody tr[data-id]").first().waitFor();
  const buttons = await page.locator("main button").evaluateAll((els) => els.map((e) => e.textContent));
  assert.deepEqual(buttons.filter((b) => /retry|delete/i.test(b)), [], `buttons ${JSON.stringify(buttons)}`);
  assert.equal(await page.locator("#deliveries-table th", { hasText: "controls" }).count(), 0);
  await close(page);
});
