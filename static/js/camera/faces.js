// Face checks in the student's browser (DESIGN §6): every few seconds a small frame of the camera goes to a worker
// (face-worker.js) that counts the faces in it. A flag is raised only when several readings in a row agree, after
// the camera's first frames (which often show nothing yet), and once per episode: "no face" again only after a
// face was back. The flags are for a person to look at; nothing here blocks or penalises the student.
// The main thread's share of each check is marked with performance.measure("face check (main thread)").

const CHECK_MS = 3000;
const FRAME_WIDTH = 320;
const WARMUP_READINGS = 2;
const AGREEING_READINGS = 3;

/** What a count of faces means: "no_face", "multiple_faces" or "ok". */
function stateOf(count) {
  if (count === 0) return "no_face";
  return count > 1 ? "multiple_faces" : "ok";
}

export class FaceChecks {
  /**
   * @param {object} options
   * @param {HTMLVideoElement} options.video  the camera, playing
   * @param {(kind: string, count: number) => void} options.onFlag  "no_face" or "multiple_faces", once an episode
   * @param {(message: string) => void} options.onUnavailable  the checks cannot run in this browser
   * @param {(count: number) => void} [options.onReading]  each count after the warm-up (the pre-exam check's)
   */
  constructor({ video, onFlag, onUnavailable, onReading }) {
    this.video = video;
    this.onFlag = onFlag;
    this.onReading = onReading;
    this.onUnavailable = onUnavailable;
    this.worker = null;
    this.timer = null;
    this.busy = false;
    this.warmup = WARMUP_READINGS;
    this.candidate = null; // the state the latest readings agree on, and how many of them
    this.streak = 0;
    this.settled = "ok"; // the state last settled on: a flag is raised when it changes to a problem
  }

  start() {
    try {
      this.worker = new Worker(new URL("./face-worker.js", import.meta.url), { type: "module" });
    } catch (error) {
      this.onUnavailable(error.message);
      return;
    }
    this.worker.onmessage = ({ data }) => this.received(data);
    this.worker.onerror = (event) => this.fail(event.message || "The face check could not start.");
    this.worker.postMessage({ type: "load" });
  }

  stop() {
    clearInterval(this.timer);
    this.worker?.terminate();
    this.worker = null;
  }

  fail(message) {
    this.stop();
    this.onUnavailable(message);
  }

  received(data) {
    if (data.type === "ready") {
      this.timer = setInterval(() => this.check(), CHECK_MS);
    } else if (data.type === "faces") {
      this.busy = false;
      this.reading(data.count);
    } else if (data.type === "failed") {
      this.fail(data.message);
    }
  }

  /** Send the worker the camera's current frame, unless it is still busy with the last one. */
  async check() {
    if (this.busy || !this.worker || this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    this.busy = true;
    let began = performance.now();
    const scale = Math.min(1, FRAME_WIDTH / this.video.videoWidth);
    const grabbing = createImageBitmap(this.video, {
      resizeWidth: Math.round(this.video.videoWidth * scale), resizeHeight: Math.round(this.video.videoHeight * scale),
    });
    let spent = performance.now() - began;
    let frame;
    try {
      frame = await grabbing;
    } catch {
      this.busy = false;
      return;
    }
    if (!this.worker) return;
    began = performance.now();
    this.worker.postMessage({ type: "detect", frame }, [frame]);
    spent += performance.now() - began;
    performance.measure("face check (main thread)", { start: began, duration: spent });
  }

  reading(count) {
    if (this.warmup > 0) {
      this.warmup -= 1;
      return;
    }
    this.onReading?.(count);
    const state = stateOf(count);
    this.streak = state === this.candidate ? this.streak + 1 : 1;
    this.candidate = state;
    if (this.streak < AGREEING_READINGS || state === this.settled) return;
    this.settled = state;
    if (state !== "ok") this.onFlag(state, count);
  }
}
