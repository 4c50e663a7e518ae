// The pre-exam check (issue 13): on the exam's own page, before the attempt exists, so none of it counts against
// the time. Each step the exam needs (the LMS frame's permissions, the camera notice, the camera, faces, the
// entire screen, full screen) says what it found and exactly what to do; "Start the exam" starts the clock once
// the required ones pass. The camera and the screen it opened, and full screen, stay open for the exam
// (attempt/camera.js adopts them): nothing is asked twice. A face count is advice, never a blocker: a person
// judges what the camera shows (DESIGN §6), and a bad light or a passer-by must not keep a student out.
import { lang, t, tn } from "../i18n.js";
import { api, launchToken } from "../session.js";
import { CameraProblem, openCamera } from "../camera/capture.js";
import { FaceChecks } from "../camera/faces.js";
import { allowedHere, inFrame, openInNewWindow } from "../camera/frame-policy.js";
import { ScreenProblem, openScreen } from "../camera/screen-capture.js";
import { StepRow } from "./step-row.js";

const $ = (id) => document.getElementById(id);

// What the LMS frame may block, named in a list ("the camera, full screen") that goes into a sentence.
const FEATURES = { camera: t("the camera"), "display-capture": t("screen sharing"), fullscreen: t("full screen") };
const AND = new Intl.ListFormat(lang, { type: "conjunction" }); // "the camera and full screen"
const BETWEEN_STEPS = t("; "); // between the names of the steps still to do (Arabic "؛ ", Japanese "、")

// CameraProblem kind -> [what was found, what to do]
const CAMERA = {
  denied: [t("The browser blocked the camera."), t("Allow the camera for this site (the camera or lock icon in the "
    + "address bar, or the browser's site settings), then press “Try the camera again”.")],
  missing: [t("No camera was found."), t("Connect a camera or switch it on, then press “Try the camera again”.")],
  in_use: [t("The camera is in use by another program."), t("Close the other programs or tabs that use the camera "
    + "(a video call, for example), then press “Try the camera again”.")],
  unsupported: [t("This browser cannot use a camera here."), t("Open the exam in an up-to-date Chrome, Edge, "
    + "Firefox or Safari.")],
  failed: [t("The camera could not be started."), t("Press “Try the camera again”. If it keeps failing, restart "
    + "the browser.")],
  stopped: [t("The camera stopped."), t("It was switched off or unplugged, or another program took it. Press “Try "
    + "the camera again”.")],
};

// ScreenProblem kind -> [what was found, what to do]
const SCREEN = {
  not_monitor: [t("A window or a tab was shared, not the entire screen."), t("Press “Share my entire screen” again "
    + "and choose “Entire screen”.")],
  denied: [t("The screen was not shared."), t("The browser's question was cancelled or blocked. Press “Share my "
    + "entire screen” and choose your entire screen.")],
  unsupported: [t("This browser cannot share the screen."), t("Open the exam in an up-to-date Chrome, Edge or "
    + "Firefox on a computer.")],
  failed: [t("The screen could not be shared."), t("Press “Share my entire screen” to try again.")],
  stopped: [t("You stopped sharing your screen."), t("Press “Share my entire screen” to share it again.")],
};

const SCREEN_ASK = t("Press “Share my entire screen”, choose “Entire screen” in the browser's list, then “Share”.");
const OPTIONAL = t("This exam may also be taken without it: you can start anyway, and your proctors are told.");

/** What to do, and under the optional policy that the step may also be skipped. */
const todoFor = (todo, optional) => (optional ? `${todo} ${OPTIONAL}` : todo);

export class PreExamCheck {
  /**
   * @param {object} options
   * @param {number} options.examId
   * @param {(attempt: object, opened: {camera: MediaStream?, screen: MediaStream?, declined: boolean,
   *   withoutScreen: boolean}) => void} options.onStarted  the attempt started: its state, and what the check
   *   opened (or the student chose to go without) for the exam to keep
   * @param {() => void} options.onHandOff  the check goes on in a new window: this page stands down
   */
  constructor({ examId, onStarted, onHandOff }) {
    this.examId = examId;
    this.onStarted = onStarted;
    this.onHandOff = onHandOff;
    this.need = null;
    this.beganAt = null; // the server's time when the check began: the record's start
    this.rows = {};
    this.camera = null;
    this.screen = null;
    this.faces = null;
    this.declined = false;
    this.started = false; // from then on the exam owns the camera and the screen, and their endings
    this.announceTimer = null;
  }

