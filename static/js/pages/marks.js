// Marks of one exam: a sortable table per student (the grade the exam's grading method makes, every attempt
// and which count toward it, grade passback), a histogram, per-question statistics, a CSV download and the
// audit trail (whole exam or one attempt).
import { busy, byId, confirmInline, el, messenger } from "../authoring/dom.js";
import { elapsed, examIdFromQuery, isMoment, num, plural, statusText, when, whenShort } from "../authoring/format.js";
import { histogram } from "../authoring/histogram.js";
import { download } from "../authoring/http.js";
import { fillNav } from "../authoring/nav.js";
import { sortableTable } from "../authoring/sortable-table.js";
import { showContent } from "../content.js";
import { api, start } from "../session.js";

const examId = examIdFromQuery();
const page = messenger("marks-status", "marks-alert");
const studentsMsg = messenger("students-status", "students-alert");
const auditMsg = messenger("audit-status", "audit-alert");
const auditFilter = byId("audit-filter");
let students = [];
let cameraUsed = false; // the exam's camera policy is not "off": attempts may have pictures to delete

const PASSBACK = { pending: "Waiting to send", sent: "Sent", failed: "Failed" };
const METHODS = { highest: "the highest attempt", average: "the average of all attempts", first: "the first attempt",
  last: "the last attempt" };
const STATUS_ORDER = ["in_progress", "paused", "submitted", "timed_out", "terminated", "not_started"];

function passedText(row) {
  if (row.passed === null || row.passed === undefined) return "—";
  return row.passed ? "Yes" : "No";
}

function violationTotal(row) {
  return Object.values(row.violations).reduce((sum, n) => sum + n, 0);
}

function violationsCell(row) {
  const total = violationTotal(row);
  if (!row.attempt_id) return "—";
  const byKind = Object.entries(row.violations).map(([kind, n]) => `${kind.replaceAll("_", " ")}: ${n}`).join(", ");
  return el("span", byKind ? { title: byKind, "aria-label": `${total} (${byKind})` } : {}, String(total));
}

function gradeText(row) {
  return row.grade ? `${num(row.grade.score)} / ${num(row.grade.max_score)}` : "—";
}

/** Every attempt of the student, each saying in words whether it counts toward the grade. */
function attemptsCell(row) {
  if (!row.attempts.length) return "—";
  return el("ol", { class: "attempt-list" }, row.attempts.map((a) => el("li", {},
    el("span", {}, `Attempt ${a.attempt}: `),
    el("span", { class: `badge status-${a.status}` }, statusText(a.status)),
    a.score === null ? null : ` ${num(a.score)} / ${num(a.max_score)} (${num(a.percent)}%)`,
    a.counts_toward_grade ? el("strong", { class: "counts" }, " · counts toward the grade") : null)));
}

function passbackCell(row) {
  const p = row.passback;
  if (!p) return el("span", { class: "hint" }, row.attempt_id ? "Not queued" : "—");
  const cell = el("div", { class: "passback" },
    el("span", { class: `badge status-${p.status}` }, PASSBACK[p.status] || p.status),
    p.tries ? el("span", { class: "meta" }, ` ${plural(p.tries, "try", "tries")}`) : null);
  if (p.last_error) cell.append(el("div", { class: "error-text" }, `Last error: ${p.last_error}`));
  return cell;
}

function actionsCell(row) {
  const box = el("div", { class: "actions tight" });
  const p = row.passback;
  if (p && (p.status === "failed" || p.status === "sent")) {
    const resend = el("button", { type: "button", class: "secondary small",
      "aria-label": `Resend the grade of ${row.name}` }, "Resend");
    resend.addEventListener("click", () => busy(resend, "Sending…", async () => {
      const answer = await api(`/api/exams/${examId}/passback/${p.id}/resend`, { method: "POST" });
      await loadMarks();
      studentsMsg.say(`The grade of ${row.name} is queued again (${PASSBACK[answer.status] || answer.status}).`);
      byId("students-title").focus();
    }).catch((error) => studentsMsg.fail(error.message)));
    box.append(resend);
  }
  if (row.attempt_id) {
    const audit = el("button", { type: "button", class: "secondary small",
      "aria-label": `Show the audit trail of ${row.name}'s attempt` }, "Audit");
    audit.addEventListener("click", () => {
      auditFilter.value = String(row.attempt_id);
      loadAudit().then(() => byId("audit-title").focus());
    });
    box.append(audit);
  }
  if (row.attempt_id && cameraUsed) box.append(...deletePicturesControl(row));
  return box.children.length ? box : el("span", { class: "hint" }, "—");
}

