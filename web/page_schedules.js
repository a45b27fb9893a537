// Schedules: each cron schedule with its job, when it runs next and last, the outcomes of its last
// runs (its jobs carry the tag schedule:NAME), and pause / resume / trigger / delete for operators.
import { get, post, del, query, each } from "./api.js";
import { h, fill, setText, keepRows, placeRows, link, jobPath, time, shortTime, statusBadge, confirmDialog, toast } from "./dom.js";
import { throttle } from "./live.js";

const RUNS = 5;               // last runs shown per schedule
const MAX_TIMER_MS = 3600000; // a far next run is waited for in steps of an hour at most
const tagOf = (name) => "schedule:" + name;

export function render(ctx) {
  let alive = true;
  let rows = new Map(); // schedule name -> {row, update}
  let timer = 0;
  const tbody = h("tbody");
  const error = h("p.error", { role: "alert" });
  ctx.root.append(h("h1", {}, "Schedules"), error,
    h("div.scroll", {}, h("table", { id: "schedules-table" },
      h("thead", {}, h("tr", {}, ["schedule", "cron", "job", "state", "next run", "last run", "last runs"]
        .map((c) => h("th", { scope: "col" }, c)), ctx.can.operate ? h("th", { scope: "col" }, "controls") : null)),
      tbody)),
    h("p.note", {}, "A paused schedule submits nothing until resumed, and then goes on from now. Trigger submits a run at once and leaves the timetable as it is."));

  async function act(name, what, question, action) {
    if (question && !(await confirmDialog(question, action))) return;
    const path = "/schedules/" + encodeURIComponent(name);
    try {
      if (what === "delete") {
        await del(path);
        toast(`${name} deleted`);
      } else {
        const answer = await post(path + "/" + what);
        toast(what === "trigger" ? `${name}: job ${answer.id} submitted` : `${name} ${what}d`);
      }
    } catch (e) {
      toast(e.message, "error");
    }
    refresh();
  }

  // A row's cells are updated in place, so that its buttons keep the keyboard focus.
  function makeRow(name) {
    const cron = h("code.cron");
    const zone = h("div.note");
    const job = h("td");
    const state = h("span.badge");
    const next = h("td.t");
    const last = h("td.t");
    const runs = h("td");
    let paused = false;
    const toggle = h("button", {
      type: "button",
      onclick: () => paused ? act(name, "resume") : act(name, "pause", `Pause ${name}? It submits nothing until it is resumed.`, "Pause"),
    });
    const controls = ctx.can.operate ? h("td", {}, h("div.controls", {}, toggle,
      h("button", { type: "button", onclick: () => act(name, "trigger") }, "Trigger"),
      h("button.danger", { type: "button", onclick: () => act(name, "delete", `Delete the schedule ${name}? The jobs it submitted stay.`, "Delete") }, "Delete"))) : null;
    const row = h("tr", { dataset: { schedule: name } },
      h("td", {}, link("/jobs?tag=" + encodeURIComponent(tagOf(name)), name)),
      h("td", {}, cron, zone), job, h("td", {}, state), next, last, runs, controls);
    const when = (cell, iso) => {
      setText(cell, shortTime(iso));
      if (iso) cell.title = time(iso);
      else cell.removeAttribute("title");
    };
    const update = (s, recent) => {
      paused = s.paused;
      setText(cron, s.cron);
      setText(zone, s.timezone);
      fill(job, s.job.type, h("div.note", {}, "on ", link("/jobs?queue=" + encodeURIComponent(s.job.queue), s.job.queue)));
      state.className = "badge " + (paused ? "w-quiet" : "w-active");
      setText(state, paused ? "paused" : "active");
      when(next, paused ? null : s.next_run_at);
      when(last, s.last_run_at);
      if (recent) {
        fill(runs, recent.length ? h("span.runs", {}, recent.map((j) => {
          const a = link(jobPath(j.id), statusBadge(j.status));
          a.title = `${j.id}, created ${time(j.created_at)}`;
          return a;
        })) : h("span.note", {}, "no runs yet"));
      }
      setText(toggle, paused ? "Resume" : "Pause");
    };
    return { row, update };
  }

  async function refresh() {
    try {
      const { schedules } = await get("/schedules");
      const recent = await each(schedules, (s) =>
        get("/jobs" + query({ tag: tagOf(s.name), limit: RUNS })).then((page) => { s.recent = page.jobs; }));
      if (!alive) return;
      const failed = recent.find((r) => !r.ok);
      error.textContent = failed ? `last runs of ${failed.item.name}: ${failed.error.message}` : "";
      rows = keepRows(rows, schedules, (s) => s.name, makeRow, (r, s) => r.update(s, s.recent));
      placeRows(tbody, [...rows.values()].map((r) => r.row));
      if (!schedules.length) {
        fill(tbody, h("tr", {}, h("td.empty", { colspan: 8 }, "No schedules yet. Add one with ", h("code", {}, "jobq schedule add NAME CRON TYPE"),
          " or ", h("code", {}, "POST /api/v1/schedules"), ".")));
      }
      wakeAt(schedules);
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  }

  // A due time that submits nothing (overlap: skip) sends no job event, so the page also reads the
  // list again once the earliest next run has passed.
  function wakeAt(schedules) {
    clearTimeout(timer);
    const due = schedules.filter((s) => !s.paused && s.next_run_at).map((s) => new Date(s.next_run_at).getTime());
    if (!due.length) return;
    const ms = Math.min(Math.max(Math.min(...due) - Date.now() + 500, 500), MAX_TIMER_MS);
    timer = setTimeout(() => { if (alive) soon(); }, ms);
  }

  // Runs are jobs: an event about a schedule's job (or missed events) reads the list again.
  const soon = throttle(refresh, 1000);
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow || events.some((e) => e.job.tags?.some((t) => t.startsWith("schedule:")))) soon();
  });
  refresh();
  return () => {
    alive = false;
    clearTimeout(timer);
    unsubscribe();
  };
}
