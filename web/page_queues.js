// Queues: depth per status and limits (a running cap and a start rate), with pause / resume and
// setting or clearing limits for operators; and the limits of types, which hold in every queue.
import { get, post, put, del, errorText } from "./api.js";
import { h, fill, setText, keepRows, placeRows, num, link, confirmDialog, toast } from "./dom.js";
import { throttle } from "./live.js";

const STATUSES = ["waiting", "scheduled", "queued", "running", "completed", "failed", "cancelled"];
const POLL_MS = 5000; // limits changed elsewhere send no job event
// Units a start period is shown and typed in, largest last.
const UNITS = [["ms", 1], ["s", 1000], ["min", 60000], ["h", 3600000], ["d", 86400000]];
const NONE = "—";

// A period in the largest unit that holds it whole: 60000 is [1, "min"], 1500 is [1500, "ms"].
function splitPeriod(ms) {
  for (let i = UNITS.length - 1; i > 0; i--) if (ms % UNITS[i][1] === 0) return [ms / UNITS[i][1], UNITS[i][0]];
  return [ms, "ms"];
}

// A start rate as the server sends it ({count, period_ms} or null): "10 per 1 s", or a dash.
export function rateText(starts) {
  if (!starts) return NONE;
  const [n, unit] = splitPeriod(starts.period_ms);
  return `${num(starts.count)} per ${num(n)} ${unit}`;
}

// The inputs of a scope's limits: a running cap and a start rate, a part left empty being none.
// The server checks the values and names the field it refuses, so the form does not second-guess
// it (novalidate).
function limitsFields() {
  const number = (placeholder) => h("input.narrow", { type: "number", step: 1, inputmode: "numeric", placeholder });
  const maxRunning = number("no cap");
  const count = number("none");
  const period = number("");
  const unit = h("select", { "aria-label": "period unit" }, UNITS.map(([u]) => h("option", { value: u }, u)));
  unit.value = "s";
  const element = h("span.limit-fields", {},
    h("label", {}, "max running ", maxRunning),
    h("label", {}, "starts ", count), h("label", {}, "per ", period), unit);

  // The body of a PUT; throws on a value the browser could not read as a number.
  function body() {
    const read = (input, field) => {
      if (input.validity.badInput) throw new Error(`${field}: must be a number`);
      return input.value.trim() === "" ? undefined : Number(input.value);
    };
    const out = {};
    const max = read(maxRunning, "max_running");
    if (max !== undefined) out.max_running = max;
    const c = read(count, "starts.count");
    const p = read(period, "starts.period_ms");
    const factor = UNITS.find(([u]) => u === unit.value)[1];
    // Left out (undefined), a part is missing from the JSON and the server says which.
    if (c !== undefined || p !== undefined) out.starts = { count: c, period_ms: p === undefined ? undefined : p * factor };
    return out;
  }

  function show(limits) {
    maxRunning.value = limits?.max_running ? String(limits.max_running) : "";
    if (limits?.starts) {
      const [n, u] = splitPeriod(limits.starts.period_ms);
      count.value = String(limits.starts.count);
      period.value = String(n);
      unit.value = u;
    } else {
      count.value = "";
      period.value = "";
      unit.value = "s";
    }
  }

  return { element, body, show, first: maxRunning };
}

