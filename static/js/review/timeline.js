// One attempt's time as a horizontal SVG track per kind of thing (answers saved, flags, the page's presence,
// proctors' acts, pictures):
// each mark is a button (Tab to it, Enter or Space, or click) that shows its details or its still below the
// chart; the same marks are listed in a table for screen readers.
import { el, svg } from "../authoring/dom.js";
import { when } from "../authoring/format.js";
import { stillUrl } from "../dashboard/stills.js";
import { violationWords } from "../dashboard/wording.js";

const WIDTH = 720;
const LEFT = 110;
const RIGHT = 16;
const ROW = 44;
const TRACKS = [["answers", "Answers saved"], ["flags", "Flags"], ["presence", "Presence"], ["acts", "Proctors' acts"],
  ["stills", "Pictures"]];
const PRESENCE = { online: "Online", away: "Away", offline: "Offline" };
const ACTS = { warning: "Warning", pause: "Paused", resume: "Resumed", extend: "Extra time", terminate: "Closed",
  note: "Note" };

/** The marks of a report (review_report.report on the server), each {track, at, what, detail, still}. */
export function marksOf(report) {
  return [
    ...report.answers.map((a) => ({ track: "answers", at: a.saved_at, what: `Answer to question ${a.question} saved`,
      detail: a.answered ? "An option was chosen." : "The answer was left blank." })),
    ...report.flags.map((f) => ({ track: "flags", at: f.at, what: `Flag: ${f.words}`,
      detail: f.decision ? `${f.decision.words}${f.decision.reason ? `: ${f.decision.reason}` : ""}`
        : "Not decided yet." })),
    ...report.presence.map((p, n) => ({ track: "presence", at: p.at, until: report.presence[n + 1]?.at,
      state: p.state, what: `Presence: ${PRESENCE[p.state] ?? p.state}`,
      detail: report.presence[n + 1] ? `Until ${when(report.presence[n + 1].at)}.` : "" })),
    ...report.proctor_acts.map((a) => ({ track: "acts", at: a.at, what: `${ACTS[a.kind] ?? a.kind}`
      + (a.by ? ` by ${a.by}` : ""), detail: a.text || "" })),
    ...report.stills.map((s) => ({ track: "stills", at: s.taken_at,
      what: `${s.kind === "screen" ? "Screen" : "Camera"} picture`
        + (s.flag ? `, flagged: ${violationWords(s.flag)}` : ""),
      detail: "", still: s })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The timeline's figure (chart and details area) and its table, for the attempt of `report`. */
export function timeline(examId, report) {
  const start = Date.parse(report.attempt.started_at);
  const end = Math.max(Date.parse(report.attempt.finished_at ?? report.attempt.deadline), start + 60000);
  const x = (iso) => LEFT + ((Date.parse(iso) - start) / (end - start)) * (WIDTH - LEFT - RIGHT);
  const marks = marksOf(report);
  const height = TRACKS.length * ROW + 30;
  const details = el("div", { class: "timeline-details", role: "status", "aria-live": "polite" },
    "Choose a mark on the timeline to see its details.");
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "timeline-chart", role: "group",
    "aria-label": "Timeline of the attempt: one row per kind of mark" });

  TRACKS.forEach(([track, label], row) => {
    const y = row * ROW + ROW / 2;
    chart.append(svg("text", { x: 0, y: y + 4, class: "track-label" }, label),
      svg("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, class: "track-line" }));
    for (const mark of marks.filter((m) => m.track === track)) {
      const cx = Math.min(Math.max(x(mark.at), LEFT), WIDTH - RIGHT);
      const button = svg("g", { tabindex: "0", role: "button", class: `mark mark-${track}`,
        "aria-label": `${mark.what}, ${when(mark.at)}` },
      shape(examId, mark, cx, y, x));
      const show = () => showMark(examId, details, mark);
      button.addEventListener("click", show);
      button.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); show(); }
      });
      chart.append(button);
    }
  });
  const axisY = TRACKS.length * ROW + 18;
  chart.append(svg("text", { x: LEFT, y: axisY, class: "axis-label" }, `Started ${when(report.attempt.started_at)}`),
    svg("text", { x: WIDTH - RIGHT, y: axisY, class: "axis-label", "text-anchor": "end" },
      `Ended ${when(report.attempt.finished_at ?? report.attempt.deadline)}`));

  const table = el("table", { class: "timeline-table" },
    el("caption", {}, "The timeline as a table"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Time"), el("th", { scope: "col" }, "Row"),
      el("th", { scope: "col" }, "What"), el("th", { scope: "col" }, "Details"))),
    el("tbody", {}, marks.map((m) => el("tr", {}, el("td", {}, when(m.at)),
      el("td", {}, TRACKS.find(([t]) => t === m.track)[1]), el("td", {}, m.what),
      el("td", { dir: "auto" }, m.detail)))));
  return { figure: el("div", { class: "timeline" }, chart, details), table, marks };
}

/** A mark's drawing: a thumbnail for a still, a band for a stretch of presence (its state written in it, and
 * drawn solid, hatched or hollow: not by colour alone), a dot for the rest. */
function shape(examId, mark, cx, y, x) {
  if (mark.track === "stills") return thumbnail(examId, mark.still, cx, y);
  if (mark.track !== "presence") return svg("circle", { cx, cy: y, r: 7 });
  const right = mark.until ? x(mark.until) : WIDTH - RIGHT;
  const width = Math.max(Math.min(right, WIDTH - RIGHT) - cx, 4);
  const band = svg("g", {}, svg("rect", { x: cx, y: y - 9, width, height: 18, class: `presence-${mark.state}` }));
  if (width > 48) {
    band.append(svg("text", { x: cx + 4, y: y + 4, class: "presence-label" }, PRESENCE[mark.state] ?? mark.state));
  }
  return band;
}

/** A still's thumbnail on its track: a frame at once, the picture once fetched (with the launch token). */
function thumbnail(examId, still, cx, y) {
  const frame = svg("rect", { x: cx - 16, y: y - 12, width: 32, height: 24 });
  const image = svg("image", { x: cx - 16, y: y - 12, width: 32, height: 24, preserveAspectRatio: "xMidYMid slice" });
  stillUrl(examId, still.id).then((url) => image.setAttribute("href", url)).catch(() => {});
  return svg("g", {}, frame, image);
}

async function showMark(examId, details, mark) {
  const heading = el("p", {}, el("strong", {}, mark.what), `, ${when(mark.at)}`);
  details.replaceChildren(heading);
  if (mark.detail) details.append(el("p", { dir: "auto" }, mark.detail));
  if (!mark.still) return;
  const src = await stillUrl(examId, mark.still.id).catch(() => null);
  // Another mark may have been chosen while the picture came: its details stay.
  if (!details.contains(heading)) {
    if (src) URL.revokeObjectURL(src);
    return;
  }
  details.append(src ? el("img", { alt: `${mark.what}, ${when(mark.at)}`, width: "320", height: "240", src,
    onload: () => URL.revokeObjectURL(src) })
    : el("p", {}, "The picture could not be loaded. Choose the mark again to retry."));
}
