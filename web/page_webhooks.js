// Webhooks: whether the server sends them and the hooks its config declares, then the outbox's
// deliveries (pending and dead; a delivered one has left it), filtered by status and paged, with
// retry (dead ones) and delete for operators.
import { get, post, del, query } from "./api.js";
import { h, fill, setText, keepRows, placeRows, num, link, jobPath, time, shortTime, confirmDialog, toast } from "./dom.js";
import { throttle } from "./live.js";

const PAGE = 50;
const MAX_PAGE = 1000;  // the server's largest limit: a refresh reads again at most this many rows
const POLL_MS = 5000;   // the senders' attempts send no job event
const STATUSES = ["pending", "dead"];
const ENDED = new Set(["completed", "failed", "cancelled"]); // the job events that may add a delivery
const UNITS = [["ms", 1], ["s", 1000], ["min", 60000], ["h", 3600000], ["d", 86400000]];

// A duration in the largest unit that holds it whole: 604800000 is "7 d".
function duration(ms) {
  for (let i = UNITS.length - 1; i > 0; i--) if (ms % UNITS[i][1] === 0) return `${num(ms / UNITS[i][1])} ${UNITS[i][0]}`;
  return `${num(ms)} ms`;
}

export function render(ctx) {
  let alive = true;
  let rows = new Map(); // delivery id -> {row, update}
  let deliveries = [];
  let next = null;
  let asked = 0; // answers to older requests than the last are dropped
  const state = { status: STATUSES.includes(ctx.query.get("status")) ? ctx.query.get("status") : "", job_id: ctx.query.get("job_id") ?? "" };

  const error = h("p.error", { role: "alert" });
  const settingsError = h("p.error", { role: "alert" });
  const off = h("p.notice", { id: "webhooks-off", hidden: true },
    "Webhooks are off: this server sends none, and refuses a job's callback_url. Start jobqd with webhook_secret (",
    h("code", {}, "--webhook-secret"), " or ", h("code", {}, "JOBQ_WEBHOOK_SECRET"), ") to send them.");
  const value = (id) => h("span.value", { id }, "–");
  const cards = { enabled: value("webhooks-enabled"), hooks: value("webhooks-hooks"), attempts: value("webhooks-attempts"), kept: value("webhooks-kept") };
  const hookBody = h("tbody");
  const tbody = h("tbody");
  const summary = h("p.summary", { "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true, onclick: loadMore }, "Load more");

  const statusInput = h("select", { id: "f-delivery-status", name: "status", onchange: applyFilters },
    h("option", { value: "" }, "all"), STATUSES.map((s) => h("option", { value: s }, s)));
  statusInput.value = state.status;
  const jobInput = h("input", { id: "f-delivery-job", name: "job_id", autocomplete: "off", value: state.job_id });
  const filterForm = h("form.filters", { onsubmit: (e) => { e.preventDefault(); applyFilters(); }, "aria-label": "Filter deliveries" },
    h("label", {}, h("span", {}, "Status"), statusInput),
    h("label", {}, h("span", {}, "Job"), jobInput),
    h("div.buttons", {}, h("button", { type: "submit" }, "Filter"),
      h("button", { type: "button", onclick: () => { statusInput.value = ""; jobInput.value = ""; applyFilters(); } }, "Clear")));

  const headers = ["event", "job", "url", "status", "attempts", "last status / error", "next attempt"];
  const columns = headers.length + (ctx.can.operate ? 1 : 0);
  ctx.root.append(h("h1", {}, "Webhooks"), settingsError, off,
    h("section.cards", { "aria-label": "Webhook settings" },
      h("div.card", {}, h("span.label", {}, "webhooks"), cards.enabled),
      h("div.card", {}, h("span.label", {}, "hooks"), cards.hooks),
      h("div.card", {}, h("span.label", {}, "max attempts"), cards.attempts),
      h("div.card", {}, h("span.label", {}, "dead kept for"), cards.kept)),
    h("section", { "aria-labelledby": "hooks-title" },
      h("h2", { id: "hooks-title" }, "Hooks"),
      h("div.scroll", {}, h("table", { id: "hooks-table" },
        h("thead", {}, h("tr", {}, ["url", "queue", "type", "events"].map((c) => h("th", { scope: "col" }, c)))),
        hookBody)),
      h("p.note", {}, "The [[webhooks]] tables of the server's config: each is called when a job of its queue and type ends with one of its events. A job's own callback_url is called as well.")),
    h("section", { "aria-labelledby": "deliveries-title" },
      h("h2", { id: "deliveries-title" }, "Deliveries"),
      filterForm, error, summary,
      h("div.scroll", {}, h("table", { id: "deliveries-table" },
        h("thead", {}, h("tr", {}, headers.map((c) => h(c === "attempts" ? "th.n" : "th", { scope: "col" }, c)),
          ctx.can.operate ? h("th", { scope: "col" }, "controls") : null)),
        tbody)),
      more,
      h("p.note", {}, "Pending deliveries wait for their first send or a retry; dead ones ran out of attempts or were refused for good. A delivered one leaves the list. Retry sends a dead one again with its attempts reset.")));

  async function settings() {
    try {
      const s = await get("/webhooks");
      if (!alive) return;
      settingsError.textContent = "";
      off.hidden = s.enabled;
      setText(cards.enabled, s.enabled ? "on" : "off");
      setText(cards.hooks, num(s.hooks.length));
      setText(cards.attempts, num(s.max_attempts));
      setText(cards.kept, duration(s.dead_retention_ms));
      fill(hookBody, s.hooks.length ? s.hooks.map((hook) => h("tr", {},
        h("td", {}, hook.url), h("td", {}, hook.queue ?? "any"), h("td", {}, hook.type ?? "any"),
        h("td", {}, hook.events.length ? hook.events.join(", ") : "every event")))
        : h("tr", {}, h("td.empty", { colspan: 4 }, "No [[webhooks]] in the server's config.")));
    } catch (e) {
      if (alive) settingsError.textContent = e.message;
    }
  }

  // A row's cells are updated in place, so that its buttons keep the keyboard focus.
  function makeRow(id) {
    const cells = { event: h("td"), status: h("td"), attempts: h("td.n"), last: h("td.last"), next: h("td.t") };
    const job = h("td.id");
    const url = h("td.url");
    let current = null;
    const retry = h("button", { type: "button", onclick: () => act("retry", current) }, "Retry");
    const remove = h("button.danger", { type: "button", onclick: () => act("delete", current) }, "Delete");
    const row = h("tr", { dataset: { id } }, cells.event, job, url, cells.status, cells.attempts, cells.last, cells.next,
      ctx.can.operate ? h("td", {}, h("div.controls", {}, retry, remove)) : null);
    const when = (cell, iso) => {
      setText(cell, shortTime(iso));
      if (iso) cell.title = time(iso);
      else cell.removeAttribute("title");
    };
    const update = (d) => {
      if (!current || current.job_id !== d.job_id) fill(job, link(jobPath(d.job_id), d.job_id));
      current = d;
      row.dataset.status = d.status;
      setText(cells.event, d.event);
      setText(url, d.url);
      if (cells.status.dataset.shown !== d.status + d.claimed) {
        cells.status.dataset.shown = d.status + d.claimed;
        fill(cells.status, h("span.badge." + (d.status === "dead" ? "w-lost" : "w-quiet"), {}, d.status), d.claimed ? " (sending)" : "");
      }
      setText(cells.attempts, num(d.attempts));
      fill(cells.last, d.last_status ? h("span.n", {}, "HTTP " + d.last_status) : null, d.last_status && d.last_error ? " " : null,
        d.last_error ? h("span.error-message", {}, d.last_error) : null, !d.last_status && !d.last_error ? "–" : null);
      when(cells.next, d.status === "pending" ? d.next_at : null);
      cells.event.title = "created " + time(d.created_at);
      retry.hidden = d.status !== "dead";
    };
    return { row, update };
  }

  function paint() {
    rows = keepRows(rows, deliveries, (d) => d.id, makeRow);
    placeRows(tbody, [...rows.values()].map((r) => r.row));
    if (!deliveries.length) {
      fill(tbody, h("tr", {}, h("td.empty", { colspan: columns },
        state.status || state.job_id ? "No deliveries match." : "No deliveries: none is waiting to be sent, and none is dead.")));
    }
    setText(summary, deliveries.length ? `${num(deliveries.length)}${next ? "+" : ""} delivery(ies) shown` : "");
    more.hidden = !next;
  }

  // Reads the first page again, as many rows as are shown (so that Load more's rows stay).
  async function refresh() {
    const mine = ++asked;
    try {
      const limit = Math.min(MAX_PAGE, Math.max(PAGE, deliveries.length));
      const page = await get("/webhooks/deliveries" + query({ ...state, limit }));
      if (!alive || mine !== asked) return;
      error.textContent = "";
      deliveries = page.deliveries;
      next = page.next_cursor;
      paint();
    } catch (e) {
      if (alive && mine === asked) error.textContent = e.message;
    }
  }

  async function loadMore() {
    const mine = ++asked;
    try {
      const page = await get("/webhooks/deliveries" + query({ ...state, limit: PAGE, cursor: next }));
      if (!alive || mine !== asked) return;
      error.textContent = "";
      const have = new Set(deliveries.map((d) => d.id));
      deliveries = deliveries.concat(page.deliveries.filter((d) => !have.has(d.id)));
      next = page.next_cursor;
      paint();
    } catch (e) {
      if (alive && mine === asked) error.textContent = e.message;
    }
  }

  function applyFilters() {
    state.status = statusInput.value;
    state.job_id = jobInput.value.trim();
    deliveries = [];
    next = null;
    // The address keeps the filters, so a view can be bookmarked or shared.
    history.replaceState(null, "", "/webhooks" + query(state));
    refresh();
  }

  // Retry answers the delivery, pending and due now; its row shows that answer at once, and the
  // list is read again (the sender may have tried it meanwhile).
  async function act(what, d) {
    if (what === "delete" && !(await confirmDialog(`Delete the ${d.event} delivery of job ${d.job_id} to ${d.url}? It is not sent again.`, "Delete"))) return;
    const path = "/webhooks/deliveries/" + encodeURIComponent(d.id);
    try {
      if (what === "delete") {
        await del(path);
        deliveries = deliveries.filter((x) => x.id !== d.id);
        toast(`${d.event} delivery of ${d.job_id} deleted`);
      } else {
        const answer = await post(path + "/retry");
        deliveries = deliveries.map((x) => (x.id === d.id ? answer : x)).filter((x) => !state.status || x.status === state.status);
        toast(`${d.event} delivery of ${d.job_id} queued again`);
      }
      if (alive) paint();
    } catch (e) {
      toast(e.message, "error");
    }
    refresh();
  }

  const soon = throttle(refresh, 1000);
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow || events.some((e) => ENDED.has(e.event))) soon();
  });
  settings();
  refresh();
  const poll = setInterval(refresh, POLL_MS);
  return () => {
    alive = false;
    clearInterval(poll);
    unsubscribe();
  };
}
