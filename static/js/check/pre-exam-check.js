// The pre-exam check (issue 13): on the exam's own page, before the attempt exists, so none of it counts against
// the time. Each step the exam needs (the LMS frame's permissions, the camera notice, the camera, faces, the
// entire screen, full screen) says what it found and exactly what to do; "Start the exam" starts the clock once
// the required ones pass. The camera and the screen it opened, and full screen, stay open for the exam
// (attempt/camera.js adopts them): nothing is asked twice. A face count is advice, never a blocker: a person
// judges what the camera shows (DESIGN §6), and a bad light or a passer-by must not keep a student out.
import { api, launchToken } from "../session.js";
import { CameraProblem, openCamera } from "../camera/capture.js";
import { FaceChecks } from "../camera/faces.js";
import { allowedHere, inFrame, openInNewWindow } from "../camera/frame-policy.js";
import { ScreenProblem, openScreen } from "../camera/screen-capture.js";
import { StepRow } from "./step-row.js";

const $ = (id) => document.getElementById(id);

const FEATURES = { camera: "the camera", "display-capture": "screen sharing", fullscreen: "full screen" };

// CameraProblem kind -> [what was found, what to do]
const CAMERA = {
  denied: ["The browser blocked the camera.", "Allow the camera for this site (the camera or lock icon in the "
    + "address bar, or the browser's site settings), then press “Try the camera again”."],
  missing: ["No camera was found.", "Connect a camera or switch it on, then press “Try the camera again”."],
  in_use: ["The camera is in use by another program.", "Close the other programs or tabs that use the camera (a "
    + "video call, for example), then press “Try the camera again”."],
  unsupported: ["This browser cannot use a camera here.", "Open the exam in an up-to-date Chrome, Edge, Firefox "
    + "or Safari."],
  failed: ["The camera could not be started.", "Press “Try the camera again”. If it keeps failing, restart the "
    + "browser."],
  stopped: ["The camera stopped.", "It was switched off or unplugged, or another program took it. Press “Try the "
    + "camera again”."],
};

// ScreenProblem kind -> [what was found, what to do]
const SCREEN = {
  not_monitor: ["A window or a tab was shared, not the entire screen.", "Press “Share my entire screen” again and "
    + "choose “Entire screen”."],
  denied: ["The screen was not shared.", "The browser's question was cancelled or blocked. Press “Share my entire "
    + "screen” and choose your entire screen."],
  unsupported: ["This browser cannot share the screen.", "Open the exam in an up-to-date Chrome, Edge or Firefox "
    + "on a computer."],
  failed: ["The screen could not be shared.", "Press “Share my entire screen” to try again."],
  stopped: ["You stopped sharing your screen.", "Press “Share my entire screen” to share it again."],
};

