// The review after the exam: the queue of an exam's attempts (those most needing a look first, with filters), and
// for the open attempt its flags, each dismissed with why or confirmed, and its review status with a reason.
import { busy, byId, el, messenger } from "../authoring/dom.js";
import { examIdFromQuery, when, zoneName } from "../authoring/format.js";
import { download } from "../authoring/http.js";
import { fillNav } from "../authoring/nav.js";
import { violationWords } from "../dashboard/wording.js";
import { flagChart } from "../review/flag-chart.js";
import { timeline } from "../review/timeline.js";
import { DECISION_WORDS, STATUS_WORDS, endedWords } from "../review/words.js";
import { api, navigate, start } from "../session.js";

const examId = examIdFromQuery();
const page = messenger("review-status", "review-alert");
const attemptMsg = messenger("attempt-result", "attempt-alert");
const FLAG_TYPES = ["tab_hidden", "window_blur", "page_reloaded", "fullscreen_exit", "copy", "paste", "context_menu",
  "devtools_shortcut", "multiple_screens", "network_lost", "no_face", "multiple_faces", "camera_unavailable",
  "screen_share_stopped"];
let rows = [];
let openId = null;

function flagsText(row) {
  const kinds = Object.entries(row.flags).map(([kind, n]) => `${violationWords(kind)} ×${n}`);
  return kinds.length ? kinds.join(", ") : "None";
}

function awayWords(seconds) {
  const minutes = Math.floor(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function queueRow(row) {
  const open = el("button", { type: "button", class: "secondary small", "data-attempt": String(row.attempt_id),
    "aria-label": `Review ${row.name}, attempt ${row.number}`, onclick: () => openAttempt(row.attempt_id) }, "Review");
  return el("tr", { "data-attempt": String(row.attempt_id) },
    el("th", { scope: "row", dir: "auto" }, row.name, el("span", { class: "meta" }, ` · attempt ${row.number}`)),
    el("td", {}, flagsText(row), row.undecided_flags ? el("div", { class: "meta" },
      `${row.undecided_flags} not decided`) : null,
      row.away_seconds >= 60 ? el("div", { class: "meta" }, `Away from the exam page ${awayWords(row.away_seconds)}`)
        : null),
    el("td", {}, endedWords(row.status)),
    el("td", {}, el("span", { class: `badge review-${row.review.status}` }, STATUS_WORDS[row.review.status])),
    el("td", {}, open));
}

async function loadQueue() {
  const query = new URLSearchParams({ status: byId("filter-status").value, kind: byId("filter-kind").value,
    flagged: byId("filter-flagged").checked ? "1" : "" });
  const answer = await api(`/api/exams/${examId}/review/queue?${query}`);
  rows = answer.attempts;
  byId("queue-table").tBodies[0].replaceChildren(...(rows.length ? rows.map(queueRow)
    : [el("tr", {}, el("td", { colspan: "5" }, "No attempt matches these filters."))]));
  page.say(`${rows.length} ${rows.length === 1 ? "attempt" : "attempts"} shown.`);
  return answer;
}

function flagItem(flag) {
  const id = `flag-${flag.event_id}`;
  const decided = flag.decision;
  const radios = ["dismissed", "confirmed"].map((value) => el("label", { class: "check" },
    el("input", { type: "radio", name: `${id}-decision`, value, checked: decided?.decision === value }),
    ` ${DECISION_WORDS[value]}`));
  const reason = el("input", { type: "text", id: `${id}-reason`, maxlength: "2000", value: decided?.reason ?? "" });
  const state = el("p", { class: "meta", id: `${id}-state` }, decided
    ? `${decided.words} by ${decided.reviewer ?? "a reviewer"}, ${when(decided.decided_at)}${decided.reason
      ? `: ${decided.reason}` : ""}` : "Not decided yet.");
  const save = el("button", { type: "submit", class: "secondary small" }, "Save");
  const form = el("form", { class: "flag-form", novalidate: true },
    el("fieldset", {}, el("legend", {}, `${violationWords(flag.type)} at ${when(flag.at)}`), ...radios),
    el("label", { for: `${id}-reason` }, "Why (needed to dismiss)"), reason, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const decision = form.querySelector("input[type=radio]:checked")?.value;
    if (!decision) { attemptMsg.fail("Choose dismissed or confirmed first."); return; }
    busy(save, "Saving…", async () => {
      const saved = await api(`/api/exams/${examId}/review/attempts/${openId}/flags/${flag.event_id}`,
        { method: "PUT", body: { decision, reason: reason.value } });
      state.textContent = `${saved.words} by ${saved.reviewer ?? "you"}, ${when(saved.decided_at)}${saved.reason
        ? `: ${saved.reason}` : ""}`;
      attemptMsg.say(`The flag “${violationWords(flag.type)}” is ${saved.words.toLowerCase()}.`);
      await loadQueue();
    }).catch((error) => { attemptMsg.fail(error.message); reason.focus(); });
  });
  return el("li", { id }, form, state);
}

async function openAttempt(attemptId) {
  openId = attemptId;
  const report = await api(`/api/exams/${examId}/review/attempts/${attemptId}`);
  attemptMsg.clear();
  byId("attempt-title").textContent = `${report.student.name}, attempt ${report.attempt.number}`;
  byId("attempt-meta").textContent = `${endedWords(report.attempt.status)}. Started ${when(report.attempt.started_at)}`
    + `, ended ${when(report.attempt.finished_at)} (times in ${zoneName()}). ${report.flags.length} flags.`;
  const drawn = timeline(examId, report);
  byId("timeline").replaceChildren(drawn.figure);
  byId("timeline-table").replaceChildren(drawn.table);
  byId("flag-list").replaceChildren(...(report.flags.length ? report.flags.map(flagItem)
    : [el("li", {}, "This attempt has no flags.")]));
  for (const radio of document.getElementsByName("status")) radio.checked = radio.value === report.review.status;
  byId("status-reason").value = report.review.reason ?? "";
  byId("attempt-panel").hidden = false;
  byId("attempt-title").focus();
}

byId("status-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const status = new FormData(event.currentTarget).get("status");
  const button = event.currentTarget.querySelector("button[type=submit]");
  busy(button, "Saving…", async () => {
    const saved = await api(`/api/exams/${examId}/review/attempts/${openId}/status`,
      { method: "PUT", body: { status, reason: byId("status-reason").value } });
    await loadQueue();
    attemptMsg.say(`Saved: ${saved.words}, by ${saved.reviewer ?? "you"} at ${when(saved.reviewed_at)}.`);
  }).catch((error) => { attemptMsg.fail(error.message); byId("status-reason").focus(); });
});

