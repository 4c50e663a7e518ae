// The whole exam, at the top of the page: announce to every student, give everyone more time, close the
// exam now, its irregularity report, and the way to the review of its flags.
import { byId, confirmInline, messenger } from "../authoring/dom.js";
import { download } from "../authoring/http.js";
import { pages } from "../authoring/nav.js";
import { t, tn, zonedMoment } from "../i18n.js";
import { navigate } from "../session.js";

export function examControls({ examId, room, send, resync }) {
  const result = messenger("controls-result", "controls-alert");

  async function act(button, message, done) {
    result.say(t("Sending…"));
    button.disabled = true;
    try {
      result.say(done(await send(message)));
      return true;
    } catch (error) {
      // The server's reason as it wrote it; the socket's own reasons are already in the page's language.
      result.fail(error.kind === "refused" ? t("The server refused: %(reason)s", { reason: error.message })
        : error.message);
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
      result.fail(t("Give a whole number of minutes from 1 to 600."));
      field.focus();
    }
    return valid ? minutes : null;
  }

  byId("announce-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = byId("announce-text");
    if (!text.value.trim()) {
      text.setAttribute("aria-invalid", "true");
      result.fail(t("Write the announcement first."));
      text.focus();
      return;
    }
    text.removeAttribute("aria-invalid");
    const sent = await act(event.submitter, { type: "announce", text: text.value.trim() },
      () => t("Announcement sent to every student taking the exam."));
    if (sent) text.value = "";
  });

  byId("extend-exam-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    const minutes = minutesFrom(byId("extend-exam-minutes"));
    if (minutes === null) return;
    result.clear();
    const open = room.counts().open;
    const give = tn("Give everyone %(n)s more minute?", "Give everyone %(n)s more minutes?", minutes);
    const moved = tn("The deadlines of the %(n)s open attempt and the close of the exam's window move by that much.",
      "The deadlines of the %(n)s open attempts and the close of the exam's window move by that much.", open);
    const sure = await confirmInline(byId("extend-exam-confirm"), {
      question: `${give} ${moved}`,
      confirm: tn("Add %(n)s minute", "Add %(n)s minutes", minutes), cancel: t("Cancel"), danger: false,
    });
    if (!sure) return button.focus();
    const extended = await act(button, { type: "extend_exam", minutes }, (ack) => {
      const attempts = tn("%(n)s attempt extended.", "%(n)s attempts extended.", ack.attempts_extended);
      return tn("Everyone has %(n)s more minute: %(attempts)s", "Everyone has %(n)s more minutes: %(attempts)s",
        minutes, { attempts });
    });
    if (extended) resync(); // the roster carries the window's new close
  });

  byId("close-exam").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    result.clear();
    const open = room.counts().open;
    const sure = await confirmInline(byId("close-exam-confirm"), {
      question: open
        ? tn("Close the exam now? %(n)s open attempt will be finalized and graded with the answers saved so far, "
          + "and nobody can start it any more. This cannot be undone.",
        "Close the exam now? %(n)s open attempts will be finalized and graded with the answers saved so far, "
          + "and nobody can start it any more. This cannot be undone.", open)
        : t("Close the exam now? No attempt is open, and nobody can start it any more. This cannot be undone."),
      confirm: t("Close the exam now"), cancel: t("Keep it open"),
    });
    if (!sure) return button.focus();
    const closed = await act(button, { type: "close_exam" },
      (ack) => tn("The exam is closed; %(n)s attempt finalized. The room below now shows the final statuses; "
        + "open a student for their timeline.", "The exam is closed; %(n)s attempts finalized. The room below now "
        + "shows the final statuses; open a student for their timeline.", ack.attempts_ended));
    if (closed) {
      room.exam.closed = true;
      update();
      byId("controls-title").focus();
    }
  });

  byId("review-button").addEventListener("click", () => navigate(pages.review(examId)));

  byId("csv-button").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const file = await download(`/api/exams/${examId}/irregularities.csv`, `exam-${examId}-irregularities.csv`);
      result.say(t("Downloaded %(file)s.", { file }));
    } catch (error) {
      result.fail(t("Could not download the report: %(reason)s", { reason: error.message }));
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
    if (over) {
      byId("exam-over-why").textContent = exam.closed ? t("This exam has been closed.")
        : t("This exam's window closed at %(moment)s.", { moment: zonedMoment(exam.closes_at) });
    }
    byId("exam-window").textContent = exam.closes_at && !over
      ? t("Closes %(moment)s.", { moment: zonedMoment(exam.closes_at) }) : "";
  }

  return { update };
}