const SCREEN_ASK = "Press “Share my entire screen”, choose “Entire screen” in the browser's list, then “Share”.";
const OPTIONAL = " This exam may also be taken without it: you can start anyway, and your proctors are told.";

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
      $("load-status").textContent = `Could not load the pre-exam check: ${error.message}. Reload the page to try `
        + "again; the clock has not started.";
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
      this.rows.screen.set(this.policy === "optional" ? "advice" : "action", "Not shared yet.",
        { todo: SCREEN_ASK + (this.policy === "optional" ? OPTIONAL : "") });
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
    const named = (features) => [...features].map((f) => FEATURES[f]).join(", ");
    if (this.blocked.size === 0) {
      row.set("passed", `This page may use ${named(wanted)}.`, { outcome: "passed" });
      return;
    }
    row.button("new-window").hidden = !inFrame();
    row.set("action", `Your course page does not let this exam use ${named(this.blocked)}.`, {
      outcome: "failed",
      todo: "Press “Continue in a new window”: the check goes on there, you stay signed in, and the clock has not "
        + "started. (Your LMS administrator can allow it in the course page's frame.)",
    });
  }

  showConsent() {
    const row = this.rows.consent;
    if (this.need.consent.given) {
      row.button("agree").hidden = true;
      row.button("decline").hidden = true;
      row.set("passed", "You agreed to the camera notice.", { outcome: "passed" });
      this.turnOn();
      return;
    }
    row.element.querySelector(".check-consent-text").textContent = this.need.consent.text;
    row.button("decline").textContent = this.policy === "optional" ? "Take the exam without the camera"
      : "I do not agree";
    row.set("action", "Read the notice below and choose.", {
      todo: this.policy === "optional"
        ? "You may take this exam without the camera: then it stays off and your proctors are told."
        : "This exam cannot be taken without the camera.",
    });
  }

  async agree() {
    const row = this.rows.consent;
    try {
      this.need = await api(`/api/exams/${this.examId}/camera/consent`, { method: "POST" });
    } catch (error) {
      row.set("action", `Your agreement could not be recorded (${error.message}).`,
        { todo: "Check your connection, then press “I agree” again." });
      return;
    }
    this.declined = false;
    row.element.querySelector(".check-consent-text").textContent = "";
    row.button("agree").hidden = true;
    row.button("decline").hidden = true;
    row.set("passed", "You agreed to the camera notice.", { outcome: "passed" });
    this.turnOn();
  }

  decline() {
    const row = this.rows.consent;
    if (this.policy !== "optional") {
      row.set("action", "You did not agree to the camera notice.", {
        todo: "This exam cannot be taken without the camera. Press “I agree” if you change your mind, or ask your "
          + "instructor.",
      });
      this.refresh();
      return;
    }
    this.declined = true;
    row.set("skipped", "You chose to take the exam without the camera; your proctors are told.",
      { outcome: "declined" });
    for (const name of ["camera", "faces", "screen"]) {
      this.rows[name]?.set("skipped", "Not needed: the camera stays off.", { outcome: "skipped" });
    }
    if (this.rows.screen) this.rows.screen.button("share").hidden = true;
    this.refresh();
  }

  async turnOn() {
    const row = this.rows.camera;
    row.button("retry").hidden = true;
    if (this.blocked?.has("camera")) {
      row.set("action", "The course page's frame blocks the camera.", {
        outcome: "failed", todo: "Press “Continue in a new window” in the first step." });
      this.refresh();
      return;
    }
    row.set("waiting", "Turning on your camera…");
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
    row.set("passed", "Your camera works: its picture is shown here.", { outcome: "passed" });
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
      { outcome: "failed", todo: todo + (this.policy === "optional" ? OPTIONAL : "") });
    this.rows.faces?.set("waiting", "Waiting for the camera.");
    this.refresh();
  }

  watchFaces(video) {
    const row = this.rows.faces;
    if (!row) return;
    row.set("waiting", "Looking for your face (this takes about ten seconds)…");
    this.faces = new FaceChecks({
      video,
      onFlag: () => {},
      onReading: (count) => this.facesSeen(count),
      onUnavailable: () => row.set("skipped", "The face check cannot run in this browser.",
        { outcome: "skipped", todo: "Nothing to do: your proctors look at the camera's pictures instead." }),
    });
    this.faces.start();
  }

  facesSeen(count) {
    const row = this.rows.faces;
    const extra = { faces: count };
    if (count === 1) {
      row.set("passed", "One face seen: yours.", { outcome: "passed", extra });
    } else if (count === 0) {
      row.set("advice", "No face seen.", { outcome: "failed", extra,
        todo: "Sit facing the camera in good light, with nothing covering it. You may start anyway: the check is "
          + "advice, and a person looks at the pictures, never a machine alone." });
    } else {
      row.set("advice", `${count} faces seen.`, { outcome: "failed", extra,
        todo: "Make sure you are alone in the camera's view. You may start anyway: the check is advice, and a "
          + "person looks at the pictures, never a machine alone." });
    }
  }

  async share() {
    const row = this.rows.screen;
    if (this.blocked?.has("display-capture")) {
      row.set("action", "The course page's frame blocks screen sharing.", {
        outcome: "failed", todo: "Press “Continue in a new window” in the first step." });
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
    row.set("passed", "Your entire screen is shared.", { outcome: "passed", extra: { surface: "monitor" } });
    this.refresh();
  }

  screenFailed(kind) {
    if (this.started) return;
    const [found, todo] = SCREEN[kind];
    this.screen = null;
    this.rows.screen.button("share").hidden = false;
    this.rows.screen.set(this.policy === "optional" ? "advice" : "action", found,
      { outcome: "failed", todo: todo + (this.policy === "optional" ? OPTIONAL : "") });
    this.refresh();
  }

  showFullscreen() {
    const row = this.rows.fullscreen;
    if (!document.fullscreenEnabled) {
      row.button("enter").hidden = true;
      row.set("skipped", "Full screen is not available on this page.",
        { outcome: "skipped", todo: "You may start without it; your proctor is told." });
    } else if (document.fullscreenElement) {
      row.button("enter").hidden = true;
      row.set("passed", "The page is in full screen.", { outcome: "passed" });
    } else {
      row.button("enter").hidden = false;
      row.set("action", row.outcome ? "You left full screen." : "Not in full screen yet.",
        { todo: "Press “Enter full screen”. The exam is taken in full screen; your proctor is told if you leave it." });
    }
    this.refresh();
  }

  async enterFullscreen() {
    try {
      await document.documentElement.requestFullscreen({ navigationUI: "hide" });
    } catch (error) {
      this.rows.fullscreen.set("action", `The browser did not enter full screen (${error.message}).`,
        { todo: "Press “Enter full screen” again." });
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
      ? `Still to do before you can start: ${missing.map((r) => r.element.querySelector("h3").textContent).join("; ")}.`
      : "Ready. The clock starts when you press “Start the exam”.";
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
      $("check-error").textContent = `The exam did not start: ${error.message}`;
      $("check-error").hidden = false;
      $("load-status").textContent = `The exam did not start: ${error.message}`;
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
      row.element.querySelector(".check-window-blocked").textContent = "The browser blocked the new window. Allow "
        + "pop-ups for this site, or ask for the exam's link to open in a new window.";
    }
  }

  announce(text) {
    const region = $("check-announcer");
    region.textContent = "";
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => { region.textContent = text; }, 100);
  }
}
