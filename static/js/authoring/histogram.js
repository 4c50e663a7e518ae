// A bar chart of final percentages, as inline SVG built with DOM calls (no markup strings, no inline styles).
import { el, svg } from "./dom.js";

const WIDTH = 420;
const HEIGHT = 170;
const LEFT = 16;
const RIGHT = 20;
const BOTTOM = 24;
const TOP = 16;

/** buckets: [{from, to, count}] from the marks API. Answers a figure (or a note when there is nothing). */
export function histogram(buckets) {
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  if (!total) return el("p", { class: "hint" }, "No finished attempts yet, so there is nothing to chart.");
  const max = Math.max(...buckets.map((b) => b.count));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / buckets.length;
  const described = buckets.filter((b) => b.count)
    .map((b) => `${b.from}–${b.to}%: ${b.count}`).join(", ");
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "histogram", role: "img",
    "aria-label": `Percentages of ${total} finished attempt${total === 1 ? "" : "s"}: ${described}.` });
  chart.append(svg("line", { x1: LEFT, y1: HEIGHT - BOTTOM, x2: WIDTH - RIGHT, y2: HEIGHT - BOTTOM, class: "axis" }));
  buckets.forEach((bucket, index) => {
    const height = max ? (bucket.count / max) * plotHeight : 0;
    const x = LEFT + index * slot + 3;
    const y = HEIGHT - BOTTOM - height;
    chart.append(svg("rect", { x, y, width: slot - 6, height, rx: 2, class: "bar" },
      svg("title", {}, `${bucket.from}–${bucket.to}%: ${bucket.count}`)));
    if (bucket.count) {
      chart.append(svg("text", { x: x + (slot - 6) / 2, y: y - 4, class: "count", "text-anchor": "middle" },
        String(bucket.count)));
    }
    chart.append(svg("text", { x: LEFT + index * slot, y: HEIGHT - 8, class: "tick", "text-anchor": "middle" },
      String(bucket.from)));
  });
  chart.append(svg("text", { x: WIDTH - RIGHT, y: HEIGHT - 8, class: "tick", "text-anchor": "middle" }, "100"));
  return el("figure", { class: "histogram-figure" }, chart,
    el("figcaption", { class: "hint" }, `Final percentages of ${total} finished attempt${total === 1 ? "" : "s"}, in steps of 10 percentage points.`));
}
