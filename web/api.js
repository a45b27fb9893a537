// The HTTP API, with the API key (if the server has keys) as Authorization: Bearer.

const STORE = "jobq.key";

export function savedKey() {
  return sessionStorage.getItem(STORE) ?? localStorage.getItem(STORE);
}

export function saveKey(key, remember) {
  forgetKey();
  (remember ? localStorage : sessionStorage).setItem(STORE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(STORE);
  localStorage.removeItem(STORE);
}

export class ApiError extends Error {
  // field: what the server names as wrong (error.details.field), else null.
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

// An error as a user reads it, with the field it is about: "max_running: must be between ...".
export function errorText(e) {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

export async function call(method, path, body) {
  const headers = {};
  const key = savedKey();
  if (key) headers.Authorization = "Bearer " + key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch("/api/v1" + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network", "the server does not answer (" + e.message + ")");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, "bad_answer", `${method} ${path}: answer is not JSON`);
  }
  if (!response.ok) {
    const e = data?.error ?? {};
    throw new ApiError(response.status, e.code ?? "error", e.message ?? `${method} ${path}: ${response.status}`, e.details?.field ?? null);
  }
  return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});
export const put = (path, body) => call("PUT", path, body ?? {});
export const del = (path) => call("DELETE", path);

// "?a=1&b=2" from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
}

// Runs fn over items, a few at a time; resolves to [{item, ok, error}] in order.
export async function each(items, fn, parallel = 8) {
  const out = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]);
        out[i] = { item: items[i], ok: true };
      } catch (error) {
        out[i] = { item: items[i], ok: false, error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));
  return out;
}

// The key in the form the server takes on a WebSocket: subprotocol jobq.bearer.<base64url>.
export function websocketProtocols() {
  const key = savedKey();
  if (!key) return ["jobq"];
  const bytes = new TextEncoder().encode(key);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const b64 = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return ["jobq", "jobq.bearer." + b64];
}
