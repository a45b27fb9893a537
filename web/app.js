// The dashboard's entry: who the user is (API key and role), which page the address shows, and
// the live feed they all share.
import { get, saveKey, forgetKey, savedKey, ApiError } from "./api.js";
import { h, fill, setText } from "./dom.js";
import { Live } from "./live.js";
import * as overview from "./page_overview.js";
import * as jobs from "./page_jobs.js";
import * as job from "./page_job.js";
import * as workers from "./page_workers.js";
import * as deadLetters from "./page_dead_letters.js";
import * as queues from "./page_queues.js";
import * as schedules from "./page_schedules.js";
import * as webhooks from "./page_webhooks.js";

const ROUTES = [
  [/^\/$/, "overview", overview],
  [/^\/jobs$/, "jobs", jobs],
  [/^\/jobs\/([^/]+)$/, "jobs", job],
  [/^\/workers$/, "workers", workers],
  [/^\/dead-letters$/, "dead-letters", deadLetters],
  [/^\/queues$/, "queues", queues],
  [/^\/schedules$/, "schedules", schedules],
  [/^\/webhooks$/, "webhooks", webhooks],
];

const main = document.getElementById("main");
const live = new Live((state) => {
  const el = document.getElementById("live-state");
  setText(el, state);
  el.dataset.state = state;
});
let role = null;
let cleanup = null;

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  show();
}

function show() {
  if (cleanup) cleanup();
  cleanup = null;
  const path = location.pathname;
  const found = ROUTES.find(([pattern]) => pattern.test(path));
  for (const a of document.querySelectorAll("nav a")) {
    if (found && a.dataset.page === found[1]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!found) {
    fill(main, h("h1", {}, "Not found"), h("p", {}, "No page at this address."));
    return;
  }
  const [pattern, , page] = found;
  const params = pattern.exec(path).slice(1).map(decodeURIComponent);
  const ctx = {
    root: main,
    params,
    query: new URLSearchParams(location.search),
    role,
    can: { produce: role === "admin" || role === "producer", operate: role === "admin" },
    live,
    navigate,
  };
  main.replaceChildren();
  cleanup = page.render(ctx) || null;
}

// Internal links change the page without a reload; modified clicks keep the browser's meaning.
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-nav]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href"));
  main.focus({ preventScroll: true });
});
window.addEventListener("popstate", show);

document.getElementById("logout").addEventListener("click", () => {
  forgetKey();
  live.stop();
  start();
});

function login(message) {
  document.getElementById("logout").hidden = true;
  setText(document.getElementById("role"), "");
  const input = h("input", { id: "api-key", type: "password", autocomplete: "current-password", required: true });
  const remember = h("input", { id: "remember", type: "checkbox" });
  const error = h("p.error", { role: "alert" }, message || "");
  const form = h("form.login", {
    onsubmit: async (e) => {
      e.preventDefault();
      saveKey(input.value.trim(), remember.checked);
      start();
    },
  },
  h("h1", {}, "Log in"),
  h("p", {}, "This server needs an API key."),
  h("label", { for: "api-key" }, "API key"), input,
  h("label.check", {}, remember, " Remember on this device"),
  error,
  h("button", { type: "submit" }, "Log in"));
  fill(main, form);
  input.focus();
}

async function start() {
  let who;
  try {
    who = await get("/whoami");
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      const had = savedKey();
      forgetKey();
      login(had ? "That key is not known to the server." : "");
    } else {
      fill(main, h("h1", {}, "jobq"), h("p.error", { role: "alert" }, e.message));
    }
    return;
  }
  role = who.role;
  setText(document.getElementById("role"), who.keys ? role : "");
  document.getElementById("logout").hidden = !who.keys;
  document.body.dataset.role = role;
  live.start();
  show();
}

start();
