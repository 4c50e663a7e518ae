// The whole exam, at the top of the page: announce to every student, give everyone more time, close the
// exam now, and its irregularity report.
import { byId, confirmInline, messenger } from "../authoring/dom.js";
import { plural, when } from "../authoring/format.js";
import { download } from "../authoring/http.js";

export function examControls({ examId, room, send, resync }) {
  const result = messenger("controls-result", "controls-alert");

  async function act(button, message, done) {
    result.say("Sending…");
    button.disabled = true;
    try {
      result.say(done(await send(message)));
      return true;
    } catch (error) {
      result.fail(error.kind === "refused" ? `The server refused: ${error.message}` : error.message);
      return false;
    } finally {
      button.disabled = false;
    }
  }

  function minutesFrom(field) {
    const minutes = Number(field.value);
    const valid = Number.isInteger(minutes) && minutes >= 1 && minutes <= 600;
    if (valid) field.removeAttribute("aria-invalid");
    else {
      field.setAttribute("aria-invalid", "true");
      result.fail("Give a whole number of minutes from 1 to 600.");
      field.focus();
    }
    return valid ? minutes : null;
  }

  byId("announce-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = byId("announce-text");
    if (!text.value.trim()) {
      text.setAttribute("aria-invalid", "true");
      result.fail("Write the announcement first.");
      text.focus();
      return;
    }
    text.removeAttribute("aria-invalid");
    const sent = await act(event.submitter, { type: "announce", text: text.value.trim() },
      () => "Announcement sent to every student taking the exam.");
    if (sent) text.value = "";
  });

  byId("extend-exam-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    const minutes = minutesFrom(byId("extend-exam-minutes"));
    if (minutes === null) return;
    result.clear();
    const open = room.counts().open;
    const sure = await confirmInline(byId("extend-exam-confirm"), {
      question: `Give everyone ${plural(minutes, "more minute")}? The deadlines of the ${plural(open, "open attempt")} `
        + "and the close of the exam's window move by that much.",
      confirm: `Add ${plural(minutes, "minute")}`, danger: false,
    });
    if (!sure) return button.focus();
    const extended = await act(button, { type: "extend_exam", minutes },
      (ack) => `Everyone has ${plural(minutes, "more minute")}: ${plural(ack.attempts_extended, "attempt")} extended.`);
    if (extended) resync(); // the roster carries the window's new close
  });

  byId("close-exam").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    result.clear();
    const open = room.counts().open;
    const sure = await confirmInline(byId("close-exam-confirm"), {
      question: `Close the exam now? ${open ? `${plural(open, "open attempt")} will be finalized and graded with `
        + "the answers saved so far" : "No attempt is open"}, and nobody can start it any more. This cannot be undone.`,
      confirm: "Close the exam now", cancel: "Keep it open",
    });
    if (!sure) return button.focus();
    const closed = await act(button, { type: "close_exam" },
      (ack) => `The exam is closed; ${plural(ack.attempts_ended, "attempt")} finalized. The room below now shows `
        + "the final statuses; open a student for their timeline.");
    if (closed) {
      room.exam.closed = true;
      update();
      byId("controls-title").focus();
    }
  });

  byId("csv-button").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      result.say(`Downloaded ${await download(`/api/exams/${examId}/irregularities.csv`,
        `exam-${examId}-irregularities.csv`)}.`);
    } catch (error) {
      result.fail(`Could not download the report: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });

  function update() {
    const exam = room.exam;
    if (!exam) return;
    // An open attempt means the exam is still on, whatever this page last heard of the window.
    const over = exam.closed || (exam.closes_at && Date.parse(exam.closes_at) <= room.now() && !room.counts().open);
    byId("live-controls").hidden = Boolean(over);
    byId("exam-over").hidden = !over;
    byId("exam-over-why").textContent = exam.closed ? "This exam has been closed."
      : `This exam's window closed at ${when(exam.closes_at)}.`;
    byId("exam-window").textContent = exam.closes_at && !over ? `Closes ${when(exam.closes_at)}.` : "";
  }

  return { update };
}
