// The exam page's camera (DESIGN §6). A frame whose permission policy forbids the camera is found before any
// prompt and offered a new window; then the consent notice; then the camera, sent as live video (Agora) or as
// stills (snapshots, also the fallback when Agora fails), with face checks when the exam has them. The questions
// stay hidden until the student has decided, and with the policy "required" until the camera runs (and, when the
// exam shares the screen, until the entire screen is shared: attempt/screen.js). A camera
// that is blocked, missing or busy is explained with what to do. Nothing here ends or penalises an attempt:
// problems and face flags go to the proctors, for a person to judge.
import { t, tn } from "../i18n.js";
import { api, launchToken } from "../session.js";
import { CameraProblem, openCamera } from "../camera/capture.js";
import { askConsent } from "../camera/consent.js";
import { FaceChecks } from "../camera/faces.js";
import { allowedHere, inFrame, openInNewWindow } from "../camera/frame-policy.js";
import { AgoraPublisher } from "../camera/publisher.js";
import { SnapshotSender } from "../camera/snapshots.js";
import { ExamScreen } from "./screen.js";

const $ = (id) => document.getElementById(id);

// kind -> [title, what to do]
const PROBLEMS = {
  frame: [t("Your course page does not let this exam use the camera"),
    t("The LMS shows the exam in a frame that is not allowed to use the camera. Continue in a new window, where it "
      + "can: you stay signed in and your answers so far are kept. (Your LMS administrator can allow the camera "
      + "in the frame; the tool's installation notes say how.)")],
  screen_frame: [t("Your course page does not let this exam share your screen"),
    t("This exam shows your proctors your entire screen, and the LMS shows it in a frame that is not allowed to "
      + "share the screen (Moodle's never is). Continue in a new window, where it can: you stay signed in and your "
      + "answers so far are kept.")],
  denied: [t("The camera is blocked"),
    t("Your browser did not let this page use the camera. Allow the camera for this site (the camera or lock "
      + "icon in the address bar, or the browser's site settings), then press “Try the camera again”.")],
  missing: [t("No camera was found"),
    t("Connect a camera or switch it on, then press “Try the camera again”.")],
  in_use: [t("The camera is in use by another program"),
    t("Close the other programs or tabs that use the camera (a video call, for example), then press “Try the "
      + "camera again”.")],
  unsupported: [t("This browser cannot use a camera here"),
    t("Open the exam in an up-to-date Chrome, Edge, Firefox or Safari.")],
  failed: [t("The camera could not be started"),
    t("Press “Try the camera again”. If it keeps failing, restart the browser.")],
  stopped: [t("Your camera stopped"),
    t("The camera was switched off or unplugged, or another program took it. Press “Try the camera again”.")],
  declined: [t("This exam needs your consent to the camera"),
    t("You did not agree to the camera notice, so the questions stay hidden. Read it again if you change your "
      + "mind, or ask your instructor.")],
  unreachable: [t("The camera settings could not be loaded"),
    t("Check your connection, then press “Try the camera again”.")],
};

const POLICY = {
  required: t("This exam cannot be taken without the camera: the questions stay hidden until it works, and the "
    + "clock keeps running. Ask your instructor or proctor for help if you cannot fix it."),
  optional: t("You may also continue without the camera; your proctors are told that it is off."),
};

// Said to the proctors (a camera_unavailable violation) when a problem keeps the camera off: a record for them,
// kept in English like the other violation details, whatever the student's language.
const REPORTS = {
  frame: "the LMS frame does not allow the camera",
  screen_frame: "the LMS frame does not allow screen sharing", denied: "the browser blocked the camera",
  missing: "no camera was found", in_use: "the camera is in use by another program",
  unsupported: "the browser offers no camera", failed: "the camera could not be started",
  stopped: "the camera stopped during the exam", declined: "the student did not agree to the camera",
  unreachable: "the camera settings could not be loaded",
};

/** `stream` if its video still runs, else null. */
function live(stream) {
  return stream?.getVideoTracks()[0]?.readyState === "live" ? stream : null;
}

