// Agora mode on the dashboard: join each of the exam's channels with the server's subscriber tokens and show
// the students' cameras. Only the students on the page in view are subscribed to (at most a page of 50), on
// their small (low) stream; a zoomed student switches to the full (high) stream until the zoom closes.
import { api } from "../session.js";
import { loadAgora } from "../camera/agora-sdk.js";

const HIGH = 0;
const LOW = 1;

export class LiveFeeds {
  /** @param {{examId: number, agora: {app_id: string, uid: number, channels: {channel: string, token: string}[]}}} */
  constructor({ examId, agora }) {
    this.examId = examId;
    this.agora = agora;
    this.published = new Map(); // student uid -> { client, user }
    this.playing = new Map(); // student uid -> the element their video plays in
    this.targets = new Map(); // student uid -> tile element, for the page in view
    this.zoomed = null; // { uid, element }
  }

  async start() {
    const AgoraRTC = await loadAgora();
    await Promise.all(this.agora.channels.map(async ({ channel, token }) => {
      const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
      client.on("user-published", (user, kind) => {
        if (kind !== "video") return;
        this.published.set(user.uid, { client, user });
        this.sync();
      });
      const gone = (user) => {
        this.published.delete(user.uid);
        this.playing.delete(user.uid);
      };
      client.on("user-unpublished", gone);
      client.on("user-left", gone);
      client.on("token-privilege-will-expire", () => this.renew(client, channel));
      await client.join(this.agora.app_id, channel, token, this.agora.uid);
    }));
  }

  /** The students whose tiles are in view: uid -> element. Everyone else is unsubscribed. */
  show(targets) {
    this.targets = targets;
    this.sync();
  }

  zoom(uid, element) {
    this.zoomed = { uid, element };
    this.sync();
  }

  unzoom() {
    this.zoomed = null;
    this.sync();
  }

  async sync() {
    for (const [uid, { client, user }] of this.published) {
      const zoomed = this.zoomed?.uid === uid;
      const target = zoomed ? this.zoomed.element : this.targets.get(uid);
      const current = this.playing.get(uid);
      if (target === current) continue;
      if (!target) {
        this.playing.delete(uid);
        await client.unsubscribe(user, "video").catch(() => {});
        continue;
      }
      this.playing.set(uid, target);
      client.setRemoteVideoStreamType(uid, zoomed ? HIGH : LOW).catch(() => {});
      if (!current) await client.subscribe(user, "video").catch(() => {});
      user.videoTrack?.stop();
      user.videoTrack?.play(target);
    }
  }

  async renew(client, channel) {
    const fresh = await api(`/api/exams/${this.examId}/camera`).catch(() => null);
    const token = fresh?.agora?.channels.find((c) => c.channel === channel)?.token;
    if (token) await client.renewToken(token).catch(() => {});
  }
}