  async start() {
    try {
      this.need = await api(`/api/exams/${this.examId}/check`);
      this.beganAt = this.need.began_at;
    } catch (error) {
      $("load-status").textContent = t("Could not load the pre-exam check: %(reason)s. Reload the page to try "
        + "again; the clock has not started.", { reason: error.message });
      return;
    }
    // An exam with nothing to check starts from the lobby's press, as it always has.
    if (this.need.steps.length === 0) {
      await this.begin();
      return;
    }
    $("load-status").hidden = true;
    for (const name of this.need.steps) {
      this.rows[name] = new StepRow(name, (text) => this.announce(text));
      this.rows[name].show();
    }
    this.wire();
    $("pre-check").hidden = false;
    $("check-title").focus();
    this.checkFrame();
    if (this.rows.consent) this.showConsent();
    if (this.rows.screen) {
      this.rows.screen.set(this.policy === "optional" ? "advice" : "action", t("Not shared yet."),
        { todo: todoFor(SCREEN_ASK, this.policy === "optional") });
    }
    if (this.rows.fullscreen) this.showFullscreen();
    this.refresh();
  }

  wire() {
    const on = (name, action, handler) => this.rows[name]?.button(action).addEventListener("click", handler);
    on("frame", "new-window", () => this.handOff());
    on("consent", "agree", () => this.agree());
    on("consent", "decline", () => this.decline());
    on("camera", "retry", () => this.turnOn());
    on("screen", "share", () => this.share());
    on("fullscreen", "enter", () => this.enterFullscreen());
    $("check-start").addEventListener("click", () => this.begin());
    if (this.rows.fullscreen) document.addEventListener("fullscreenchange", () => this.showFullscreen());
  }

  get policy() {
    return this.need.camera.policy;
  }

  // --- the steps -------------------------------------------------------------------------------------

  checkFrame() {
    const row = this.rows.frame;
    if (!row) return;
    const wanted = [this.need.camera.mode !== "off" && "camera", this.need.camera.screen_share && "display-capture",
      this.need.fullscreen && "fullscreen"].filter(Boolean);
    this.blocked = new Set(wanted.filter((feature) => !allowedHere(feature)));
    const named = (features) => AND.format([...features].map((f) => FEATURES[f]));
    if (this.blocked.size === 0) {
      row.set("passed", t("This page may use %(features)s.", { features: named(wanted) }), { outcome: "passed" });
      return;
    }
    row.button("new-window").hidden = !inFrame();
    row.set("action", t("Your course page does not let this exam use %(features)s.",
      { features: named(this.blocked) }), {
      outcome: "failed",
      todo: t("Press “Continue in a new window”: the check goes on there, you stay signed in, and the clock has "
        + "not started. (Your LMS administrator can allow it in the course page's frame.)"),
    });
  }

  showConsent() {
    const row = this.rows.consent;
    if (this.need.consent.given) {
      row.button("agree").hidden = true;
      row.button("decline").hidden = true;
      row.set("passed", t("You agreed to the camera notice."), { outcome: "passed" });
      this.turnOn();
      return;
    }
    row.element.querySelector(".check-consent-text").textContent = this.need.consent.text;
    row.button("decline").textContent = this.policy === "optional" ? t("Take the exam without the camera")
      : t("I do not agree");
    row.set("action", t("Read the notice below and choose."), {
      todo: this.policy === "optional"
        ? t("You may take this exam without the camera: then it stays off and your proctors are told.")
        : t("This exam cannot be taken without the camera."),
    });
  }

  async agree() {
    const row = this.rows.consent;
    try {
      this.need = await api(`/api/exams/${this.examId}/camera/consent`, { method: "POST" });
    } catch (error) {
      row.set("action", t("Your agreement could not be recorded (%(reason)s).", { reason: error.message }),
        { todo: t("Check your connection, then press “I agree” again.") });
      return;
    }
    this.declined = false;
    row.element.querySelector(".check-consent-text").textContent = "";
    row.button("agree").hidden = true;
    row.button("decline").hidden = true;
    row.set("passed", t("You agreed to the camera notice."), { outcome: "passed" });
    this.turnOn();
  }

