// One student, in a dialog opened from their row: what the room knows, the attempt's timeline (with its camera
// and screen stills), and the
// proctor's actions on it (warn, pause or resume, extra minutes, force close, notes), each with the server's
// answer shown beside it.
import { byId, confirmInline, el, messenger } from "../authoring/dom.js";
import { plural, statusText } from "../authoring/format.js";
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
  const who = () => current()?.name || "this student";

  // Rewritten only when they change: the panel follows the room every second.
  function setText(id, text) {
    const node = byId(id);
    if (node.textContent !== text) node.textContent = text;
  }

  function update() {
    const row = current();
    if (!row) return;
    setText("panel-title", row.name || "Student");
    setText("panel-email", row.email || "");
    setText("panel-status-badge", statusText(row.status));
    byId("panel-status-badge").className = `badge status-${row.status}`;
    const presence = room.presenceOf(row);
    byId("panel-presence-dot").className = `dot presence-${presence}`;
    setText("panel-presence", PRESENCE[presence] || presence);
    const left = room.timeLeft(row);
    setText("panel-time-left", left === null ? "—" : `${clockText(left)}${row.status === "paused" ? " (paused)" : ""}`);
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
        ? `${check.summary} (began ${timeOfDay(check.began_at)}, the clock started ${timeOfDay(check.ended_at)}).` : "";
      byId("timeline-check").hidden = !check;
      const lines = [...events.map((event) => [Date.parse(event.at), el("li", {},
        el("time", { datetime: event.at }, timeOfDay(event.at)), " ",
        el("span", { class: `event-${event.kind}` }, eventText(event)),
        event.actor_user_id && event.actor_user_id !== row.userId && event.actor_name
          ? el("span", { class: "meta" }, ` by ${event.actor_name}`) : null)]), ...stillLines.lines(stills)];
      lines.sort(([a], [b]) => b - a);  // newest first; stable, so events keep their order
      byId("timeline").replaceChildren(...lines.map(([, line]) => line));
      const pictures = stills.length ? `, ${plural(stills.length, "picture")}` : "";
      timelineMsg.say(lines.length ? `${plural(events.length, "event")}${pictures}, newest first.`
        : "Nothing recorded yet.");
    } catch (error) {
      timelineMsg.fail(`Could not load the timeline: ${error.message}`);
    }
  }

  /** Run one command from a form; its ack becomes `done(ack)` words beside the form, a refusal an alert. */
  async function act(name, form, message, done) {
    const button = form.querySelector("button[type=submit]");
    if (SWAPPING.has(form.id) && form.contains(document.activeElement)) focusFrom = form;
    results[name].say("Sending…");
    button.disabled = true;
    try {
      const ack = await send(message);
      results[name].say(done(ack));
      return true;
    } catch (error) {
      results[name].fail(error.kind === "refused" ? `The server refused: ${error.message}` : error.message);
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
    if (custom && !required(warnCustom, "Write the warning first.", "warn")) return;
    const text = custom ? warnCustom.value.trim() : warnPreset.value;
    act("warn", event.currentTarget, { type: "warn", attempt_id: current().attemptId, text },
      () => `Warning sent to ${who()}. It stays on their screen until they acknowledge it.`)
      .then((sent) => { if (sent && custom) warnCustom.value = ""; });
  });

  byId("pause-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = byId("pause-reason").value.trim();
    act("pause", event.currentTarget, { type: "pause", attempt_id: current().attemptId, ...(reason && { reason }) },
      () => `${who()}'s exam is paused: their clock is stopped until you resume it.`);
  });

  byId("resume-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act("resume", event.currentTarget, { type: "resume", attempt_id: current().attemptId },
      () => `${who()}'s exam is running again; the paused time was given back.`);
  });

  byId("extend-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = byId("extend-minutes");
    const minutes = Number(field.value);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 600) {
      field.setAttribute("aria-invalid", "true");
      results.extend.fail("Give a whole number of minutes from 1 to 600.");
      field.focus();
      return;
    }
    field.removeAttribute("aria-invalid");
    act("extend", event.currentTarget, { type: "extend", attempt_id: current().attemptId, minutes },
      () => `${who()} has ${plural(minutes, "more minute")}.`);
  });

  byId("terminate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const reason = byId("terminate-reason");
    if (!required(reason, "Write the reason first: the student is shown it, and it goes on the record.",
      "terminate")) return;
    results.terminate.clear();
    const sure = await confirmInline(byId("terminate-confirm"), {
      question: `End ${who()}'s attempt now? It is graded with the answers saved so far, and this cannot be undone.`,
      confirm: "End the attempt", cancel: "Keep it running",
    });
    if (!sure) {
      form.querySelector("button[type=submit]").focus();
      return;
    }
    const done = await act("terminate", form,
      { type: "terminate", attempt_id: current().attemptId, reason: reason.value.trim() },
      () => `${who()}'s attempt has ended and is being graded.`);
    if (done) reason.value = "";
    byId("panel-title").focus();
  });

  byId("note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId("note-text");
    if (!required(text, "Write the note first.", "note")) return;
    act("note", event.currentTarget, { type: "note", attempt_id: current().attemptId, text: text.value.trim() },
      () => "Note saved to the record.").then((saved) => { if (saved) text.value = ""; });
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
      timelineMsg.say("Loading the timeline…");
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