byId("next-attempt").addEventListener("click", () => {
  const at = rows.findIndex((row) => row.attempt_id === openId);
  const next = rows[at + 1] ?? rows.find((row) => row.attempt_id !== openId);
  if (next) openAttempt(next.attempt_id).catch((error) => attemptMsg.fail(error.message));
  else attemptMsg.say("This is the only attempt shown.");
});

byId("open-report").addEventListener("click", () => navigate(`/proctor/report?exam=${examId}&attempt=${openId}`));

byId("queue-filters").addEventListener("change", () => loadQueue().catch((error) => page.fail(error.message)));
byId("queue-filters").addEventListener("submit", (event) => event.preventDefault());

byId("csv-button").addEventListener("click", (event) => {
  busy(event.currentTarget, "Preparing…", async () => {
    const name = await download(`/api/exams/${examId}/review/statuses.csv`, `exam-${examId}-review-statuses.csv`);
    page.say(`Downloaded ${name}.`);
  }).catch((error) => page.fail(error.message));
});

try {
  start();
  if (!examId) throw new Error("No exam was chosen. Open the review from the exam's pages.");
  const me = await api("/api/session");
  if (me.roles.includes("test_maker")) fillNav(examId, "Review");
  else byId("page-nav").hidden = true;
  byId("filter-kind").append(...FLAG_TYPES.map((kind) => el("option", { value: kind }, violationWords(kind))));
  const answer = await loadQueue();
  const chart = flagChart(await api(`/api/exams/${examId}/review/flags-by-minute`));
  byId("flag-chart").replaceChildren(chart.figure);
  if (chart.table) {
    byId("flag-chart-table").replaceChildren(chart.table);
    byId("flag-chart-table").hidden = false;
  }
  byId("page-title").textContent = `Review: “${answer.exam.title}”`;
  byId("review-body").hidden = false;
} catch (error) {
  page.fail(`Could not load the review: ${error.message}`);
}
