// Building the page. Everything the server sends goes in as text (textContent) or as an
// attribute value, never as HTML, so a payload, an error or a name cannot inject markup.

// h("tr.row", {onclick, "aria-label": "x"}, child, ...): an element; children are nodes, strings
// (made text nodes), numbers, null (skipped) or arrays of those.
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" || key === "checked") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

// Replaces an element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Sets text only when it changed, so that a steady number does not repaint.
export function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

// An internal link that the router handles without reloading the page.
export function link(path, ...children) {
  return h("a", { href: path, "data-nav": "" }, ...children);
}

export function jobPath(id) {
  return "/jobs/" + encodeURIComponent(id);
}

const numberFormat = new Intl.NumberFormat();
export function num(n) {
  return n === null || n === undefined ? "–" : numberFormat.format(n);
}

export function pct(x) {
  return Number.isFinite(x) ? (x * 100).toFixed(1) + " %" : "–";
}

// Times as the server sends them (RFC 3339 UTC); shown in the viewer's local time.
export function time(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// For tables: month, day and time to the second; time() gives the rest in a tooltip.
export function shortTime(iso) {
  const t = time(iso);
  return t.length === 23 ? t.slice(5, 19) : t;
}

export function ago(iso) {
  if (!iso) return "–";
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  return Math.floor(s / 3600) + " h ago";
}

export function pretty(value) {
  return value === undefined ? "–" : JSON.stringify(value, null, 2);
}

export function statusBadge(status) {
  return h("span.badge.s-" + status, {}, status);
}

// A modal question; resolves true when confirmed. The dialog element traps focus and closes on
// Escape, so it works from the keyboard.
export function confirmDialog(question, action = "Confirm") {
  return new Promise((resolve) => {
    const yes = h("button.danger", { type: "submit", value: "yes" }, action);
    const dialog = h("dialog.confirm", { "aria-label": "Confirm" },
      h("form", { method: "dialog" },
        h("p", {}, question),
        h("div.buttons", {}, h("button", { type: "submit", value: "no" }, "Keep"), yes)));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "yes");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    yes.focus();
  });
}

// A short message at the bottom of the screen, read out by screen readers.
export function toast(message, kind = "info") {
  const area = document.getElementById("toasts");
  const item = h("div.toast." + kind, { role: kind === "error" ? "alert" : "status" }, message);
  area.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

// The rows of a table kept across repaints, by key: `rows` maps a key to {row, update}; each of
// `items` updates its row (made by make(key) if it is new) through update(r, item). Returns the
// new map, in the items' order: rows whose key is gone are left out.
export function keepRows(rows, items, keyOf, make, update = (r, item) => r.update(item)) {
  const next = new Map();
  for (const item of items) {
    const key = keyOf(item);
    const r = rows.get(key) ?? make(key);
    update(r, item);
    next.set(key, r);
  }
  return next;
}

// Puts `rows` into `parent` in order, moving only what must move, so that a row holding the
// keyboard focus (kept by the caller) stays in place and keeps it.
export function placeRows(parent, rows) {
  const keep = new Set(rows);
  for (const child of [...parent.children]) if (!keep.has(child)) child.remove();
  rows.forEach((row, i) => {
    if (parent.children[i] !== row) parent.insertBefore(row, parent.children[i] ?? null);
  });
}
