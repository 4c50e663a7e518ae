// The exam's flags over its minutes as an SVG bar chart (one bar per minute with flags, each a focusable stop that
// says its count), with the same numbers in a table for screen readers.
import { el, svg } from "../authoring/dom.js";
import { when } from "../authoring/format.js";
import { violationWords } from "../dashboard/wording.js";

const WIDTH = 720;
const HEIGHT = 180;
const LEFT = 36;
const BOTTOM = 24;

const kindsText = (kinds) => Object.entries(kinds).map(([k, n]) => `${violationWords(k)} ${n}`).join(", ");

/** {figure, table} for flags_by_minute's answer; an empty figure says there were none. */
export function flagChart({ start, minutes }) {
  if (!minutes.length) return { figure: el("p", {}, "No flags were raised in this exam."), table: null };
  const span = Math.max(10, minutes[minutes.length - 1].minute + 1);
  const top = Math.max(...minutes.map((m) => m.count));
  const step = (WIDTH - LEFT - 8) / span;
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "flag-chart", role: "group",
    "aria-label": `Flags per minute since the exam's first start, ${when(start)}` });
  chart.append(svg("line", { x1: LEFT, x2: WIDTH - 8, y1: HEIGHT - BOTTOM, y2: HEIGHT - BOTTOM, class: "track-line" }),
    svg("text", { x: LEFT - 6, y: 12, "text-anchor": "end", class: "axis-label" }, String(top)),
    svg("text", { x: LEFT - 6, y: HEIGHT - BOTTOM, "text-anchor": "end", class: "axis-label" }, "0"),
    svg("text", { x: LEFT, y: HEIGHT - 6, class: "axis-label" }, "Minute 0"),
    svg("text", { x: WIDTH - 8, y: HEIGHT - 6, "text-anchor": "end", class: "axis-label" }, `Minute ${span}`));
  for (const m of minutes) {
    const h = ((HEIGHT - BOTTOM - 16) * m.count) / top;
    const label = `Minute ${m.minute}: ${m.count} ${m.count === 1 ? "flag" : "flags"} (${kindsText(m.kinds)})`;
    chart.append(svg("rect", { x: LEFT + m.minute * step + 1, y: HEIGHT - BOTTOM - h, width: Math.max(step - 2, 3),
      height: h, class: "bar", tabindex: "0", role: "img", "aria-label": label }, svg("title", {}, label)));
  }
  const table = el("table", { class: "timeline-table" },
    el("caption", {}, "Flags per minute as a table"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Minute"), el("th", { scope: "col" }, "Flags"),
      el("th", { scope: "col" }, "Kinds"))),
    el("tbody", {}, minutes.map((m) => el("tr", {}, el("td", {}, String(m.minute)), el("td", {}, String(m.count)),
      el("td", {}, kindsText(m.kinds))))));
  return { figure: chart, table };
}