  decline() {
    const row = this.rows.consent;
    if (this.policy !== "optional") {
      row.set("action", t("You did not agree to the camera notice."), {
        todo: t("This exam cannot be taken without the camera. Press “I agree” if you change your mind, or ask "
          + "your instructor."),
      });
      this.refresh();
      return;
    }
    this.declined = true;
    row.set("skipped", t("You chose to take the exam without the camera; your proctors are told."),
      { outcome: "declined" });
    for (const name of ["camera", "faces", "screen"]) {
      this.rows[name]?.set("skipped", t("Not needed: the camera stays off."), { outcome: "skipped" });
    }
    if (this.rows.screen) this.rows.screen.button("share").hidden = true;
    this.refresh();
  }

  async turnOn() {
    const row = this.rows.camera;
    row.button("retry").hidden = true;
    if (this.blocked?.has("camera")) {
      row.set("action", t("The course page's frame blocks the camera."), {
        outcome: "failed", todo: t("Press “Continue in a new window” in the first step.") });
      this.refresh();
      return;
    }
    row.set("waiting", t("Turning on your camera…"));
    try {
      this.camera = await openCamera();
    } catch (error) {
      this.cameraFailed(error instanceof CameraProblem ? error.kind : "failed");
      return;
    }
    this.camera.getVideoTracks()[0].addEventListener("ended", () => this.cameraFailed("stopped"));
    const video = $("check-preview");
    video.srcObject = this.camera;
    video.hidden = false;
    await video.play().catch(() => {});
    row.set("passed", t("Your camera works: its picture is shown here."), { outcome: "passed" });
    this.watchFaces(video);
    this.refresh();
  }

  cameraFailed(kind) {
    if (this.started) return;
    const [found, todo] = CAMERA[kind];
    this.faces?.stop();
    this.camera = null;
    $("check-preview").hidden = true;
    this.rows.camera.button("retry").hidden = kind === "unsupported";
    this.rows.camera.set(this.policy === "optional" ? "advice" : "action", found,
      { outcome: "failed", todo: todoFor(todo, this.policy === "optional") });
    this.rows.faces?.set("waiting", t("Waiting for the camera."));
    this.refresh();
  }

  watchFaces(video) {
    const row = this.rows.faces;
    if (!row) return;
    row.set("waiting", t("Looking for your face (this takes about ten seconds)…"));
    this.faces = new FaceChecks({
      video,
      onFlag: () => {},
      onReading: (count) => this.facesSeen(count),
      onUnavailable: () => row.set("skipped", t("The face check cannot run in this browser."),
        { outcome: "skipped", todo: t("Nothing to do: your proctors look at the camera's pictures instead.") }),
    });
    this.faces.start();
  }

  facesSeen(count) {
    const row = this.rows.faces;
    const extra = { faces: count };
    if (count === 1) {
      row.set("passed", t("One face seen: yours."), { outcome: "passed", extra });
    } else if (count === 0) {
      row.set("advice", t("No face seen."), { outcome: "failed", extra,
        todo: t("Sit facing the camera in good light, with nothing covering it. You may start anyway: the check "
          + "is advice, and a person looks at the pictures, never a machine alone.") });
    } else {
      // Here count > 1: the singular is only for the languages whose plural rules need it.
      row.set("advice", tn("%(n)s face seen.", "%(n)s faces seen.", count), { outcome: "failed", extra,
        todo: t("Make sure you are alone in the camera's view. You may start anyway: the check is advice, and a "
          + "person looks at the pictures, never a machine alone.") });
    }
  }

  async share() {
    const row = this.rows.screen;
    if (this.blocked?.has("display-capture")) {
      row.set("action", t("The course page's frame blocks screen sharing."), {
        outcome: "failed", todo: t("Press “Continue in a new window” in the first step.") });
      return;
    }
    try {
      this.screen = await openScreen();
    } catch (error) {
      this.screenFailed(error instanceof ScreenProblem ? error.kind : "failed");
      return;
    }
    this.screen.getVideoTracks()[0].addEventListener("ended", () => this.screenFailed("stopped"));
    row.button("share").hidden = true;
    row.set("passed", t("Your entire screen is shared."), { outcome: "passed", extra: { surface: "monitor" } });
    this.refresh();
  }

