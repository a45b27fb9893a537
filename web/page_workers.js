// Workers, as their beats report them, with scale / quiet / stop for operators. Beats are not
// job events, so the list is read again every two seconds.
import { get, post } from "./api.js";
import { h, fill, setText, keepRows, placeRows, num, ago, time, confirmDialog, toast } from "./dom.js";

export function render(ctx) {
  let alive = true;
  let rows = new Map(); // worker id -> {row, update}
  const tbody = h("tbody");
  const error = h("p.error", { role: "alert" });
  ctx.root.append(h("h1", {}, "Workers"), error,
    h("div.scroll", {}, h("table", { id: "workers-table" },
      h("thead", {}, h("tr", {}, ["worker", "host", "pid", "types", "queues", "concurrency", "running", "last beat", "state"]
        .map((c) => h("th", { scope: "col" }, c)), ctx.can.operate ? h("th", { scope: "col" }, "controls") : null)),
      tbody)));

  function controls(id, size) {
    const path = "/workers/" + encodeURIComponent(id);
    const run = async (what, body, question) => {
      if (question && !(await confirmDialog(question, what[0].toUpperCase() + what.slice(1)))) return;
      try {
        await post(path + "/" + what, body);
        toast(`${id}: ${what} sent; it takes effect at the worker's next beat`);
        refresh();
      } catch (e) {
        toast(e.message, "error");
      }
    };
    return h("td", {}, h("div.controls", {},
      h("form.inline", { onsubmit: (e) => { e.preventDefault(); run("scale", { concurrency: Number(size.value) }); } },
        size, h("button", { type: "submit" }, "Scale")),
      h("button", { type: "button", onclick: () => run("quiet", {}, `Quiet ${id}? It finishes what runs and leases no more.`) }, "Quiet"),
      h("button.danger", { type: "button", onclick: () => run("stop", {}, `Stop ${id}?`) }, "Stop")));
  }

  // A row's cells are updated in place, so that a control keeps the keyboard focus and a number
  // being typed is not overwritten.
  function makeRow(id) {
    const cells = ["host", "pid", "types", "queues", "concurrency", "running", "beat"].map((k) => h(k === "beat" ? "td.t" : ["pid", "concurrency", "running"].includes(k) ? "td.n" : "td"));
    const [host, pid, types, queues, concurrency, running, beat] = cells;
    const state = h("span.badge");
    const size = h("input.narrow", { type: "number", min: 1, max: 10000, "aria-label": "Concurrency of " + id });
    const row = h("tr", { dataset: { id } }, h("td.id", {}, id), cells, h("td", {}, state),
      ctx.can.operate ? controls(id, size) : null);
    const update = (w) => {
      setText(host, w.host);
      setText(pid, String(w.pid));
      setText(types, w.types.join(", ") || "any");
      setText(queues, w.queues.join(", "));
      setText(concurrency, num(w.concurrency));
      setText(running, num(w.running));
      setText(beat, ago(w.last_beat_at));
      beat.title = time(w.last_beat_at);
      state.className = "badge w-" + w.state;
      setText(state, w.state);
      if (document.activeElement !== size) size.value = String(w.concurrency);
    };
    return { row, update };
  }

  async function refresh() {
    try {
      const { workers } = await get("/workers");
      if (!alive) return;
      error.textContent = "";
      rows = keepRows(rows, workers, (w) => w.id, makeRow);
      placeRows(tbody, [...rows.values()].map((r) => r.row));
      if (!workers.length) fill(tbody, h("tr", {}, h("td.empty", { colspan: 10 }, "no worker has reported yet")));
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  }

  refresh();
  const poll = setInterval(refresh, 2000);
  return () => {
    alive = false;
    clearInterval(poll);
  };
}
