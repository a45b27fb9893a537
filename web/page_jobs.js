// Jobs: a page of the server's listing, filtered and sorted by the server (the store may hold
// far more than a browser should), with cursor paging, live row updates, and bulk cancel / retry.
import { get, post, query, each } from "./api.js";
import { h, fill, setText, num, link, jobPath, time, shortTime, statusBadge, confirmDialog, toast } from "./dom.js";

const STATUSES = ["waiting", "scheduled", "queued", "running", "completed", "failed", "cancelled"];
const FILTERS = ["status", "queue", "type", "user_id", "tag", "created_after", "created_before"];
const SORTABLE = { created_at: "created", priority: "priority", updated_at: "updated" };
const PAGE = 50;

export function render(ctx) {
  let alive = true;
  const q = ctx.query;
  const state = {
    filters: Object.fromEntries(FILTERS.map((f) => [f, q.get(f) ?? ""])),
    sort: SORTABLE[q.get("sort")] ? q.get("sort") : "created_at",
    order: q.get("order") === "asc" ? "asc" : "desc",
    cursors: [""], // the cursor of each page seen so far; the last is the current page's
    next: null,
  };
  const rows = new Map(); // job id -> {row, job}
  const selected = new Set();
  let fresh = 0;

  const inputs = {
    status: h("select", { id: "f-status", name: "status" }, h("option", { value: "" }, "any"),
      STATUSES.map((s) => h("option", { value: s }, s))),
    queue: h("input", { id: "f-queue", name: "queue", autocomplete: "off" }),
    type: h("input", { id: "f-type", name: "type", autocomplete: "off" }),
    user_id: h("input", { id: "f-user", name: "user_id", autocomplete: "off" }),
    tag: h("input", { id: "f-tag", name: "tag", autocomplete: "off" }),
    created_after: h("input", { id: "f-after", name: "created_after", type: "datetime-local", step: 1 }),
    created_before: h("input", { id: "f-before", name: "created_before", type: "datetime-local", step: 1 }),
  };
  // A link may name several statuses (status=failed,cancelled); the list keeps them as one choice.
  if (state.filters.status.includes(",")) inputs.status.append(h("option", { value: state.filters.status }, state.filters.status.replace(/,/g, ", ")));
  for (const f of FILTERS) inputs[f].value = f.startsWith("created_") ? toLocalInput(state.filters[f]) : state.filters[f];
  const labels = { status: "Status", queue: "Queue", type: "Type", user_id: "User", tag: "Tag", created_after: "Created after", created_before: "Created before" };
  const filterForm = h("form.filters", { onsubmit: (e) => { e.preventDefault(); applyFilters(); }, "aria-label": "Filter jobs" },
    FILTERS.map((f) => h("label", {}, h("span", {}, labels[f]), inputs[f])),
    h("div.buttons", {}, h("button", { type: "submit" }, "Filter"),
      h("button", { type: "button", onclick: () => { for (const f of FILTERS) inputs[f].value = ""; applyFilters(); } }, "Clear")));

  const idInput = h("input", { id: "search-id", placeholder: "job id", autocomplete: "off", "aria-label": "Job id" });
  const search = h("form.search", {
    onsubmit: async (e) => {
      e.preventDefault();
      const id = idInput.value.trim();
      if (!id) return;
      try {
        await get("/jobs/" + encodeURIComponent(id));
        ctx.navigate(jobPath(id));
      } catch (err) {
        toast(err.status === 404 ? "No job " + id : err.message, "error");
      }
    },
  }, idInput, h("button", { type: "submit" }, "Open"));

  const error = h("p.error", { role: "alert" });
  const notice = h("button.notice", { type: "button", hidden: true, onclick: () => load() });
  const all = h("input", { type: "checkbox", "aria-label": "Select all on this page", onchange: () => {
    for (const [id, r] of rows) {
      r.check.checked = all.checked;
      if (all.checked) selected.add(id); else selected.delete(id);
    }
    updateBulk();
  } });
  const headRow = h("tr");
  const tbody = h("tbody");
  const table = h("table.jobs", { id: "jobs-table" }, h("thead", {}, headRow), tbody);
  const selection = h("span.selection", { "aria-live": "polite" });
  const bulk = ctx.can.produce ? h("div.bulk", {},
    selection,
    h("button", { type: "button", id: "bulk-cancel", onclick: () => bulkAct("cancel") }, "Cancel selected"),
    h("button", { type: "button", id: "bulk-retry", onclick: () => bulkAct("retry") }, "Retry selected")) : null;
  const prev = h("button", { type: "button", onclick: () => { state.cursors.pop(); load(); } }, "← Newer");
  const next = h("button", { type: "button", onclick: () => { state.cursors.push(state.next); load(); } }, "Older →");
  const pageInfo = h("span.page-info");

  ctx.root.append(h("div.title-row", {}, h("h1", {}, "Jobs"), search), filterForm, error, notice,
    bulk, h("div.scroll", {}, table), h("nav.pager", { "aria-label": "Pages" }, prev, pageInfo, next));

  function header() {
    const th = (label, key) => {
      if (!key) return h("th", { scope: "col" }, label);
      const active = state.sort === key;
      return h("th", { scope: "col", "aria-sort": active ? (state.order === "asc" ? "ascending" : "descending") : "none" },
        h("button.sort", { type: "button", onclick: () => {
          state.order = active && state.order === "desc" ? "asc" : "desc";
          state.sort = key;
          state.cursors = [""];
          remember();
          header();
          load();
        } }, label, active ? (state.order === "asc" ? " ▲" : " ▼") : ""));
    };
    fill(headRow, ctx.can.produce ? h("th", {}, all) : null, th("id"), th("type"), th("queue"), th("status"),
      th("priority", "priority"), th("progress"), th("attempt"), th("user"), th("created", "created_at"), th("updated", "updated_at"));
  }

  // Cells that an event can change are updated in place, so that the selection box or a link
  // holding the keyboard focus stays where it is.
  function rowFor(job) {
    const check = h("input", { type: "checkbox", "aria-label": "Select " + job.id, checked: selected.has(job.id),
      onchange: () => { if (check.checked) selected.add(job.id); else selected.delete(job.id); updateBulk(); } });
    const cells = { status: h("td"), priority: h("td.n"), progress: h("td.n"), attempt: h("td.n"), updated: h("td.t") };
    const row = h("tr", { dataset: { id: job.id } }, ctx.can.produce ? h("td", {}, check) : null,
      h("td.id", {}, link(jobPath(job.id), job.id)), h("td", {}, job.type), h("td", {}, job.queue),
      cells.status, cells.priority, cells.progress, cells.attempt, h("td", {}, job.user_id ?? ""),
      h("td.t", { title: time(job.created_at) }, shortTime(job.created_at)), cells.updated);
    const r = { row, check, cells, job };
    paint(r, job);
    return r;
  }

  function paint(r, job) {
    r.job = job;
    const { cells } = r;
    if (cells.status.dataset.status !== job.status + job.cancel_requested) {
      cells.status.dataset.status = job.status + job.cancel_requested;
      fill(cells.status, statusBadge(job.status), job.cancel_requested ? " (cancelling)" : "");
    }
    setText(cells.priority, num(job.priority));
    setText(cells.progress, Math.round(job.progress) + " %");
    setText(cells.attempt, `${job.attempt}/${job.max_attempts}`);
    setText(cells.updated, shortTime(job.updated_at));
    cells.updated.title = time(job.updated_at);
  }

  function params() {
    const p = { ...state.filters, sort: state.sort, order: state.order, limit: PAGE };
    const cursor = state.cursors[state.cursors.length - 1];
    if (cursor) p.cursor = cursor;
    return p;
  }

  async function load() {
    fresh = 0;
    notice.hidden = true;
    try {
      const page = await get("/jobs" + query(params()));
      if (!alive) return;
      error.textContent = "";
      state.next = page.next_cursor;
      rows.clear();
      tbody.replaceChildren();
      for (const job of page.jobs) {
        const r = rowFor(job);
        rows.set(job.id, r);
        tbody.append(r.row);
      }
      if (!page.jobs.length) tbody.append(h("tr", {}, h("td.empty", { colspan: 11 }, "no jobs match")));
      prev.disabled = state.cursors.length <= 1;
      next.disabled = !state.next;
      setText(pageInfo, `page ${state.cursors.length}`);
      all.checked = false;
      updateBulk();
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  }

  function applyFilters() {
    for (const f of FILTERS) state.filters[f] = f.startsWith("created_") ? fromLocalInput(inputs[f].value) : inputs[f].value.trim();
    state.cursors = [""];
    remember();
    load();
  }

  // The address keeps the filters, so a view can be bookmarked or shared.
  function remember() {
    const p = { ...state.filters };
    if (state.sort !== "created_at") p.sort = state.sort;
    if (state.order !== "desc") p.order = state.order;
    history.replaceState(null, "", "/jobs" + query(p));
  }

  function updateBulk() {
    if (!bulk) return;
    setText(selection, selected.size ? `${num(selected.size)} selected` : "none selected");
    for (const b of bulk.querySelectorAll("button")) b.disabled = !selected.size;
  }

  async function bulkAct(action) {
    const ids = [...selected];
    if (!ids.length) return;
    if (!(await confirmDialog(`${action === "cancel" ? "Cancel" : "Retry"} ${ids.length} job(s)?`, action === "cancel" ? "Cancel jobs" : "Retry jobs"))) return;
    const results = await each(ids, (id) => post(`/jobs/${encodeURIComponent(id)}/${action}`));
    const failed = results.filter((r) => !r.ok);
    selected.clear();
    if (failed.length) toast(`${failed.length} of ${ids.length} could not be changed: ${failed[0].error.message}`, "error");
    else toast(`${ids.length} job(s): ${action === "cancel" ? "cancel" : "retry"} done`);
    load();
  }

  // A visible job's row follows its events; a new job that would match shows a notice rather than
  // moving the rows under the user's pointer.
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow) return load();
    const latest = new Map(); // a row is painted once a frame, with its newest event
    for (const e of events) {
      if (rows.has(e.job.id)) latest.set(e.job.id, e);
      else if (e.event === "submitted" && matches(e.job)) fresh++;
    }
    for (const [id, e] of latest) {
      const r = rows.get(id);
      if (e.event === "purged") r.row.classList.add("gone");
      else if (!r.job.updated_at || e.job.updated_at >= r.job.updated_at) paint(r, e.job);
    }
    if (fresh) {
      notice.hidden = false;
      setText(notice, `${num(fresh)} new job(s) — show`);
    }
  });

  function matches(job) {
    const f = state.filters;
    return (!f.status || f.status.split(",").includes(job.status)) && (!f.queue || job.queue === f.queue) &&
      (!f.type || job.type === f.type) && (!f.user_id || job.user_id === f.user_id) && (!f.tag || job.tags.includes(f.tag));
  }

  header();
  load();
  return () => {
    alive = false;
    unsubscribe();
  };
}

// datetime-local shows local time; the server takes RFC 3339.
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const off = d.getTimezoneOffset() * 60000;
  return new Date(d.getTime() - off).toISOString().slice(0, 19);
}

function fromLocalInput(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}
