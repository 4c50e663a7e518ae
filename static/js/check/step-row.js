// One row of the pre-exam check: its state in words (waiting, passed, needs action, advice, skipped), what to do,
// and how long the student spent on it, for the check's record.
import { t } from "../i18n.js";

const WORDS = {
  waiting: t("Waiting"), passed: t("Passed"), action: t("Needs action"), advice: t("Advice"), skipped: t("Skipped"),
};

export class StepRow {
  /**
   * @param {string} name  the step (frame, consent, camera, faces, screen, fullscreen): its row is #check-NAME
   * @param {(text: string) => void} announce  said politely to screen readers
   */
  constructor(name, announce) {
    this.name = name;
    this.element = document.getElementById(`check-${name}`);
    this.announce = announce;
    this.state = "waiting";
    this.outcome = null; // what the record says: passed, failed, declined or skipped
    this.detail = "";
    this.extra = {};
    this.began = null;
    this.seconds = 0;
  }

  button(action) {
    return this.element.querySelector(`[data-action="${action}"]`);
  }

  show() {
    this.element.hidden = false;
    this.began ??= performance.now();
    this.set("waiting", t("Comes after the steps above."));
  }

  /**
   * @param {string} state  waiting, passed, action, advice or skipped
   * @param {string} text  what was found
   * @param {object} [options]
   * @param {string} [options.todo]  exactly what to do about it
   * @param {string} [options.outcome]  for the record (passed, failed, declined, skipped)
   * @param {object} [options.extra]  for the record: faces, surface
   */
  set(state, text, { todo = "", outcome = null, extra = {} } = {}) {
    this.state = state;
    this.outcome = outcome;
    this.detail = text.slice(0, 200);
    this.extra = extra;
    if (outcome && this.began !== null) this.seconds = Math.round((performance.now() - this.began) / 100) / 10;
    this.element.dataset.state = state;
    // "Passed: Your camera works…": the state's word, then what was found.
    this.element.querySelector(".check-state").textContent = t("%(state)s: %(found)s",
      { state: WORDS[state], found: text });
    this.element.querySelector(".check-todo").textContent = todo;
    if (state !== "waiting") {
      this.announce(t("%(step)s: %(state)s. %(found)s",
        { step: this.element.querySelector("h3").textContent, state: WORDS[state], found: text }));
    }
  }

  record() {
    return { name: this.name, outcome: this.outcome ?? "failed", detail: this.detail, seconds: this.seconds,
      ...this.extra };
  }
}
