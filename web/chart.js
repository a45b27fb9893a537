// The throughput chart: completed and failed attempts per second over the last 15 minutes, drawn
// on a canvas from Live's per-second series.
const SECONDS = 900;

export function drawThroughput(canvas, series) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (!width || !height) return;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const style = getComputedStyle(canvas);
  const colors = {
    grid: style.getPropertyValue("--grid").trim() || "#ccc",
    text: style.getPropertyValue("--muted").trim() || "#666",
    completed: style.getPropertyValue("--ok").trim() || "green",
    failed: style.getPropertyValue("--bad").trim() || "red",
  };
  const now = Math.floor(Date.now() / 1000);
  const start = now - SECONDS + 1;
  const completed = new Float64Array(SECONDS);
  const failed = new Float64Array(SECONDS);
  let peak = 1;
  for (const [second, c, f] of series) {
    const i = second - start;
    if (i < 0 || i >= SECONDS) continue;
    completed[i] = c;
    failed[i] = f;
    peak = Math.max(peak, c, f);
  }
  const top = niceCeiling(peak);
  const left = 40, bottom = 18, plotW = width - left - 4, plotH = height - bottom - 6;
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = colors.text;
  g.strokeStyle = colors.grid;
  g.lineWidth = 1;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (const f of [0, 0.5, 1]) {
    const y = 6 + plotH * (1 - f);
    g.beginPath();
    g.moveTo(left, Math.round(y) + 0.5);
    g.lineTo(left + plotW, Math.round(y) + 0.5);
    g.stroke();
    g.fillText(String(Number((top * f).toFixed(2))), left - 6, y);
  }
  g.textAlign = "center";
  g.textBaseline = "top";
  for (const minutes of [15, 10, 5, 0]) {
    const x = left + plotW * (1 - (minutes * 60) / SECONDS);
    g.fillText(minutes ? `−${minutes} min` : "now", Math.min(Math.max(x, left + 20), left + plotW - 14), height - bottom + 4);
  }
  const line = (values, color) => {
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.beginPath();
    for (let i = 0; i < SECONDS; i++) {
      const x = left + (plotW * i) / (SECONDS - 1);
      const y = 6 + plotH * (1 - values[i] / top);
      if (i) g.lineTo(x, y);
      else g.moveTo(x, y);
    }
    g.stroke();
  };
  line(completed, colors.completed);
  line(failed, colors.failed);
}

function niceCeiling(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
