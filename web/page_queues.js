// Queues: depth per status, and pause / resume for operators.
import { get, post } from "./api.js";
import { h, fill, setText, placeRows, num, link, confirmDialog, toast } from "./dom.js";
import { throttle } from "./live.js";

const STATUSES = ["waiting", "scheduled", "queued", "running", "completed", "failed", "cancelled"];

export function render(ctx) {
  let alive = true;
  let rows = new Map(); // queue name -> {row, update}
  const tbody = h("tbody");
  const error = h("p.error", { role: "alert" });
  ctx.root.append(h("h1", {}, "Queues"), error,
    h("div.scroll", {}, h("table", { id: "queues-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "queue"), STATUSES.map((s) => h("th.n", { scope: "col" }, s)),
        h("th", { scope: "col" }, "state"), ctx.can.operate ? h("th", { scope: "col" }, "controls") : null)),
      tbody)),
    h("p.note", {}, "A paused queue keeps its jobs and takes submits, but leases nothing until resumed."));

  async function setPaused(name, pause) {
    if (pause && !(await confirmDialog(`Pause ${name}? Workers lease nothing from it until it is resumed.`, "Pause"))) return;
    try {
      await post(`/queues/${encodeURIComponent(name)}/${pause ? "pause" : "resume"}`);
      toast(`${name} ${pause ? "paused" : "resumed"}`);
    } catch (e) {
      toast(e.message, "error");
    }
    refresh();
  }

  // A row's cells are updated in place, so that its button keeps the keyboard focus.
  function makeRow(name) {
    const counts = STATUSES.map(() => h("td.n"));
    const state = h("span.badge");
    let paused = false;
    const toggle = ctx.can.operate ? h("button", { type: "button", onclick: () => setPaused(name, !paused) }) : null;
    const row = h("tr", { dataset: { queue: name } },
      h("td", {}, link("/jobs?queue=" + encodeURIComponent(name), name)), counts, h("td", {}, state),
      toggle ? h("td", {}, toggle) : null);
    const update = (q) => {
      paused = q.paused;
      STATUSES.forEach((s, i) => setText(counts[i], num(q.counts[s] ?? 0)));
      state.className = "badge " + (paused ? "w-quiet" : "w-active");
      setText(state, paused ? "paused" : "running");
      if (toggle) setText(toggle, paused ? "Resume" : "Pause");
    };
    return { row, update };
  }

  async function refresh() {
    try {
      const { queues } = await get("/queues");
      if (!alive) return;
      error.textContent = "";
      const next = new Map();
      for (const q of queues) {
        const r = rows.get(q.name) ?? makeRow(q.name);
        r.update(q);
        next.set(q.name, r);
      }
      rows = next;
      placeRows(tbody, [...next.values()].map((r) => r.row));
      if (!queues.length) fill(tbody, h("tr", {}, h("td.empty", { colspan: 10 }, "no queues yet")));
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  }

  const soon = throttle(refresh, 1000);
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow || events.length) soon();
  });
  refresh();
  return () => {
    alive = false;
    unsubscribe();
  };
}