/** Delete one attempt's camera pictures on request, after an inline confirmation (the server audits it). */
function deletePicturesControl(row) {
  const host = el("div");
  const remove = el("button", { type: "button", class: "secondary small danger-text",
    "aria-label": `Delete the camera pictures of ${row.name}'s attempt` }, "Delete pictures…");
  remove.addEventListener("click", async () => {
    const sure = await confirmInline(host, {
      question: `Delete every camera picture of ${row.name}'s attempt? This cannot be undone; the deletion is `
        + "recorded in the audit trail.",
      confirm: "Delete the pictures",
    });
    if (!sure) {
      remove.focus();
      return;
    }
    busy(remove, "Deleting…", async () => {
      const path = `/api/exams/${examId}/attempts/${row.attempt_id}/evidence`;
      const { snapshots_deleted: deleted } = await api(path, { method: "DELETE" });
      studentsMsg.say(deleted ? `Deleted ${plural(deleted, "camera picture")} of ${row.name}'s attempt.`
        : `${row.name}'s attempt had no camera pictures left.`);
      byId("students-title").focus();
      await loadAudit();
    }).catch((error) => studentsMsg.fail(error.message));
  });
  return [remove, host];
}

const table = sortableTable(byId("students-table"), [
  { key: "name", label: "Name", sort: (r) => (r.name || "").toLowerCase(),
    cell: (r) => el("span", {}, r.name ? el("bdi", {}, r.name) : "(no name)",
      r.email ? el("span", { class: "meta email", title: r.email }, r.email) : null) },
  { key: "grade", label: "Grade", numeric: true, sort: (r) => r.grade?.score ?? null, cell: gradeText },
  { key: "percent", label: "Percent", numeric: true, sort: (r) => r.grade?.percent ?? null,
    cell: (r) => (r.grade?.percent == null ? "—" : `${num(r.grade.percent)}%`) },
  { key: "attempts", label: "Attempts", sort: (r) => r.attempts.length, cell: attemptsCell },
  { key: "status", label: "Latest status", sort: (r) => STATUS_ORDER.indexOf(r.status),
    cell: (r) => el("span", { class: `badge status-${r.status}` }, statusText(r.status)) },
  { key: "passed", label: "Passed", sort: (r) => (r.passed === null ? null : Number(r.passed)), cell: passedText },
  { key: "started_at", label: "Started", cell: (r) => whenShort(r.started_at) },
  { key: "finished_at", label: "Finished", cell: (r) => whenShort(r.finished_at) },
  { key: "minutes_used", label: "Time used", numeric: true, cell: (r) => elapsed(r.started_at, r.finished_at) },
  { key: "violations", label: "Violations", numeric: true, sort: violationTotal, cell: violationsCell },
  { key: "passback", label: "Grade sent", sort: (r) => r.passback?.status ?? null, cell: passbackCell },
  { key: "actions", label: "Actions", sortable: false, cell: actionsCell },
], { empty: "No students yet. Students appear once they open the tool from the course.",
  initial: { key: "name", direction: "ascending" }, rowKey: (r) => r.user_id });

function summary(rows, questionCount, method) {
  const finished = rows.filter((r) => r.grade?.percent != null);
  const parts = [plural(questionCount, "question"), plural(rows.length, "student"), `${finished.length} finished`];
  const inProgress = rows.filter((r) => r.status === "in_progress" || r.status === "paused").length;
  if (inProgress) parts.push(`${inProgress} in progress`);
  if (finished.length) {
    const average = finished.reduce((sum, r) => sum + r.grade.percent, 0) / finished.length;
    parts.push(`average grade ${num(average)}%`);
  }
  const judged = rows.filter((r) => r.passed !== null);
  if (judged.length) parts.push(`${judged.filter((r) => r.passed).length} of ${judged.length} passed`);
  parts.push(`the grade is ${METHODS[method] || method}`);
  return parts.join(" · ");
}

function renderQuestions(stats) {
  const body = byId("questions-table").tBodies[0];
  if (!stats.length) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "empty" }, "This exam has no questions yet.")));
    return;
  }
  body.replaceChildren(...stats.map((q, index) => el("tr", {},
    el("th", { scope: "row" }, String(index + 1),
      q.from_bank ? el("span", { class: "meta" }, " (question bank)") : null),
    showContent(el("td", { class: "question-cell", dir: "auto" }), q.html),
    el("td", { class: "num" }, String(q.seen)),
    el("td", { class: "num" }, String(q.answered)),
    el("td", { class: "num" }, q.percent_correct === null ? "—" : `${num(q.percent_correct)}%`),
    el("td", {}, q.most_chosen_wrong?.text
      ? `${q.most_chosen_wrong.text} (${plural(q.most_chosen_wrong.count, "time")})` : "—"))));
}