export class ExamCamera {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {(kind: string, detail?: string) => void} options.report  a violation for the proctors
   * @param {(open: boolean) => void} options.onGate  whether the questions may show (camera and screen)
   * @param {() => void} options.onHandOff  the exam went on in a new window: this page should stand down
   * @param {{camera: MediaStream?, screen: MediaStream?, declined: boolean, withoutScreen: boolean}?} options.adopt
   *   what the pre-exam check opened or the student chose there (check/pre-exam-check.js), not asked again
   */
  constructor({ attemptId, report, onGate, onHandOff, adopt }) {
    this.attemptId = attemptId;
    this.adopted = { camera: live(adopt?.camera), screen: live(adopt?.screen), declined: Boolean(adopt?.declined),
      withoutScreen: Boolean(adopt?.withoutScreen) };
    this.report = report;
    // The questions show when both the camera's gate and the screen's are open.
    this.gates = { camera: false, screen: true };
    this.onGate = (open) => this.gate("camera", open);
    this.openQuestions = onGate;
    this.onHandOff = onHandOff;
    this.page = null; // the server's camera answer: mode, policy, face_checks, snapshot, consent, agora
    this.stream = null;
    this.snapshots = null;
    this.publisher = null;
    this.faces = null;
    this.screen = null;
    this.reported = new Set();
    this.stopped = false;
    $("camera-retry").addEventListener("click", () => this.start());
    $("camera-reread").addEventListener("click", () => this.start());
    $("camera-new-window").addEventListener("click", () => this.handOff());
    $("camera-without").addEventListener("click", () => this.goWithout());
  }

  async start() {
    $("camera-problem").hidden = true;
    try {
      this.page = await api(`/api/attempts/${this.attemptId}/camera`);
    } catch {
      // Not known whether this exam uses the camera at all: say so, but hold nothing back.
      this.problem("unreachable");
      this.onGate(true);
      return;
    }
    if (this.stopped) return;
    if (this.page.mode === "off") {
      this.onGate(true);
      return;
    }
    this.onGate(false);
    if (!allowedHere("camera")) {
      this.problem("frame");
      return;
    }
    if (this.page.screen_share && !allowedHere("display-capture")) {
      this.problem("screen_frame");
      return;
    }
    if (!this.page.consent.given && this.adopted.declined && this.page.policy === "optional") {
      this.goWithout("declined"); // the student chose so in the pre-exam check: not asked again
      return;
    }
    if (!this.page.consent.given) {
      if (!(await askConsent({ text: this.page.consent.text, policy: this.page.policy }))) {
        if (this.page.policy === "optional") this.goWithout("declined");
        else this.problem("declined");
        return;
      }
      try {
        this.page = await api(`/api/attempts/${this.attemptId}/camera/consent`, { method: "POST" });
      } catch {
        this.problem("unreachable");
        return;
      }
    }
    await this.turnOn();
  }

  async turnOn() {
    try {
      this.stream = this.adopted.camera ?? (await openCamera());
    } catch (error) {
      this.problem(error instanceof CameraProblem ? error.kind : "failed");
      return;
    }
    this.adopted.camera = null;
    if (this.stopped) {
      this.stopTracks();
      return;
    }
    const [track] = this.stream.getVideoTracks();
    track.addEventListener("ended", () => this.lost());
    const video = $("camera-preview");
    video.srcObject = this.stream;
    await video.play().catch(() => {});
    $("camera-box").hidden = false;
    this.onGate(true);
    if (this.page.screen_share && !this.screen) {
      this.screen = new ExamScreen({
        attemptId: this.attemptId, policy: this.page.policy, snapshot: this.page.snapshot, report: this.report,
        onGate: (open) => this.gate("screen", open),
      });
      this.screen.start(this.adopted.screen, { without: this.adopted.withoutScreen });
      this.adopted.screen = null;
    }
    this.snapshots = new SnapshotSender({
      attemptId: this.attemptId, video, settings: this.page.snapshot, onRefused: () => this.stopSending(),
    });
    if (this.page.mode === "agora" && this.page.agora) {
      await this.publish(track);
    } else {
      this.snapshots.start();
      const seconds = this.page.snapshot.interval_seconds;
      this.status(tn("Camera on: a picture every %(n)s s", "Camera on: a picture every %(n)s s", seconds));
    }
    if (this.page.face_checks) {
      this.faces = new FaceChecks({
        video,
        onFlag: (kind, count) => this.flagged(kind, count),
        onUnavailable: () => this.status(t("%(status)s (face checks unavailable here)",
          { status: $("camera-status").textContent })),
      });
      this.faces.start();
    }
  }

