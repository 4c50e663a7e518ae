// Snapshot mode: a still of the camera (or of the shared screen) every interval, sent to the server, which keeps it
// (no metadata) and shows it on the proctors' dashboards. A flagged still (the face check's evidence) can be sent
// at any time.
import { ApiError, authFetch } from "../session.js";
import { jpegOf } from "./capture.js";

export class SnapshotSender {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {HTMLVideoElement} options.video  the camera (or the screen), playing
   * @param {"camera"|"screen"} [options.kind]  what the stills show
   * @param {{interval_seconds: number, width: number, max_bytes: number}} options.settings
   * @param {(error: ApiError) => void} options.onRefused  the server will take no more (the attempt ended, say)
   */
  constructor({ attemptId, video, settings, kind = "camera", onRefused }) {
    this.attemptId = attemptId;
    this.kind = kind;
    this.video = video;
    this.settings = settings;
    this.onRefused = onRefused;
    this.timer = null;
  }

  /** Send a still now and every interval. */
  start() {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.send(), this.settings.interval_seconds * 1000);
    this.send();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Send one still (flagged "no_face" or "multiple_faces" as evidence); true when the server kept it. */
  async send(flag) {
    const jpeg = await jpegOf(this.video, { width: this.settings.width, maxBytes: this.settings.max_bytes });
    if (!jpeg) return false;
    const query = new URLSearchParams({ kind: this.kind });
    if (flag) query.set("flag", flag);
    try {
      await authFetch(`/api/attempts/${this.attemptId}/snapshots?${query}`, {
        method: "POST", headers: { "Content-Type": "image/jpeg" }, body: jpeg,
      });
      return true;
    } catch (error) {
      // Offline, a server error, or too soon after the last one: the next interval sends again. Anything else
      // (the attempt is over, no consent on record): the server will take no more.
      const passing = error.status === 0 || error.status >= 500 || error.details?.code === "snapshot_refused";
      if (error instanceof ApiError && !passing) this.onRefused(error);
      return false;
    }
  }
}
