// One job: every field, payload and result, a live progress bar, the attempts' errors, and
// cancel / retry / delete for the roles that may.
import { get, post, del } from "./api.js";
import { h, fill, setText, num, time, pretty, statusBadge, confirmDialog, toast } from "./dom.js";

const ACTIVE = ["waiting", "scheduled", "queued", "running"];
// Shown in the header, the progress bar and their own sections rather than the field list.
const SHOWN_ELSEWHERE = new Set(["payload", "result", "error", "errors", "progress", "stage", "progress_message"]);

export function render(ctx) {
  let alive = true;
  const id = ctx.params[0];
  let job = null;

  const status = h("span", { id: "job-status" });
  const bar = h("div.bar-fill");
  const barOuter = h("div.bar", { id: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-label": "Progress" }, bar);
  const barText = h("span.n", { id: "progress-text" });
  const stage = h("span", { id: "stage" });
  const message = h("span", { id: "progress-message" });
  const items = h("span.n", { id: "items" });
  const lease = h("p", { id: "lease" });
  const actions = h("div.actions");
  const fields = h("dl.fields", { id: "fields" });
  const payload = h("pre.json", { id: "payload", tabindex: 0 });
  const result = h("pre.json", { id: "result", tabindex: 0 });
  const attempts = h("ol.attempts", { id: "attempts" });
  const error = h("p.error", { role: "alert" });

  ctx.root.append(
    h("p.crumbs", {}, h("a", { href: "/jobs", "data-nav": "" }, "Jobs"), " / "),
    h("div.title-row", {}, h("h1.id", {}, id), status, actions),
    error,
    h("section.progress", { "aria-label": "Progress" },
      h("div.progress-row", {}, barOuter, barText),
      h("p", {}, h("span.label", {}, "stage "), stage, " ", h("span.label", {}, "message "), message, " ", items),
      lease),
    h("div.columns", {},
      h("section", {}, h("h2", {}, "Fields"), fields),
      h("section", {},
        h("h2", {}, "Payload"), payload,
        h("h2", {}, "Result"), result,
        h("h2", {}, "Attempts and errors"), attempts)));

  function show(next) {
    if (job && next.updated_at && job.updated_at && next.updated_at < job.updated_at) return;
    job = next;
    fill(status, statusBadge(job.status), job.cancel_requested ? h("span.note", {}, " cancel requested") : null);
    const p = Math.max(0, Math.min(100, Number(job.progress) || 0));
    bar.style.width = p + "%";
    barOuter.setAttribute("aria-valuenow", String(p));
    setText(barText, p.toFixed(0) + " %");
    setText(stage, job.stage ?? "–");
    setText(message, job.progress_message ?? "–");
    setText(items, job.total_items ? `${num(job.processed_items ?? 0)} / ${num(job.total_items)} items` : "");
    setText(lease, job.worker_id && job.status === "running"
      ? `leased by ${job.worker_id} until ${time(job.lease_expires_at)}, attempt ${job.attempt} of ${job.max_attempts}`
      : `not leased; attempt ${job.attempt} of ${job.max_attempts}`);
    fill(fields, Object.entries(job).filter(([k]) => !SHOWN_ELSEWHERE.has(k)).map(([k, v]) => [
      h("dt", {}, k), h("dd", { dataset: { field: k } }, value(k, v))]));
    setText(payload, pretty(job.payload));
    setText(result, job.result === null ? "–" : pretty(job.result));
    const errors = job.errors ?? [];
    fill(attempts, errors.length ? errors.map((e) => h("li", {},
      h("p", {}, h("strong", {}, `attempt ${e.attempt}`), " ", h("span.t", {}, time(e.at))),
      h("p.error-message", {}, e.message),
      e.traceback ? h("details", {}, h("summary", {}, "traceback"), h("pre", { tabindex: 0 }, e.traceback)) : null))
      : h("li.empty", {}, "no failed attempts"));
    paintActions();
  }

  function value(key, v) {
    if (v === null || v === undefined) return "–";
    if (key.endsWith("_at")) return time(v);
    if (typeof v === "object") return h("code", {}, JSON.stringify(v));
    return String(v);
  }

  function paintActions() {
    if (!ctx.can.produce) return actions.replaceChildren();
    const active = ACTIVE.includes(job.status);
    fill(actions,
      active && !job.cancel_requested ? h("button", { type: "button", id: "cancel", onclick: () => act("cancel") }, "Cancel") : null,
      job.status === "failed" || job.status === "cancelled" ? h("button", { type: "button", id: "retry", onclick: () => act("retry") }, "Retry") : null,
      !active ? h("button.danger", { type: "button", id: "delete", onclick: () => act("delete") }, "Delete") : null);
  }

  async function act(action) {
    const questions = {
      cancel: ["Cancel this job?", "Cancel job"],
      retry: ["Queue this job again, with its attempts reset?", "Retry job"],
      delete: ["Delete this job for good?", "Delete job"],
    };
    if (!(await confirmDialog(...questions[action]))) return;
    try {
      if (action === "delete") {
        await del("/jobs/" + encodeURIComponent(id));
        toast("Job deleted");
        ctx.navigate("/jobs");
        return;
      }
      show(await post(`/jobs/${encodeURIComponent(id)}/${action}`));
      toast(action === "cancel" ? "Cancel requested" : "Job queued again");
    } catch (e) {
      toast(e.message, "error");
    }
  }

  async function load() {
    try {
      const fetched = await get("/jobs/" + encodeURIComponent(id));
      if (alive) {
        error.textContent = "";
        show(fetched);
      }
    } catch (e) {
      if (alive) error.textContent = e.status === 404 ? "No job " + id + " (it may have been purged)." : e.message;
    }
  }

  // Subscribed before the first read, so no change falls between them; show() keeps the newest.
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow) return load();
    let last = null;
    for (const e of events) if (e.job.id === id) last = e;
    if (!last) return;
    if (last.event === "purged") error.textContent = "This job has been purged.";
    else show(last.job);
  });
  load();
  return () => {
    alive = false;
    unsubscribe();
  };
}
