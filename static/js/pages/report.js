// The report a school files about one attempt: the student, the exam, the times, the answers saved, the flags with
// the reviewer's decisions, the proctors' acts and notes, the consent the student agreed to, and the stills still
// kept (or when they were deleted). Printed to PDF by the browser (the print stylesheet drops the page's controls).
import { byId, el, messenger } from "../authoring/dom.js";
import { when, zoneName } from "../authoring/format.js";
import { stillUrl } from "../dashboard/stills.js";
import { violationWords } from "../dashboard/wording.js";
import { endedWords } from "../review/words.js";
import { api, navigate, start } from "../session.js";

const params = new URLSearchParams(location.search);
const examId = Number(params.get("exam"));
const attemptId = Number(params.get("attempt"));
const page = messenger("report-status", "report-alert");
const ACTS = { warning: "Warning", pause: "Paused", resume: "Resumed", extend: "Extra time", terminate: "Closed",
  note: "Note" };

function section(title, ...content) {
  const id = `report-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return el("section", { "aria-labelledby": id }, el("h2", { id }, title), ...content);
}

function table(caption, headings, rows) {
  return el("table", {}, el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, headings.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", { dir: "auto" }, c ?? "—"))))));
}

function facts(pairs) {
  return el("dl", {}, pairs.flatMap(([term, value]) => [el("dt", {}, term), el("dd", { dir: "auto" }, value ?? "—")]));
}

function stillsSection(report) {
  const deleted = report.stills_deleted.map((d) => el("p", {}, d.on_schedule
    ? `The camera and screen pictures were deleted on schedule on ${when(d.at)}, at the end of the exam's `
      + `${d.retention_days}-day retention period.`
    : `The pictures of this attempt were deleted on request on ${when(d.at)}.`));
  if (!report.stills.length) {
    return section("Pictures", ...(deleted.length ? deleted : [el("p", {}, "No pictures were taken.")]));
  }
  const list = el("ul", { class: "report-stills" }, report.stills.map((still) => {
    const image = el("img", { alt: `${still.kind === "screen" ? "Screen" : "Camera"} picture at ${when(still.taken_at)}`
      + (still.flag ? `, flagged: ${violationWords(still.flag)}` : ""), width: "160", height: "120" });
    stillUrl(examId, still.id).then((url) => { image.src = url; }).catch(() => {});
    return el("li", {}, el("figure", {}, image, el("figcaption", {}, `${when(still.taken_at)}`
      + (still.flag ? ` · ${violationWords(still.flag)}` : ""))));
  }));
  return section("Pictures", el("p", {}, `Kept for ${report.retention_days} days after they were taken, then deleted.`
    + " Every flagged picture is shown, and at most one other a minute."), list, ...deleted);
}

function render(report) {
  const a = report.attempt;
  const review = report.review;
  return [
    el("p", { class: "meta" }, `Times are in ${zoneName()}. A flag is a signal for a person to look at, never a `
      + "verdict; nothing in this review changed the grade."),
    section("Student and exam", facts([["Student", report.student.name], ["Email", report.student.email],
      ["Exam", report.exam.title], ["Attempt", String(a.number)], ["How it ended", endedWords(a.status)],
      ["Started", when(a.started_at)], ["Deadline", when(a.deadline)], ["Ended", when(a.finished_at)],
      ["Why it ended", a.finish_reason],
      ["Score", a.score === null ? null : `${a.score} out of ${a.max_score}`]])),
    section("Review decision", facts([["Status", review.words], ["Reason", review.reason],
      ["Reviewer", review.reviewer], ["Decided", review.reviewed_at && when(review.reviewed_at)]])),
    section("Flags", report.flags.length ? table("Flags and the reviewer's decisions",
      ["Time", "Flag", "Decision", "Reason", "By"], report.flags.map((f) => [when(f.at), f.words,
        f.decision ? f.decision.words : "Not decided", f.decision?.reason, f.decision?.reviewer]))
      : el("p", {}, "No flags were raised.")),
    section("Proctors' acts and notes", report.proctor_acts.length ? table("What the proctors did",
      ["Time", "Act", "Text", "By"], report.proctor_acts.map((act) => [when(act.at), ACTS[act.kind] ?? act.kind,
        act.text, act.by])) : el("p", {}, "The proctors did nothing on this attempt.")),
    section("Answers saved", report.answers.length ? table("When each answer was last saved",
      ["Question", "Last saved", "Answered"], report.answers.map((answer) => [String(answer.question),
        when(answer.saved_at), answer.answered ? "Yes" : "Left blank"])) : el("p", {}, "No answer was saved.")),
    section("Consent", report.consent ? [el("p", {}, `The student agreed on ${when(report.consent.accepted_at)} to:`),
      el("blockquote", { class: "consent-text", dir: "auto" }, report.consent.text)]
      : el("p", {}, "No camera consent was asked for this attempt.")),
    stillsSection(report),
  ];
}

byId("print-button").addEventListener("click", () => window.print());
byId("back-button").addEventListener("click", () => navigate(`/proctor/review?id=${examId}`));

try {
  start();
  if (!examId || !attemptId) throw new Error("No attempt was chosen. Open the report from the review.");
  const report = await api(`/api/exams/${examId}/review/attempts/${attemptId}`);
  byId("page-title").textContent = `Attempt report: ${report.student.name}, “${report.exam.title}”`;
  document.title = `Report: ${report.student.name} · ${document.title.split(" · ").pop()}`;
  byId("report").replaceChildren(...render(report));
  byId("report").hidden = false;
  page.clear();
} catch (error) {
  page.fail(`Could not load the report: ${error.message}`);
}
