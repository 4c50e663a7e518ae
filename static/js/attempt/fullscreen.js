// The exam's "require full screen" setting on the student's page. The questions show only in full screen, which
// a button enters (browsers allow it only on a click); leaving it is reported and hides them until the student
// goes back. Where full screen cannot be had (the LMS frame does not allow it, or the browser refuses), the
// student may go on without it, and that is reported too.

import { t } from "../i18n.js";

const $ = (id) => document.getElementById(id);

const TEXT = {
  start: [t("This exam is taken in full screen"),
    t("The questions show in full screen only. Your proctor is told each time you leave it."),
    t("Enter full screen")],
  left: [t("You left full screen"),
    t("Your proctor has been told. The questions show again when you go back to full screen."),
    t("Go back to full screen")],
  unavailable: [t("Full screen is not available here"),
    t("This page is not allowed to use full screen, so you can take the exam without it. Your proctor is told."),
    null],
};

export class FullscreenGate {
  /**
   * @param {object} options
   * @param {(open: boolean) => void} options.onChange  whether the questions may show
   * @param {(detail: string) => void} options.onExit  report a fullscreen_exit
   */
  constructor({ onChange, onExit }) {
    this.onChange = onChange;
    this.onExit = onExit;
    this.active = false;
    this.changed = () => this.fullscreenChanged();
    $("fullscreen-enter").addEventListener("click", () => this.enter());
    $("fullscreen-skip").addEventListener("click", () => this.goWithout("Full screen was not available."));
  }

  start() {
    this.active = true;
    document.addEventListener("fullscreenchange", this.changed);
    if (document.fullscreenElement) this.onChange(true);
    else this.show(document.fullscreenEnabled ? "start" : "unavailable", { focus: false });
  }

  /** The attempt is over: leave full screen without reporting it. */
  stop() {
    this.active = false;
    document.removeEventListener("fullscreenchange", this.changed);
    $("fullscreen-gate").hidden = true;
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  }

  async enter() {
    $("fullscreen-error").hidden = true;
    try {
      await document.documentElement.requestFullscreen({ navigationUI: "hide" });
    } catch (error) {
      $("fullscreen-error").textContent = t("The browser did not enter full screen (%(error)s). Try again, "
        + "or continue without it; your proctor is told.", { error: error.message });
      $("fullscreen-error").hidden = false;
      $("fullscreen-skip").hidden = false;
    }
  }

  goWithout(detail) {
    this.onExit(detail);
    $("fullscreen-gate").hidden = true;
    this.onChange(true);
  }

  fullscreenChanged() {
    if (!this.active) return;
    if (document.fullscreenElement) {
      $("fullscreen-gate").hidden = true;
      this.onChange(true);
      return;
    }
    this.onExit("Left full screen.");
    this.show("left", { focus: true });
  }

  show(kind, { focus }) {
    const [title, message, button] = TEXT[kind];
    $("fullscreen-title").textContent = title;
    $("fullscreen-message").textContent = message;
    $("fullscreen-enter").hidden = !button;
    $("fullscreen-enter").textContent = button ?? "";
    $("fullscreen-skip").hidden = Boolean(button);
    $("fullscreen-error").hidden = true;
    $("fullscreen-gate").hidden = false;
    this.onChange(false);
    if (focus) (button ? $("fullscreen-enter") : $("fullscreen-skip")).focus();
  }
}
