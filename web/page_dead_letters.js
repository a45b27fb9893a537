// Dead letters: failed jobs, grouped by their last error's message, to retry one, a group or all,
// or to purge. Groups are made from the pages loaded so far (the server pages the list).
import { get, post, del, query, each } from "./api.js";
import { h, fill, num, link, jobPath, time, confirmDialog, toast } from "./dom.js";

const PAGE = 200;
const FOLDED = 10; // rows shown of a group until it is opened

export function render(ctx) {
  let alive = true;
  let jobs = [];
  let next = null;
  const expanded = new Set(); // messages whose groups show every row
  const groups = h("div.groups", { id: "dead-letter-groups" });
  const summary = h("p.summary", { "aria-live": "polite" });
  const error = h("p.error", { role: "alert" });
  const more = h("button", { type: "button", hidden: true, onclick: () => load(true) }, "Load more");
  const tools = ctx.can.operate ? h("div.actions", {},
    h("button", { type: "button", id: "retry-all", onclick: retryAll }, "Retry all"),
    h("button.danger", { type: "button", id: "purge", onclick: purge }, "Purge all")) : null;
  ctx.root.append(h("div.title-row", {}, h("h1", {}, "Dead letters"), tools), error, summary, groups, more);

  async function load(append = false) {
    try {
      const page = await get("/dead-letters" + query({ limit: PAGE, cursor: append ? next : "" }));
      if (!alive) return;
      error.textContent = "";
      jobs = append ? jobs.concat(page.jobs) : page.jobs;
      next = page.next_cursor;
      more.hidden = !next;
      paint();
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  }

  function paint() {
    const byMessage = new Map();
    for (const j of jobs) {
      const m = j.error?.message ?? "(no error message)";
      if (!byMessage.has(m)) byMessage.set(m, []);
      byMessage.get(m).push(j);
    }
    summary.textContent = jobs.length ? `${num(jobs.length)}${next ? "+" : ""} dead letter(s) in ${num(byMessage.size)} group(s)` : "No dead letters.";
    fill(groups, [...byMessage].sort((a, b) => b[1].length - a[1].length).map(([message, members]) =>
      h("section.group", {},
        h("div.group-head", {},
          h("h2.error-message", {}, message), h("span.count.n", {}, num(members.length) + " job(s)"),
          ctx.can.operate ? h("button", { type: "button", onclick: () => retryGroup(message, members) }, "Retry group") : null),
        h("div.scroll", {}, h("table", {},
          h("thead", {}, h("tr", {}, ["job", "type", "queue", "attempts", "failed at"].map((c) => h("th", { scope: "col" }, c)),
            ctx.can.operate ? h("th", {}) : null)),
          h("tbody", {}, shown(message, members).map((j) => h("tr", { dataset: { id: j.id } },
            h("td.id", {}, link(jobPath(j.id), j.id)), h("td", {}, j.type), h("td", {}, j.queue),
            h("td.n", {}, `${j.attempt}/${j.max_attempts}`), h("td.t", {}, time(j.completed_at ?? j.updated_at)),
            ctx.can.operate ? h("td", {}, h("button", { type: "button", onclick: () => retryOne(j) }, "Retry")) : null))))),
        members.length > FOLDED && !expanded.has(message)
          ? h("button.more", { type: "button", onclick: () => { expanded.add(message); paint(); } }, `Show all ${num(members.length)}`)
          : null)));
  }

  function shown(message, members) {
    return expanded.has(message) ? members : members.slice(0, FOLDED);
  }

  async function retryOne(j) {
    try {
      await post(`/dead-letters/${encodeURIComponent(j.id)}/retry`);
      toast(`${j.id} queued again`);
    } catch (e) {
      toast(e.message, "error");
    }
    load();
  }

  async function retryGroup(message, members) {
    if (!(await confirmDialog(`Retry the ${members.length} job(s) that failed with “${message}”?`, "Retry group"))) return;
    const results = await each(members, (j) => post(`/dead-letters/${encodeURIComponent(j.id)}/retry`));
    const failed = results.filter((r) => !r.ok);
    if (failed.length) toast(`${failed.length} could not be retried: ${failed[0].error.message}`, "error");
    else toast(`${members.length} job(s) queued again`);
    load();
  }

  async function retryAll() {
    if (!(await confirmDialog("Retry every dead letter?", "Retry all"))) return;
    try {
      const r = await post("/dead-letters/retry", {});
      toast(`${num(r.jobs.length)} job(s) queued again`);
    } catch (e) {
      toast(e.message, "error");
    }
    load();
  }

  async function purge() {
    if (!(await confirmDialog("Delete every dead letter for good?", "Purge"))) return;
    try {
      const r = await del("/dead-letters");
      toast(`${num(r.purged)} dead letter(s) purged`);
    } catch (e) {
      toast(e.message, "error");
    }
    load();
  }

  // A job entering or leaving the list reloads the first page (at most every second).
  let timer = 0;
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    const relevant = overflow || events.some((e) => e.event === "failed" || (e.job.status !== "failed" && jobs.some((j) => j.id === e.job.id)));
    if (relevant && !timer) timer = setTimeout(() => { timer = 0; if (alive) load(); }, 1000);
  });
  load();
  return () => {
    alive = false;
    clearTimeout(timer);
    unsubscribe();
  };
}