export function render(ctx) {
  let alive = true;
  let rows = new Map(); // queue name -> {row, editor, update}
  let typeRows = new Map(); // type name -> {row, update}
  const tbody = h("tbody");
  const error = h("p.error", { role: "alert" });
  const typeBody = h("tbody");
  const typeError = h("p.error", { role: "alert" });
  // Users' tiers: the server's config, read only; the section shows once there are some.
  const tierBody = h("tbody");
  const tierSection = h("section", { "aria-labelledby": "tiers-title", hidden: true },
    h("h2", { id: "tiers-title" }, "User tiers"),
    h("p.note", {}, "Set in jobqd's config ([tiers.NAME]): each user's submit quota, and how many of one user's jobs run at once."),
    h("div.scroll", {}, h("table", { id: "tiers-table" },
      h("thead", {}, h("tr", {}, ["tier", "submit quota", "max running per user"].map((c, i) => h(i === 2 ? "th.n" : "th", { scope: "col" }, c)))),
      tierBody)));
  const queuePath = (name) => `/queues/${encodeURIComponent(name)}/limits`;
  const typePath = (name) => `/types/${encodeURIComponent(name)}/limits`;
  // The form that sets a type's limits by name (operators only); Edit on a row fills it in.
  const typeFields = limitsFields();
  const typeName = h("input", { type: "text", id: "type-limit-name", autocomplete: "off", spellcheck: "false", placeholder: "generate_report" });
  const typeMessage = h("p.error", { role: "alert" });
  const typeForm = h("form.limits", {
    id: "type-limit-form", novalidate: true, "aria-label": "Set a type's limits",
    onsubmit: async (e) => {
      e.preventDefault();
      const name = typeName.value.trim();
      if (!name) {
        typeMessage.textContent = "type: a name is required";
        typeName.focus();
        return;
      }
      if (await change("PUT", typePath(name), typeFields, typeMessage, `type ${name}: limits set`)) {
        typeName.value = "";
        typeFields.show(null);
      }
    },
  }, h("label", {}, "type ", typeName), typeFields.element, h("button", { type: "submit" }, "Set type limits"), typeMessage);

  const headers = ["queue", ...STATUSES.flatMap((s) => s === "running" ? [s, "cap"] : [s]), "start rate", "state"];
  const columns = headers.length + (ctx.can.operate ? 1 : 0);
  ctx.root.append(h("h1", {}, "Queues"), error,
    h("div.scroll", {}, h("table", { id: "queues-table" },
      h("thead", {}, h("tr", {}, headers.map((c, i) => h(i === 0 || c === "state" || c === "start rate" ? "th" : "th.n", { scope: "col" }, c)),
        ctx.can.operate ? h("th", { scope: "col" }, "controls") : null)),
      tbody)),
    h("p.note", {}, "A paused queue keeps its jobs and takes submits, but leases nothing until resumed. " +
      "A queue at its cap (running / cap) or out of starts leases nothing more from it until a job ends or the rate allows."),
    typeSection(),
    tierSection);

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

  // PUT or DELETE of a scope's limits; a refusal is shown in `message` and resolves false.
  async function change(method, path, fields, message, done) {
    try {
      const body = method === "PUT" ? fields.body() : undefined;
      await (method === "PUT" ? put(path, body) : del(path));
      message.textContent = "";
      toast(done);
      refresh();
      return true;
    } catch (e) {
      message.textContent = errorText(e);
      return false;
    }
  }

  // The editor of a queue's limits, a row of its own under the queue's row, shown on demand.
  function makeEditor(name) {
    const fields = limitsFields();
    const message = h("p.error", { role: "alert" });
    const toggle = h("button", { type: "button", "aria-expanded": "false", onclick: () => open(editor.hidden) }, "Limits");
    let current = null;
    const open = (yes) => {
      editor.hidden = !yes;
      toggle.setAttribute("aria-expanded", String(yes));
      message.textContent = "";
      if (yes) {
        fields.show(current);
        fields.first.focus();
      } else if (editor.contains(document.activeElement)) {
        toggle.focus(); // the keyboard goes on from where the editor was opened
      }
    };
    const form = h("form.limits", {
      novalidate: true, "aria-label": `Limits of ${name}`,
      onsubmit: async (e) => {
        e.preventDefault();
        if (await change("PUT", queuePath(name), fields, message, `${name}: limits set`)) open(false);
      },
    }, fields.element,
    h("button", { type: "submit" }, "Set limits"),
    h("button", { type: "button", onclick: async () => { if (await change("DELETE", queuePath(name), fields, message, `${name}: limits cleared`)) open(false); } }, "Clear limits"),
    h("button", { type: "button", onclick: () => open(false) }, "Close"),
    message);
    const editor = h("tr.editor", { dataset: { limitsOf: name }, hidden: true }, h("td", { colspan: columns }, form));
    return { editor, toggle, setLimits: (l) => { current = l; } };
  }

  // A row's cells are updated in place, so that its buttons keep the keyboard focus.
  function makeRow(name) {
    const counts = STATUSES.map(() => h("td.n"));
    const cap = h("td.n.cap");
    const rate = h("td.rate");
    const state = h("span.badge");
    let paused = false;
    const edit = ctx.can.operate ? makeEditor(name) : null;
    const toggle = ctx.can.operate ? h("button", { type: "button", onclick: () => setPaused(name, !paused) }) : null;
    const cells = counts.flatMap((c, i) => STATUSES[i] === "running" ? [c, cap] : [c]);
    const row = h("tr", { dataset: { queue: name } },
      h("td", {}, link("/jobs?queue=" + encodeURIComponent(name), name)), cells, rate, h("td", {}, state),
      edit ? h("td", {}, h("div.controls", {}, toggle, edit.toggle)) : null);
    const update = (q) => {
      paused = q.paused;
      STATUSES.forEach((s, i) => setText(counts[i], num(q.counts[s] ?? 0)));
      const running = q.counts.running ?? 0;
      const max = q.limits?.max_running ?? 0;
      setText(cap, max ? `${num(running)} / ${num(max)}` : "no cap");
      cap.classList.toggle("full", max > 0 && running >= max);
      setText(rate, rateText(q.limits?.starts));
      state.className = "badge " + (paused ? "w-quiet" : "w-active");
      setText(state, paused ? "paused" : "running");
      if (toggle) setText(toggle, paused ? "Resume" : "Pause");
      edit?.setLimits(q.limits);
    };
    return { row, editor: edit?.editor, update };
  }

  // Type limits: a table, and for operators a form that sets one for a type by name.
  function typeSection() {
    const section = h("section", { "aria-labelledby": "type-limits-title" },
      h("h2", { id: "type-limits-title" }, "Type limits"),
      h("p.note", {}, "A type's limits hold for its jobs in every queue together."),
      typeError,
      h("div.scroll", {}, h("table", { id: "type-limits-table" },
        h("thead", {}, h("tr", {}, ["type", "max running", "start rate"].map((c, i) => h(i === 1 ? "th.n" : "th", { scope: "col" }, c)),
          ctx.can.operate ? h("th", { scope: "col" }, "controls") : null)),
        typeBody)));
    if (ctx.can.operate) section.append(typeForm);
    return section;
  }

  function makeTypeRow(name) {
    const max = h("td.n");
    const rate = h("td.rate");
    let limits = null;
    const remove = async () => {
      try {
        await del(typePath(name));
        toast(`type ${name}: limits removed`);
      } catch (e) {
        toast(errorText(e), "error");
      }
      refresh();
    };
    // Edit puts the type's limits into the form, to change and set again.
    const editType = () => {
      typeName.value = name;
      typeFields.show(limits);
      typeMessage.textContent = "";
      typeFields.first.focus();
    };
    const row = h("tr", { dataset: { type: name } }, h("td", {}, link("/jobs?type=" + encodeURIComponent(name), name)), max, rate,
      ctx.can.operate ? h("td", {}, h("div.controls", {},
        h("button", { type: "button", onclick: editType }, "Edit"),
        h("button.danger", { type: "button", onclick: remove }, "Remove"))) : null);
    const update = (s) => {
      limits = s;
      setText(max, s.max_running ? num(s.max_running) : "no cap");
      setText(rate, rateText(s.starts));
    };
    return { row, update };
  }

  function showQueues(queues) {
    rows = keepRows(rows, queues, (q) => q.name, makeRow);
    placeRows(tbody, [...rows.values()].flatMap((r) => r.editor ? [r.row, r.editor] : [r.row]));
    if (!queues.length) fill(tbody, h("tr", {}, h("td.empty", { colspan: columns }, "no queues yet")));
  }

  function showTypes(limits) {
    typeRows = keepRows(typeRows, limits.filter((l) => l.scope === "type"), (s) => s.name, makeTypeRow);
    placeRows(typeBody, [...typeRows.values()].map((r) => r.row));
    if (!typeRows.size) fill(typeBody, h("tr", {}, h("td.empty", { colspan: ctx.can.operate ? 4 : 3 }, "no type has limits")));
  }

  function showTiers(answer) {
    tierSection.hidden = !answer.tiers.length;
    fill(tierBody, answer.tiers.map((t) => h("tr", { dataset: { tier: t.name } },
      h("td", {}, t.name, t.name === answer.default_tier ? h("span.note", {}, " (default)") : null),
      h("td.rate", {}, t.submits ? rateText(t.submits) : "no quota"),
      h("td.n", {}, t.max_running ? num(t.max_running) : "no cap"))));
  }

  async function refresh() {
    const [queues, limits, tiers] = await Promise.allSettled([get("/queues"), get("/limits"), get("/tiers")]);
    if (!alive) return;
    if (tiers.status === "fulfilled") showTiers(tiers.value);
    if (queues.status === "fulfilled") {
      error.textContent = "";
      showQueues(queues.value.queues);
    } else {
      error.textContent = queues.reason.message;
    }
    if (limits.status === "fulfilled") {
      typeError.textContent = "";
      showTypes(limits.value.limits);
    } else {
      typeError.textContent = limits.reason.message;
    }
  }

  const soon = throttle(refresh, 1000);
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow || events.length) soon();
  });
  refresh();
  const poll = setInterval(refresh, POLL_MS);
  return () => {
    alive = false;
    clearInterval(poll);
    unsubscribe();
  };
}
