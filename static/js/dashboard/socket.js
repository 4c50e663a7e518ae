// The dashboard's socket (/ws/proctor): hello with the launch token and the exam, each command answered in
// order (ack or error), reconnection with capped backoff and jitter, a new hello after every token refresh.
import { t } from "../i18n.js";
import { launchToken, onTokenRefresh, refreshToken } from "../session.js";

const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_FORBIDDEN = 4403;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30000;
const ANSWER_TIMEOUT_MS = 15000;
// A socket that has heard nothing for this long is asked (a hello) whether it is still there.
const QUIET_MS = 45000;

/** Wait before reconnect number `tries` (from 0): doubling up to the cap, a random half of it as jitter. */
export function backoffMs(tries, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** tries);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Why a command got no ack: `refused` (the server's message), `offline` (not sent) or `dropped` (no answer). */
class CommandError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

export class RoomSocket {
  /**
   * onMessage(message): roster, event, presence, status. onState({ state, ... }): connecting, live,
   * retrying (retryAt), offline, forbidden (message) or expired.
   */
  constructor({ examId, onMessage, onState }) {
    this.examId = examId;
    this.onMessage = onMessage;
    this.onState = onState;
    this.ws = null;
    this.tries = 0;
    this.timer = null;
    this.waiting = [];
    this.lastError = null;
    this.heardAt = 0;
    this.ended = false;
    this.reconnectWhenAnswered = false;
    onTokenRefresh(() => {
      if (this.ws?.readyState === WebSocket.OPEN) this.send({ type: "hello" }).catch(() => {});
    });
    addEventListener("offline", () => this.drop("offline"));
    addEventListener("online", () => { if (!this.ws && !this.ended) this.connect(); });
    setInterval(() => this.checkQuiet(), QUIET_MS / 3);
  }

  connect() {
    clearTimeout(this.timer);
    if (!navigator.onLine) {
      this.onState({ state: "offline" });
      return;
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/proctor`);
    this.ws = ws;
    this.lastError = null;
    this.onState({ state: "connecting" });
    ws.addEventListener("open", () => this.send({ type: "hello" }).catch(() => {}));
    // A connection given up on may still deliver what was in flight: only the current one is heard.
    ws.addEventListener("message", (event) => { if (this.ws === ws) this.receive(event.data); });
    ws.addEventListener("close", (event) => { if (this.ws === ws) this.closed(event.code); });
  }

  /** A fresh roster: close this connection and open a new one, once no command waits for its answer. */
  reconnect() {
    this.reconnectWhenAnswered = this.waiting.length > 0;
    if (this.reconnectWhenAnswered || this.ended) return;
    this.detach("resync");
    this.connect();
  }

  /** Send a command; resolves with its ack, rejects with a CommandError. */
  send(message) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new CommandError("offline",
        t("Not sent: the dashboard is not connected. Wait until it says “Live”, then try again.")));
    }
    const full = message.type === "hello" ? { type: "hello", token: launchToken(), exam_id: this.examId } : message;
    return new Promise((resolve, reject) => {
      const entry = { type: message.type, resolve, reject };
      entry.timer = setTimeout(() => this.drop("no answer"), ANSWER_TIMEOUT_MS);
      this.waiting.push(entry);
      ws.send(JSON.stringify(full));
    });
  }

  receive(raw) {
    this.heardAt = Date.now();
    let message;
    try { message = JSON.parse(raw); } catch { return; }
    if (message.type === "ack" || message.type === "hello") {
      this.answer((entry) => entry.resolve(message));
    } else if (message.type === "error") {
      this.lastError = message.message;
      // An expired token is said unasked, just before the close; any other error answers the oldest command.
      const unasked = message.code === "not_authenticated" && this.waiting[0]?.type !== "hello";
      if (!unasked) this.answer((entry) => entry.reject(new CommandError("refused", message.message)));
    } else {
      if (message.type === "roster") {
        this.tries = 0;
        this.onState({ state: "live" });
      }
      this.onMessage(message);
    }
  }

  answer(settle) {
    const entry = this.waiting.shift();
    if (!entry) return;
    clearTimeout(entry.timer);
    settle(entry);
    if (this.reconnectWhenAnswered && !this.waiting.length) this.reconnect();
  }

  /** Give up on this connection now (offline, no answer): the browser may take minutes to notice itself. */
  drop(why) {
    if (!this.ws) return;
    this.detach(why);
    this.closed(null);
  }

  detach(why) {
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, why);
    for (const entry of this.waiting.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(new CommandError("dropped", t("The connection dropped before the server answered, so this may "
        + "or may not have been done. Check the room (or the student's timeline) once it is live again.")));
    }
  }

  closed(code) {
    this.detach();
    if (code === CLOSE_FORBIDDEN) {
      this.ended = true;
      this.onState({ state: "forbidden", message: this.lastError });
    } else if (code === CLOSE_UNAUTHENTICATED) {
      refreshToken().then((outcome) => {
        if (outcome === "expired") {
          this.ended = true;
          this.onState({ state: "expired" });
        } else if (outcome === "refreshed" && this.tries === 0) {
          this.tries = 1; // a token refused again right after a refresh waits like any failure
          this.connect();
        } else {
          this.retry();
        }
      });
    } else if (navigator.onLine) {
      this.retry();
    } else {
      this.onState({ state: "offline" });
    }
  }

  retry() {
    const wait = backoffMs(this.tries);
    this.tries += 1;
    this.timer = setTimeout(() => this.connect(), wait);
    this.onState({ state: "retrying", retryAt: Date.now() + wait });
  }

  checkQuiet() {
    const ws = this.ws;
    if (ws?.readyState === WebSocket.OPEN && !this.waiting.length && Date.now() - this.heardAt > QUIET_MS) {
      this.send({ type: "hello" }).catch(() => {});
    }
  }
}
