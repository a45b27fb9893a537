// Overview: counts by status, the throughput chart, queue depths, running jobs, workers alive and
// the failure rate, refreshed from /stats as events arrive (at most once a second).
import { get } from "./api.js";
import { h, fill, setText, num, pct, link, jobPath, time, statusBadge } from "./dom.js";
import { throttle } from "./live.js";
import { drawThroughput } from "./chart.js";

const STATUSES = ["waiting", "scheduled", "queued", "running", "completed", "failed", "cancelled"];

export function render(ctx) {
  let alive = true;
  const counts = {};
  const cards = STATUSES.map((s) => {
    counts[s] = h("span.value", { id: "count-" + s }, "–");
    return h("a.card.s-" + s, { href: "/jobs?status=" + s, "data-nav": "" }, h("span.label", {}, s), counts[s]);
  });
  const workersAlive = h("span.value", { id: "workers-alive" }, "–");
  const failureRate = h("span.value", { id: "failure-rate" }, "–");
  const rates = h("span.value", { id: "rates" }, "–");
  const canvas = h("canvas.chart", { role: "img", "aria-label": "Completed and failed attempts per second, last 15 minutes" });
  const queueBody = h("tbody");
  const runningBody = h("tbody");
  const error = h("p.error", { role: "alert" });

  ctx.root.append(
    h("h1", {}, "Overview"), error,
    h("section.cards", { "aria-label": "Jobs by status" }, cards),
    h("section.cards", { "aria-label": "Health" },
      h("a.card", { href: "/workers", "data-nav": "" }, h("span.label", {}, "workers alive"), workersAlive),
      h("div.card", {}, h("span.label", {}, "failure rate, last minute"), failureRate),
      h("div.card.wide", {}, h("span.label", {}, "completed / failed per s, last minute"), rates)),
    h("section", {},
      h("h2", {}, "Throughput"),
      h("p.legend", {}, h("span.key.ok", {}, "completed"), " ", h("span.key.bad", {}, "failed attempts"), " per second, last 15 minutes"),
      canvas),
    h("div.columns", {},
      h("section", {}, h("h2", {}, "Queue depths"),
        h("div.scroll", {}, h("table", { id: "queue-depths" },
          h("thead", {}, h("tr", {}, h("th", {}, "queue"), ["queued", "scheduled", "waiting", "running"].map((s) => h("th.n", {}, s)))),
          queueBody))),
      h("section", {}, h("h2", {}, "Running jobs"),
        h("div.scroll", {}, h("table", { id: "running-jobs" },
          h("thead", {}, h("tr", {}, h("th", {}, "job"), h("th", {}, "type"), h("th.n", {}, "progress"), h("th", {}, "started"))),
          runningBody)))));

  async function refresh() {
    if (!alive) return;
    try {
      const [stats, running, workers] = await Promise.all([
        get("/stats"), get("/jobs?status=running&limit=10&sort=updated_at"), get("/workers"),
      ]);
      if (!alive) return;
      error.textContent = "";
      for (const s of STATUSES) setText(counts[s], num(stats.by_status?.[s] ?? 0));
      const lm = stats.last_minute ?? {};
      const c = lm.completed_per_s ?? 0, f = lm.failed_per_s ?? 0;
      setText(rates, `${c.toFixed(2)} / ${f.toFixed(2)}`);
      setText(failureRate, c + f > 0 ? pct(f / (c + f)) : "–");
      setText(workersAlive, num(workers.workers.filter((w) => w.state !== "lost").length));
      fill(queueBody, Object.entries(stats.queues ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([name, q]) =>
        h("tr", {}, h("td", {}, link("/jobs?queue=" + encodeURIComponent(name), name)),
          ["queued", "scheduled", "waiting", "running"].map((s) => h("td.n", {}, num(q[s] ?? 0))))));
      if (!queueBody.children.length) fill(queueBody, h("tr", {}, h("td.empty", { colspan: 5 }, "no queues yet")));
      fill(runningBody, running.jobs.map((j) =>
        h("tr", {}, h("td.id", {}, link(jobPath(j.id), j.id)), h("td", {}, j.type),
          h("td.n", {}, Math.round(j.progress) + " %"), h("td", {}, time(j.started_at)))));
      if (!runningBody.children.length) fill(runningBody, h("tr", {}, h("td.empty", { colspan: 4 }, "nothing running")));
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  }

  const soon = throttle(refresh, 1000);
  const unsubscribe = ctx.live.subscribe((events, { overflow }) => {
    if (overflow || events.length) soon();
  });
  const draw = () => drawThroughput(canvas, ctx.live.series);
  // The chart starts from the server's last 15 minutes, not from when the page opened; the
  // history is fetched again now and then so that it stays the server's count.
  const history = async () => {
    try {
      const t = await get("/throughput");
      if (!alive) return;
      ctx.live.adopt(t.seconds);
      draw();
    } catch (e) {
      if (alive) error.textContent = e.message;
    }
  };
  history();
  const historyTicker = setInterval(history, 30_000);
  const ticker = setInterval(() => {
    draw();
  }, 1000);
  const poll = setInterval(refresh, 5000); // workers' beats and rates move without events
  refresh();
  requestAnimationFrame(draw);
  const onResize = () => draw();
  window.addEventListener("resize", onResize);
  return () => {
    alive = false;
    unsubscribe();
    clearInterval(ticker);
    clearInterval(historyTicker);
    clearInterval(poll);
    window.removeEventListener("resize", onResize);
  };
}