function fillAuditFilter() {
  const chosen = auditFilter.value;
  auditFilter.replaceChildren(el("option", { value: "" }, "The whole exam"),
    ...students.flatMap((s) => s.attempts.map((a) => el("option", { value: String(a.attempt_id) },
      `${s.name}'s attempt ${a.attempt}`))));
  if ([...auditFilter.options].some((o) => o.value === chosen)) auditFilter.value = chosen;
}

async function loadMarks() {
  const [data, violations] = await Promise.all([
    api(`/api/exams/${examId}/marks`), api(`/api/exams/${examId}/violation-counts`)]);
  students = data.students.map((row) => ({ ...row, violations: violations.attempts[row.attempt_id] || {} }));
  table.setRows(students);
  byId("marks-summary").textContent = summary(students, data.questions.length, data.grading_method);
  byId("histogram").replaceChildren(histogram(data.histogram));
  renderQuestions(data.questions);
  fillAuditFilter();
  return data;
}

// --- audit --------------------------------------------------------------------------------------

function actorName(entry) {
  if (entry.actor === null || entry.actor === undefined) return "The system";
  return entry.actor_name || `User ${entry.actor}`;
}

function valueText(value) {
  const shown = value === null || value === "" ? "none" : isMoment(value) ? when(value)
    : typeof value === "string" ? value : JSON.stringify(value);
  return shown.length > 120 ? `${shown.slice(0, 119)}…` : shown;
}

/** A change the server recorded as { from, to }: "old → new". */
const isChange = (value) => value !== null && typeof value === "object" && "from" in value && "to" in value
  && Object.keys(value).length === 2;

function dataText(data) {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data).filter(([, value]) => value !== null && value !== "").map(([key, value]) => {
    const shown = isChange(value) ? `${valueText(value.from)} → ${valueText(value.to)}` : valueText(value);
    return `${key.replace(/_/g, " ")}: ${shown}`;
  }).join(" · ");
}

async function loadAudit() {
  const attemptId = auditFilter.value;
  const list = byId("audit-list");
  auditMsg.say("Loading the audit trail…");
  try {
    const query = attemptId ? `?attempt_id=${encodeURIComponent(attemptId)}` : "";
    const { entries } = await api(`/api/exams/${examId}/audit${query}`);
    const newestFirst = [...entries].sort((a, b) => b.id - a.id);
    list.replaceChildren(...newestFirst.map((entry) => el("li", {},
      el("div", { class: "audit-head" },
        el("time", { datetime: entry.at }, when(entry.at)),
        el("strong", {}, entry.action.replace(/[._]/g, " ")),
        el("span", { class: "meta" }, `by ${actorName(entry)} · ${entry.target} · from ${entry.origin || "?"}`)),
      entry.data && Object.keys(entry.data).length ? el("div", { class: "meta audit-data", dir: "auto" }, dataText(entry.data)) : null)));
    const scope = attemptId ? auditFilter.selectedOptions[0].textContent : "the whole exam";
    auditMsg.say(entries.length ? `${plural(entries.length, "entry", "entries")} for ${scope}, newest first.`
      : `Nothing recorded yet for ${scope}.`);
  } catch (error) {
    list.replaceChildren();
    auditMsg.fail(`Could not load the audit trail: ${error.message}`);
  }
}

auditFilter.addEventListener("change", loadAudit);
byId("audit-form").addEventListener("submit", (event) => { event.preventDefault(); loadAudit(); });

byId("csv-button").addEventListener("click", (event) => {
  busy(event.currentTarget, "Preparing…", async () => {
    const name = await download(`/api/exams/${examId}/marks.csv`, `exam-${examId}-marks.csv`);
    studentsMsg.say(`Downloaded ${name}.`);
  }).catch((error) => studentsMsg.fail(error.message));
});

try {
  start();
  if (!examId) throw new Error("No exam was chosen. Go back to the exam list and press Marks on an exam.");
  fillNav(examId, "Marks");
  const exam = await api(`/api/exams/${examId}`);
  byId("page-title").textContent = `Marks: “${exam.title}”`;
  document.title = `Marks of ${exam.title} · ${document.title.split(" · ").pop()}`;
  cameraUsed = (await api(`/api/exams/${examId}/camera/settings`)).policy !== "off";
  await loadMarks();
  byId("marks-body").hidden = false;
  page.clear();
  await loadAudit();
} catch (error) {
  if (examId) fillNav(examId, "Marks");
  page.fail(`Could not load the marks: ${error.message}`);
}
