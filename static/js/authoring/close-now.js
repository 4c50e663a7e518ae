// The edit page's Close the exam: ends every attempt in progress now, after a confirmation. Kept in its own section,
// away from the everyday settings.
import { api } from "../session.js";
import { byId, confirmInline, messenger } from "./dom.js";
import { exam, examId, reload } from "./edited-exam.js";
import { plural } from "./format.js";

const button = byId("close-button");
const msg = messenger("close-status", "close-alert");

function showClosed() {
  byId("closed-notice").hidden = !exam.closed;
  button.disabled = exam.closed;
  if (exam.closed) button.textContent = "The exam is closed";
}

export function closeNow() {
  showClosed();
  button.addEventListener("click", async () => {
    button.disabled = true;
    const yes = await confirmInline(byId("close-host"), {
      question: `Close “${exam.title}” now? Every attempt in progress ends and is graded; this cannot be undone.`,
      confirm: "Close the exam",
    });
    if (!yes) { button.disabled = false; button.focus(); return; }
    try {
      const { attempts_ended: ended } = await api(`/api/exams/${examId}/close`, { method: "POST" });
      await reload();
      showClosed();
      msg.say(`The exam is closed. ${ended ? `${plural(ended, "attempt")} in progress ended and will be graded.`
        : "No attempt was in progress."}`);
      byId("close-title").focus();
    } catch (error) {
      button.disabled = false;
      msg.fail(error.message);
    }
  });
}
