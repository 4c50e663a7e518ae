// The exam page's proctoring socket (/ws/student). Its first message is a hello with the launch token, sent
// again with each refreshed token so the server keeps it open past the old one's expiry. A heartbeat goes every
// 15 s and whenever the page is shown or hidden; one left unanswered means the connection is dead even if the
// browser has not noticed. A socket that drops is opened again with capped exponential backoff and jitter:
// after 4401 with a fresh token first, never after 4403. Violations and warning acknowledgements stay queued
// until the server acknowledges them and are sent again after each reconnect (it records a resend once).
// Answer saves go over it while it is connected (save-road.js); one it cannot carry is the caller's to send again.
import { launchToken, onTokenRefresh, refreshToken } from "../session.js";
import { HttpError } from "./request.js";

const HEARTBEAT_MS = 15000;
const REPLY_TIMEOUT_MS = 10000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_FORBIDDEN = 4403;

/** The socket could not carry a save: it is not connected, or closed or fell silent before the server's reply. */
export class SocketUnavailable extends Error {}

/** Pairs a message with the server's acknowledgement of it: a violation by its id, a warning acknowledgement
 * by the warning's id. */
function ackKey(message) {
  return "id" in message ? `violation:${message.id}` : `warning:${message.warning_id}`;
}

export class ProctorSocket {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {(message: object, t0: number, t1: number) => void} options.onMessage  each server message except
   *   hello, ack and error; t0..t1 (performance.now()) spans its round trip when it answers a heartbeat
   * @param {(state: string, detail?: string) => void} options.onState  "connecting", "connected",
   *   "reconnecting", "refused" (not allowed, not retried; detail says why), "expired" (the session is over)
   * @param {(lostAt: number, ms: number) => void} options.onOutage  connected again after the connection was
   *   lost at lostAt (Date.now()) for ms
   */
  constructor({ attemptId, onMessage, onState, onOutage }) {
    this.attemptId = attemptId;
    this.onMessage = onMessage;
    this.onState = onState;
    this.onOutage = onOutage;
    this.ws = null;
    this.ready = false; // the server answered this socket's hello
    this.unacknowledged = new Map(); // ackKey -> message
    this.saves = new Map(); // a save's id -> { resolve, reject, timer } until the server replies
    this.savesSent = 0;
    this.failures = 0;
    this.lostAt = null;
    this.refusal = null; // the server's last error message: says why a 4403 refused us
    this.heartbeatAt = null; // performance.now() of the heartbeat still unanswered
    this.heartbeatTimer = null;
    this.replyTimer = null;
    this.retryTimer = null;
    this.stopped = false;
    this.listeners = [
      [document, "visibilitychange", () => this.heartbeat()],
      [window, "offline", () => this.drop()],
      [window, "online", () => { if (!this.ws && this.retryTimer) this.reconnectNow(); }],
    ];
  }

  start() {
    for (const [target, type, listener] of this.listeners) target.addEventListener(type, listener);
    onTokenRefresh(() => {
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(this.hello()));
    });
    this.onState("connecting");
    this.connect();
  }

  /** Close for good (the attempt is over). */
  stop() {
    this.stopped = true;
    for (const [target, type, listener] of this.listeners) target.removeEventListener(type, listener);
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.disconnected();
    ws?.close(1000, "attempt over");
  }

  /** Send now and again after every reconnect until the server acknowledges it. */
  sendReliably(message) {
    this.unacknowledged.set(ackKey(message), message);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Send an answer save ({option_ids, flagged, seq}, as the PUT's body). Resolves with the server's reply once
   * the answer is committed; rejects with an HttpError for a refusal (as the PUT would be answered), or with
   * SocketUnavailable. */
  save(questionId, payload) {
    if (!this.ready) return Promise.reject(new SocketUnavailable("not connected"));
    const id = `save-${++this.savesSent}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settleSave(id, null, new SocketUnavailable("no reply")), REPLY_TIMEOUT_MS);
      this.saves.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type: "save", id, question_id: questionId, ...payload }));
    });
  }

  settleSave(id, reply, error) {
    const pending = this.saves.get(id);
    if (!pending) return;
    this.saves.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(reply);
  }

  hello() {
    return { type: "hello", token: launchToken(), attempt_id: this.attemptId };
  }

  connect() {
    this.retryTimer = null;
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/student`);
    this.ws = ws;
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify(this.hello()));
      // Right behind the hello, not after its answer: the server's first words may be that the attempt is
      // over, which stops this page, and what it saw before the end still belongs on record.
      for (const message of this.unacknowledged.values()) ws.send(JSON.stringify(message));
    });
    ws.addEventListener("message", (event) => { if (ws === this.ws) this.receive(event.data); });
    ws.addEventListener("close", (event) => { if (ws === this.ws) this.closed(event.code); });
  }

  receive(data) {
    const t1 = performance.now();
    const t0 = this.heartbeatAt ?? t1;
    this.heartbeatAt = null;
    clearTimeout(this.replyTimer);
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message.type === "hello") {
      if (!this.ready) this.connected();
    } else if (message.type === "ack") {
      this.unacknowledged.delete(ackKey(message));
    } else if (message.type === "saved") {
      this.settleSave(message.id, message);
    } else if (message.type === "error" && this.saves.has(message.id)) {
      this.settleSave(message.id, null, new HttpError(message.status, message.message));
    } else if (message.type === "error") {
      this.refusal = message.message;
    } else {
      this.onMessage(message, message.type === "time" ? t0 : t1, t1);
    }
  }

  connected() {
    this.ready = true;
    this.failures = 0;
    this.onState("connected");
    if (this.lostAt !== null) {
      const lostAt = this.lostAt;
      this.lostAt = null;
      this.onOutage(lostAt, Date.now() - lostAt);
    }
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.heartbeat();
  }

  heartbeat() {
    if (!this.ready) return;
    this.ws.send(JSON.stringify({
      type: "heartbeat", client_time: Date.now(), visible: document.visibilityState === "visible",
    }));
    if (this.heartbeatAt === null) {
      this.heartbeatAt = performance.now();
      this.replyTimer = setTimeout(() => this.drop(), REPLY_TIMEOUT_MS);
    }
  }

  /** Give up on the socket now (offline, or a heartbeat unanswered) rather than wait for the browser to. */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    this.closed(1006);
    ws.close();
  }

  disconnected() {
    this.ws = null;
    this.ready = false;
    this.heartbeatAt = null;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.replyTimer);
    for (const id of [...this.saves.keys()]) this.settleSave(id, null, new SocketUnavailable("closed"));
  }

  closed(code) {
    const wasReady = this.ready;
    this.disconnected();
    if (this.stopped) return;
    if (code === CLOSE_FORBIDDEN) {
      this.stop();
      this.onState("refused", this.refusal);
      return;
    }
    this.onState("reconnecting");
    if (code === CLOSE_UNAUTHENTICATED) {
      this.renew();
      return;
    }
    if (wasReady) this.lostAt = Date.now();
    this.retryLater();
  }

  /** The server refused the token (expired while the computer slept, say): get a fresh one, then reconnect. */
  async renew() {
    const outcome = await refreshToken();
    if (this.stopped) return;
    if (outcome === "expired") {
      this.stop();
      this.onState("expired");
      return;
    }
    this.retryLater();
  }

  retryLater() {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  reconnectNow() {
    clearTimeout(this.retryTimer);
    this.connect();
  }
}
