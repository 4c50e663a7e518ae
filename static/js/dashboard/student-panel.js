// One student, in a dialog opened from their row: what the room knows, the attempt's timeline (with its camera
// and screen stills), and the
// proctor's actions on it (warn, pause or resume, extra minutes, force close, notes), each with the server's
// answer shown beside it.
import { byId, confirmInline, el, messenger } from "../authoring/dom.js";
import { statusText } from "../authoring/format.js";
import { t, tn } from "../i18n.js";
import { api } from "../session.js";
import { OPEN } from "./roster.js";
import { violationChips } from "./table.js";
import { timelineStills } from "./timeline-stills.js";
import { clockText, eventText, PRESENCE, timeOfDay } from "./wording.js";

const TIMELINE_DELAY_MS = 400;
const SWAPPING = new Set(["pause-form", "resume-form"]);

export function studentPanel({ examId, room, send }) {
  const dialog = byId("student-panel");
  const results = Object.fromEntries(["warn", "pause", "resume", "extend", "terminate", "note"].map(
    (name) => [name, messenger(`${name}-result`, `${name}-alert`)]));
  const timelineMsg = messenger("timeline-status", "timeline-alert");
  let userId = null;
  let opener = null;
  let timelineTimer = null;
  let shownViolations = null;
  let focusFrom = null; // the Pause or Resume form pressed with the keyboard's focus in it
  const stillLines = timelineStills(examId);

  const current = () => room.rows.get(userId);
  // A sentence about the student in two forms: with their name, or, while it is not known yet, without it.
  const aboutStudent = (named, unnamed) => {
    const name = current()?.name;
    return name ? named(name) : unnamed();
  };

  // Rewritten only when they change: the panel follows the room every second.
  function setText(id, text) {
    const node = byId(id);
    if (node.textContent !== text) node.textContent = text;
  }

  function update() {
    const row = current();
    if (!row) return;
    setText("panel-title", row.name || t("Student"));
    setText("panel-email", row.email || "");
    setText("panel-status-badge", statusText(row.status));
    byId("panel-status-badge").className = `badge status-${row.status}`;
    const presence = room.presenceOf(row);
    byId("panel-presence-dot").className = `dot presence-${presence}`;
    setText("panel-presence", PRESENCE[presence] || presence);
    const left = room.timeLeft(row);
    setText("panel-time-left", left === null ? "—"
      : row.status === "paused" ? t("%(time)s (paused)", { time: clockText(left) }) : clockText(left));
    const violations = JSON.stringify(row.violations);
    if (shownViolations !== violations) {
      shownViolations = violations;
      byId("panel-violations").replaceChildren(...violationChips(row));
    }
    const open = OPEN.has(row.status);
    byId("panel-not-started").hidden = Boolean(row.attemptId);
    byId("panel-ended").hidden = !row.attemptId || open;
    byId("panel-ended-status").textContent = statusText(row.status);
    byId("panel-actions").hidden = !open;
    swapForms(byId("pause-form"), byId("resume-form"), row.status);
    byId("note-form").hidden = !row.attemptId;
    byId("timeline-section").hidden = !row.attemptId;
  }

  /** Pause or Resume, whichever the status allows. */
  function swapForms(pause, resume, status) {
    pause.hidden = status !== "in_progress";
    resume.hidden = status !== "paused";
    followFocus();
  }

  // Pressing Pause hides it (and Resume the other way round): the focus goes on to the form shown in its place,
  // whichever comes first, the acknowledgement or the new status. A pressed button is disabled while it sends,
  // which takes the focus from it, so the form is remembered at the press.
  function followFocus() {
    if (!focusFrom?.hidden) return;
    const shown = [byId("pause-form"), byId("resume-form")].find((form) => !form.hidden);
    if (shown && (document.activeElement === document.body || focusFrom.contains(document.activeElement))) {
      shown.querySelector("button").focus();
    }
    focusFrom = null;
  }

  async function loadTimeline() {
    const row = current();
    if (!row?.attemptId) return;
    const attemptId = row.attemptId;
    try {
      const { events, stills, pre_exam_check: check } = await api(
        `/api/exams/${examId}/attempts/${attemptId}/timeline`);
      if (current()?.attemptId !== attemptId) return;
      // What the pre-exam check saw before the clock started (proctor/prechecks.py), when the page ran one.
      byId("timeline-check").textContent = check
        ? t("%(summary)s (began %(began)s, the clock started %(started)s).",
          { summary: check.summary, began: timeOfDay(check.began_at), started: timeOfDay(check.ended_at) })
        : "";
      byId("timeline-check").hidden = !check;
      const lines = [...events.map((event) => [Date.parse(event.at), el("li", {},
        el("time", { datetime: event.at }, timeOfDay(event.at)), " ", ...eventWords(event, row))]),
      ...stillLines.lines(stills)];
      lines.sort(([a], [b]) => b - a);  // newest first; stable, so events keep their order
      byId("timeline").replaceChildren(...lines.map(([, line]) => line));
      const counted = tn("%(n)s event", "%(n)s events", events.length);
      const pictures = tn("%(n)s picture", "%(n)s pictures", stills.length);
      timelineMsg.say(!lines.length ? t("Nothing recorded yet.")
        : stills.length ? t("%(events)s, %(pictures)s, newest first.", { events: counted, pictures })
          : t("%(events)s, newest first.", { events: counted }));
    } catch (error) {
      timelineMsg.fail(t("Could not load the timeline: %(reason)s", { reason: error.message }));
    }
  }

  /** An event's words on the timeline, and who did it when that was someone else (a proctor), in a quieter style. */
  function eventWords(event, row) {
    const what = el("span", { class: `event-${event.kind}` }, eventText(event));
    if (!event.actor_user_id || event.actor_user_id === row.userId || !event.actor_name) return [what];
    // The sentence, with the event's words placed where the language puts them.
    const [before, after] = t("%(event)s by %(name)s", { name: event.actor_name }).split("%(event)s");
    return [before ? el("span", { class: "meta" }, before) : null, what,
      after ? el("span", { class: "meta" }, after) : null];
  }

  /** Run one command from a form; its ack becomes `done(ack)` words beside the form, a refusal an alert. */
  async function act(name, form, message, done) {
    const button = form.querySelector("button[type=submit]");
    if (SWAPPING.has(form.id) && form.contains(document.activeElement)) focusFrom = form;
    results[name].say(t("Sending…"));
    button.disabled = true;
    try {
      const ack = await send(message);
      results[name].say(done(ack));
      return true;
    } catch (error) {
      results[name].fail(error.kind === "refused" ? t("The server refused: %(reason)s", { reason: error.message })
        : error.message);
      return false;
    } finally {
      button.disabled = false;
      followFocus();
    }
  }

  function required(field, problem, name) {
    if (field.value.trim()) {
      field.removeAttribute("aria-invalid");
      return true;
    }
    field.setAttribute("aria-invalid", "true");
    results[name].fail(problem);
    field.focus();
    return false;
  }

  const warnPreset = byId("warn-preset");
  const warnCustom = byId("warn-custom");
  warnPreset.addEventListener("change", () => {
    byId("warn-custom-box").hidden = warnPreset.value !== "";
    if (warnPreset.value === "") warnCustom.focus();
  });
  byId("warn-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const custom = warnPreset.value === "";
    if (custom && !required(warnCustom, t("Write the warning first."), "warn")) return;
    const text = custom ? warnCustom.value.trim() : warnPreset.value;
    act("warn", event.currentTarget, { type: "warn", attempt_id: current().attemptId, text },
      () => aboutStudent(
        (name) => t("Warning sent to %(name)s. It stays on their screen until they acknowledge it.", { name }),
        () => t("Warning sent to this student. It stays on their screen until they acknowledge it.")))
      .then((sent) => { if (sent && custom) warnCustom.value = ""; });
  });

  byId("pause-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = byId("pause-reason").value.trim();
    act("pause", event.currentTarget, { type: "pause", attempt_id: current().attemptId, ...(reason && { reason }) },
      () => aboutStudent(
        (name) => t("%(name)s's exam is paused: their clock is stopped until you resume it.", { name }),
        () => t("This student's exam is paused: their clock is stopped until you resume it.")));
  });

  byId("resume-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act("resume", event.currentTarget, { type: "resume", attempt_id: current().attemptId },
      () => aboutStudent(
        (name) => t("%(name)s's exam is running again; the paused time was given back.", { name }),
        () => t("This student's exam is running again; the paused time was given back.")));
  });

  byId("extend-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = byId("extend-minutes");
    const minutes = Number(field.value);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 600) {
      field.setAttribute("aria-invalid", "true");
      results.extend.fail(t("Give a whole number of minutes from 1 to 600."));
      field.focus();
      return;
    }
    field.removeAttribute("aria-invalid");
    act("extend", event.currentTarget, { type: "extend", attempt_id: current().attemptId, minutes },
      () => aboutStudent(
        (name) => tn("%(name)s has %(n)s more minute.", "%(name)s has %(n)s more minutes.", minutes, { name }),
        () => tn("This student has %(n)s more minute.", "This student has %(n)s more minutes.", minutes)));
  });

  byId("terminate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const reason = byId("terminate-reason");
    if (!required(reason, t("Write the reason first: the student is shown it, and it goes on the record."),
      "terminate")) return;
    results.terminate.clear();
    const sure = await confirmInline(byId("terminate-confirm"), {
      question: aboutStudent(
        (name) => t("End %(name)s's attempt now? It is graded with the answers saved so far, and this cannot be "
          + "undone.", { name }),
        () => t("End this student's attempt now? It is graded with the answers saved so far, and this cannot be "
          + "undone.")),
      confirm: t("End the attempt"), cancel: t("Keep it running"),
    });
    if (!sure) {
      form.querySelector("button[type=submit]").focus();
      return;
    }
    const done = await act("terminate", form,
      { type: "terminate", attempt_id: current().attemptId, reason: reason.value.trim() },
      () => aboutStudent((name) => t("%(name)s's attempt has ended and is being graded.", { name }),
        () => t("This student's attempt has ended and is being graded.")));
    if (done) reason.value = "";
    byId("panel-title").focus();
  });

  byId("note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId("note-text");
    if (!required(text, t("Write the note first."), "note")) return;
    act("note", event.currentTarget, { type: "note", attempt_id: current().attemptId, text: text.value.trim() },
      () => t("Note saved to the record.")).then((saved) => { if (saved) text.value = ""; });
  });

  byId("panel-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    clearTimeout(timelineTimer);
    stillLines.clear();
    userId = null;
    // The row may have left the page on view while the dialog was open.
    (opener?.isConnected ? opener : byId("students-title")).focus();
  });

  return {
    open(id) {
      userId = id;
      shownViolations = null;
      opener = document.activeElement;
      for (const result of [...Object.values(results), timelineMsg]) result.clear();
      for (const field of dialog.querySelectorAll("textarea, input[type=text]")) field.value = "";
      byId("timeline").replaceChildren();
      dialog.querySelector(".confirm")?.remove();
      update();
      if (!dialog.open) dialog.showModal();
      byId("panel-title").focus();
      timelineMsg.say(t("Loading the timeline…"));
      loadTimeline();
    },
    /** The room changed: follow this student's row, and their timeline after news of them or a new roster. */
    changed({ rows, news, reloaded }) {
      if (userId === null) return;
      if (rows.some((r) => r.userId === userId)) update();
      const row = current();
      if (row && (reloaded || news.some((n) => n.row === row))) {
        clearTimeout(timelineTimer);
        timelineTimer = setTimeout(loadTimeline, TIMELINE_DELAY_MS);
      }
    },
    tick() {
      if (userId !== null) update();
    },
  };
}
