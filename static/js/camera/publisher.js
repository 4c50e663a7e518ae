// Agora mode on the student's page: join the exam's channel with the server's publisher token (for this
// student's own uid), publish the camera with the dual stream on (proctors' grids take the small stream, a zoom
// the full one), and renew the token when Agora says it will expire. No sound is sent.
import { t } from "../i18n.js";
import { api } from "../session.js";
import { loadAgora } from "./agora-sdk.js";

export class AgoraPublisher {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {{app_id: string, channel: string, uid: number, token: string}} options.credentials
   * @param {MediaStreamTrack} options.track  the camera's video track (Agora gets its own clone)
   * @param {(error: Error) => void} options.onLost  the connection dropped for good after it was up
   */
  constructor({ attemptId, credentials, track, onLost }) {
    this.attemptId = attemptId;
    this.credentials = credentials;
    this.track = track;
    this.onLost = onLost;
    this.client = null;
    this.video = null;
    this.stopped = false;
  }

  /** Join and publish; throws when that fails (the page falls back to snapshots). */
  async start() {
    const AgoraRTC = await loadAgora();
    const { app_id: appId, channel, uid, token } = this.credentials;
    this.client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
    this.client.on("token-privilege-will-expire", () => this.renew());
    this.client.on("connection-state-change", (state, previous, reason) => {
      if (state === "DISCONNECTED" && reason !== "LEAVE" && !this.stopped) {
        // The reason is Agora's code (NETWORK_ERROR and the like), shown as it comes.
        this.onLost(new Error(reason ? t("The live video connection was lost (%(reason)s).", { reason })
          : t("The live video connection was lost (no reason given).")));
      }
    });
    await this.client.join(appId, channel, token, uid);
    await this.client.enableDualStream();
    this.video = AgoraRTC.createCustomVideoTrack({ mediaStreamTrack: this.track.clone() });
    await this.client.publish([this.video]);
  }

  /** A fresh token from the server before the current one expires. */
  async renew() {
    try {
      const fresh = await api(`/api/attempts/${this.attemptId}/camera/token`, { method: "POST" });
      await this.client.renewToken(fresh.token);
    } catch (error) {
      if (!this.stopped) {
        this.onLost(new Error(t("The live video token could not be renewed: %(reason)s", { reason: error.message })));
      }
    }
  }

  async stop() {
    this.stopped = true;
    this.video?.close();
    await this.client?.leave().catch(() => {});
  }
}
