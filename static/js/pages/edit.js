// Editing one exam, one section at a time: settings, questions (with import and export), camera and proctoring,
// people and extra time, and closing it now. Each section is a module of ../authoring/.
import { byId, el, messenger } from "../authoring/dom.js";
import { exam, examId, reload } from "../authoring/edited-exam.js";
import { closeNow } from "../authoring/close-now.js";
import { extraTime } from "../authoring/extra-time.js";
import { plural, zoneName } from "../authoring/format.js";
import { fillNav } from "../authoring/nav.js";
import { proctoringForm } from "../authoring/proctoring-form.js";
import { proctorsForm } from "../authoring/proctors-form.js";
import { publishingControls, stateBadge } from "../authoring/publishing.js";
import { questionCopy } from "../authoring/question-copy.js";
import { questionImport } from "../authoring/question-import.js";
import { questionList, renderQuestions } from "../authoring/question-list.js";
import { randomDraws } from "../authoring/random-draws.js";
import { sectionTabs } from "../authoring/section-tabs.js";
import { settingsForm } from "../authoring/settings-form.js";
import { start } from "../session.js";

const page = messenger("edit-status", "edit-alert");

function showTitle() {
  byId("page-title").textContent = `Edit “${exam.title}”`;
  document.title = `Edit ${exam.title} · ${document.title.split(" · ").pop()}`;
  byId("publish-state").replaceChildren(
    el("p", { class: "meta" }, "This exam is ", stateBadge(exam),
      exam.published ? ": its students can open it." : ": students cannot see it until you publish it."),
    publishingControls(exam, { onChange: published, onError: (error) => page.fail(error.message) }));
}

async function published(changed) {
  await reload();
  showTitle();
  page.say(changed.published ? "Published: students can open the exam." : "Back to draft: students cannot see it.");
}

byId("zone-name").textContent = zoneName();
try {
  start();
  if (!examId) throw new Error("No exam was chosen. Go back to the exam list and press Edit on an exam.");
  fillNav(examId, "Edit");
  await reload();
  showTitle();
  settingsForm({ onSaved: showTitle });
  await proctoringForm();
  await proctorsForm();
  byId("locked-notice").hidden = !exam.has_attempts;
  randomDraws();
  questionList();
  questionImport({
    api: `/api/exams/${examId}`, locked: exam.has_attempts, fileName: `exam-${examId}-questions`,
    after: async (count) => {
      await reload();
      renderQuestions();
      byId("questions-title").focus();
      return `Imported ${plural(count, "question")}. The exam now has ${plural(exam.question_list.length, "question")}.`;
    },
  });
  questionCopy({
    api: `/api/exams/${examId}`, withBank: true, locked: exam.has_attempts,
    after: async (copied, title) => {
      await reload();
      renderQuestions();
      byId("questions-title").focus();
      return `${plural(copied, "question")} copied from “${title}”: this exam now has `
        + `${plural(exam.question_list.length, "question")}.`;
    },
  });
  closeNow();
  sectionTabs(byId("edit-sections"));
  byId("edit-body").hidden = false;
  page.clear();
  await extraTime();
} catch (error) {
  if (examId) fillNav(examId, "Edit");
  page.fail(`Could not load the exam: ${error.message}`);
}
