// The live feed: one WebSocket on /api/v1/events/ws for the whole dashboard. Events are gathered
// and handed to the pages once per animation frame, so hundreds a second cost one repaint each
// frame, not one per event. It also counts finished attempts per second for the overview's chart.
import { websocketProtocols } from "./api.js";

const MAX_PENDING = 5000;   // past this (a hidden tab gets no frames), pages reload instead
const SERIES_SECONDS = 900; // the chart's 15 minutes

export class Live {
  constructor(onState) {
    this.listeners = new Set();
    this.pending = [];
    this.overflowed = false;
    this.frame = 0;
    this.socket = null;
    this.retryMs = 500;
    this.stopped = false;
    this.onState = onState;
    // Per second: [epoch second, completed, failed]; failed counts every failed attempt.
    this.series = [];
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.socket?.close();
  }

  // fn(events, {overflow}) once per frame with the events since the last call.
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  connect() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/events/ws";
    const socket = new WebSocket(url, websocketProtocols());
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.onState("live");
      // Whatever happened while disconnected is unknown: pages reload.
      this.overflowed = true;
      this.schedule();
    };
    socket.onmessage = (m) => this.receive(m.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      this.onState("reconnecting");
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10000);
    };
  }

  receive(text) {
    let event;
    try {
      event = JSON.parse(text);
    } catch {
      return; // the server sends JSON only; a broken frame is dropped, not shown
    }
    if (!event || typeof event.event !== "string" || !event.job) return;
    this.count(event.event);
    if (this.pending.length >= MAX_PENDING) {
      this.pending = [];
      this.overflowed = true;
    } else {
      this.pending.push(event);
    }
    this.schedule();
  }

  count(name) {
    const done = name === "completed";
    const failed = name === "failed" || name === "retrying";
    if (!done && !failed) return;
    const second = Math.floor(Date.now() / 1000);
    let last = this.series[this.series.length - 1];
    if (!last || last[0] !== second) {
      last = [second, 0, 0];
      this.series.push(last);
      while (this.series.length && this.series[0][0] <= second - SERIES_SECONDS) this.series.shift();
    }
    last[done ? 1 : 2]++;
  }

  // The server's history (GET /throughput) replaces what this page counted, up to the newest
  // second the server reported; later seconds keep their own counts.
  adopt(seconds) {
    const newest = seconds.length ? seconds[seconds.length - 1][0] : 0;
    const later = this.series.filter(([second]) => second > newest);
    this.series = seconds.map(([second, completed, failed]) => [second, completed, failed]).concat(later);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const events = this.pending;
      const overflow = this.overflowed;
      this.pending = [];
      this.overflowed = false;
      for (const fn of this.listeners) {
        try {
          fn(events, { overflow });
        } catch (e) {
          console.error(e);
        }
      }
    });
  }
}

// Calls fn at most once per `ms`, and once more after the last call within it.
export function throttle(fn, ms) {
  let last = 0;
  let timer = 0;
  return function run() {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = 0;
        run();
      }, ms - (now - last));
    }
  };
}