  screenFailed(kind) {
    if (this.started) return;
    const [found, todo] = SCREEN[kind];
    this.screen = null;
    this.rows.screen.button("share").hidden = false;
    this.rows.screen.set(this.policy === "optional" ? "advice" : "action", found,
      { outcome: "failed", todo: todoFor(todo, this.policy === "optional") });
    this.refresh();
  }

  showFullscreen() {
    const row = this.rows.fullscreen;
    if (!document.fullscreenEnabled) {
      row.button("enter").hidden = true;
      row.set("skipped", t("Full screen is not available on this page."),
        { outcome: "skipped", todo: t("You may start without it; your proctor is told.") });
    } else if (document.fullscreenElement) {
      row.button("enter").hidden = true;
      row.set("passed", t("The page is in full screen."), { outcome: "passed" });
    } else {
      row.button("enter").hidden = false;
      row.set("action", row.outcome ? t("You left full screen.") : t("Not in full screen yet."),
        { todo: t("Press “Enter full screen”. The exam is taken in full screen; your proctor is told if you leave "
          + "it.") });
    }
    this.refresh();
  }

  async enterFullscreen() {
    try {
      await document.documentElement.requestFullscreen({ navigationUI: "hide" });
    } catch (error) {
      this.rows.fullscreen.set("action", t("The browser did not enter full screen (%(reason)s).",
        { reason: error.message }), { todo: t("Press “Enter full screen” again.") });
    }
  }

  // --- the start ---------------------------------------------------------------------------------------

  /** What still keeps "Start the exam" off: the required steps that have not passed. */
  missing() {
    return Object.values(this.rows).filter((row) => {
      if (row.name === "frame" || row.name === "faces") return false; // advice; their consequences show below
      if (row.state === "passed" || row.state === "skipped") return false;
      return row.name === "consent" || row.name === "fullscreen" || this.policy !== "optional";
    });
  }

  refresh() {
    const missing = this.missing();
    $("check-start").disabled = missing.length > 0;
    $("check-summary").textContent = missing.length
      ? t("Still to do before you can start: %(steps)s.",
        { steps: missing.map((r) => r.element.querySelector("h3").textContent).join(BETWEEN_STEPS) })
      : t("Ready. The clock starts when you press “Start the exam”.");
  }

  async begin() {
    $("check-start").disabled = true;
    $("check-error").hidden = true;
    const check = this.need.steps.length
      ? { began_at: this.beganAt, steps: Object.values(this.rows).map((row) => row.record()) }
      : undefined;
    let attempt;
    try {
      attempt = await api(`/api/exams/${this.examId}/attempts`, { method: "POST", body: { check } });
    } catch (error) {
      const said = t("The exam did not start: %(reason)s", { reason: error.message });
      $("check-error").textContent = said;
      $("check-error").hidden = false;
      $("load-status").textContent = said;
      this.refresh();
      return;
    }
    this.started = true;
    this.faces?.stop();
    $("pre-check").hidden = true;
    // Optional policy: a student who started without sharing the screen chose to, and is not asked again.
    const withoutScreen = Boolean(this.rows.screen) && !this.screen && this.policy === "optional";
    this.onStarted(attempt, { camera: this.camera, screen: this.screen, declined: this.declined, withoutScreen });
  }

  handOff() {
    const row = this.rows.frame;
    if (openInNewWindow(launchToken())) {
      for (const track of [...(this.camera?.getTracks() ?? []), ...(this.screen?.getTracks() ?? [])]) track.stop();
      this.faces?.stop();
      $("pre-check").hidden = true;
      this.onHandOff();
    } else {
      row.element.querySelector(".check-window-blocked").textContent = t("The browser blocked the new window. "
        + "Allow pop-ups for this site, or ask for the exam's link to open in a new window.");
    }
  }

  announce(text) {
    const region = $("check-announcer");
    region.textContent = "";
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => { region.textContent = text; }, 100);
  }
}