  gate(name, open) {
    this.gates[name] = open;
    this.openQuestions(this.gates.camera && this.gates.screen);
  }

  async publish(track) {
    this.publisher = new AgoraPublisher({
      attemptId: this.attemptId, credentials: this.page.agora, track, onLost: (error) => this.fallBack(error),
    });
    this.status(t("Camera on: live video connecting…"));
    try {
      await this.publisher.start();
      this.status(t("Camera on: live video"));
    } catch (error) {
      await this.fallBack(error);
    }
  }

  /** Agora failed: send stills instead, and say so. */
  async fallBack(error) {
    const publisher = this.publisher;
    this.publisher = null;
    await publisher?.stop();
    if (this.stopped || !this.snapshots) return;
    this.snapshots.start();
    this.status(tn("Live video failed (%(error)s); the camera sends a picture every %(n)s s instead",
      "Live video failed (%(error)s); the camera sends a picture every %(n)s s instead",
      this.page.snapshot.interval_seconds, { error: error.message }));
  }

  flagged(kind, count) {
    const detail = kind === "no_face" ? "The face check saw no face for several readings in a row."
      : `The face check saw ${count} faces for several readings in a row.`;
    this.report(kind, detail);
    this.snapshots?.send(kind);
  }

  /** The camera went away during the exam. */
  lost() {
    if (this.stopped) return;
    this.stopSending();
    this.stopTracks();
    $("camera-box").hidden = true;
    this.problem("stopped");
  }

  /** Say what is wrong and what the student can do; the policy decides whether the questions show. */
  problem(kind) {
    const [title, text] = PROBLEMS[kind];
    const policy = this.page?.policy;
    const retry = !["frame", "screen_frame", "declined"].includes(kind);
    $("camera-problem-title").textContent = title;
    $("camera-problem-text").textContent = text;
    $("camera-problem-policy").textContent = POLICY[policy] ?? "";
    $("camera-new-window").hidden = !inFrame() || !["frame", "screen_frame", "denied"].includes(kind);
    $("camera-retry").hidden = !retry;
    $("camera-reread").hidden = kind !== "declined";
    $("camera-without").hidden = policy !== "optional";
    $("camera-window-blocked").textContent = "";
    $("camera-problem").dataset.kind = kind;
    $("camera-problem").hidden = false;
    $("camera-problem-title").focus();
    if (policy === "required") this.tell(kind, "the questions are hidden until the camera works");
  }

  /** Optional policy: the student goes on without the camera, and the proctors are told why it is off. */
  goWithout(kind = $("camera-problem").dataset.kind) {
    $("camera-problem").hidden = true;
    this.tell(kind, "the student continues without the camera");
    this.onGate(true);
    $("question-heading").focus();
  }

  /** One camera_unavailable report per reason and consequence. */
  tell(kind, consequence) {
    const detail = `No camera: ${REPORTS[kind]}; ${consequence}.`;
    if (this.reported.has(detail)) return;
    this.reported.add(detail);
    this.report("camera_unavailable", detail);
  }

  handOff() {
    if (openInNewWindow(launchToken())) {
      this.stop();
      this.onHandOff();
    } else {
      $("camera-window-blocked").textContent = t("The browser blocked the new window. Allow pop-ups for this "
        + "site, or ask for the exam's link to open in a new window.");
    }
  }

  status(text) {
    $("camera-status").textContent = text;
  }

  stopSending() {
    this.snapshots?.stop();
    this.faces?.stop();
    this.faces = null;
    const publisher = this.publisher;
    this.publisher = null;
    publisher?.stop();
  }

  stopTracks() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  /** The attempt is over (or went on in another window): the camera goes off. */
  stop() {
    this.stopped = true;
    this.stopSending();
    this.stopTracks();
    this.screen?.stop();
    $("camera-box").hidden = true;
    $("camera-consent").hidden = true;
    $("camera-problem").hidden = true;
  }
}
