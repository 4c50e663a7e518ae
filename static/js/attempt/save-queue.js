// The answer save queue: every click is queued and sent at once, one request at a time, in order.
// Saves are idempotent per question (the last one wins on the server), so a question that is queued
// again before it was sent keeps only its latest choice. What is not yet acknowledged is kept in the tab's
// store (sessionStorage, or the page's fragment where storage is blocked: tab-state.js), so a reload
// re-applies it and sends it again. Network errors and 5xx answers
// stay queued and are retried with backoff and on the `online` event; a refusal (4xx) is dropped.
// Each save carries its order number (`seq`), counted on from the highest the server holds (startAfter):
// a save this page gave up waiting for and sent again may still reach the server after a later choice,
// and the server keeps the later one. Nothing is sent before the page knows where to count from.
import { isConnectionProblem, isRetryable } from "./request.js";

const MAX_DELAY_MS = 30000;

export class SaveQueue {
  /**
   * @param {object} options
   * @param {{get, set, remove}} options.store  where the unsent saves are kept across a reload
   * @param {string} options.storageKey  their key there
   * @param {(questionId: number, payload: object) => Promise} options.send  the request; throws on failure
   * @param {(questionId: number, status: string, error?: Error) => void} options.onStatus
   *   "saving", "saved", "waiting" (kept for a retry) or "refused" (dropped, error has the server's message)
   * @param {(offline: boolean) => void} options.onConnection  true while saves fail for want of a connection
   */
  constructor({ store, storageKey, send, onStatus = () => {}, onConnection = () => {} }) {
    this.store = store;
    this.storageKey = storageKey;
    this.send = send;
    this.onStatus = onStatus;
    this.onConnection = onConnection;
    this.items = new Map(); // questionId -> { payload, seq }, oldest change first
    this.seq = 0;
    this.numbered = false; // set by startAfter(): the order numbers continue the server's
    this.running = false;
    this.failures = 0;
    this.retryTimer = null;
    this.waiters = [];
    this.stopped = false;
    this.restore();
    this.retryNow = () => this.kick();
    window.addEventListener("online", this.retryNow);
  }

  /** Number the saves after `serverSeq`, the highest the server holds for this attempt (saves restored
   * from before a reload are numbered again, in their order), and start sending. */
  startAfter(serverSeq) {
    this.seq = Math.max(this.seq, serverSeq);
    if (!this.numbered) {
      this.numbered = true;
      for (const item of this.items.values()) item.seq = ++this.seq;
    }
    this.kick();
  }

  /** Queue the latest choice for a question and start sending. An older unsent choice for the same
   * question is replaced (the queue keeps the order of the latest changes). */
  enqueue(questionId, payload) {
    if (this.stopped) return;
    this.items.delete(questionId);
    this.items.set(questionId, { payload, seq: ++this.seq });
    this.persist();
    this.onStatus(questionId, "saving");
    this.kick();
  }

  /** The unsent payload for a question, or undefined. */
  pending(questionId) {
    return this.items.get(questionId)?.payload;
  }

  /** [questionId, payload] pairs not yet acknowledged. */
  entries() {
    return [...this.items].map(([id, item]) => [id, item.payload]);
  }

  get size() {
    return this.items.size;
  }

  /** Send everything now. Resolves true once the queue is empty, false if a save failed for want of
   * a connection (the saves stay queued and keep being retried). */
  flush() {
    if (this.items.size === 0 && !this.running) return Promise.resolve(true);
    const done = new Promise((resolve) => this.waiters.push(resolve));
    this.kick();
    return done;
  }

  /** Stop sending and forget the queue (the attempt is over: the server refuses every save). */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    window.removeEventListener("online", this.retryNow);
    this.items.clear();
    this.persist();
    this.settle(false);
  }

  kick() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.running && !this.stopped && this.numbered) this.run();
  }

  async run() {
    this.running = true;
    while (this.items.size && !this.stopped) {
      const [questionId, item] = this.items.entries().next().value;
      this.onStatus(questionId, "saving");
      try {
        await this.send(questionId, { ...item.payload, seq: item.seq });
      } catch (error) {
        if (this.stopped) break;
        if (isRetryable(error)) {
          this.failures += 1;
          if (isConnectionProblem(error)) this.onConnection(true);
          for (const id of this.items.keys()) this.onStatus(id, "waiting", error);
          this.scheduleRetry();
          this.running = false;
          this.settle(false);
          return;
        }
        this.forget(questionId, item);
        this.onStatus(questionId, "refused", error);
        continue;
      }
      this.failures = 0;
      this.onConnection(false);
      this.forget(questionId, item);
      if (!this.items.has(questionId)) this.onStatus(questionId, "saved");
    }
    this.running = false;
    if (this.items.size === 0) this.settle(true);
  }

  /** Drop a sent (or refused) save, unless a newer choice for the question arrived meanwhile. */
  forget(questionId, item) {
    if (this.items.get(questionId)?.seq === item.seq) {
      this.items.delete(questionId);
      this.persist();
    }
  }

  scheduleRetry() {
    const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(this.failures - 1, 5));
    const delay = base * (0.8 + Math.random() * 0.4);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), delay);
  }

  settle(ok) {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(ok);
  }

  persist() {
    if (this.items.size) this.store.set(this.storageKey, JSON.stringify(this.entries()));
    else this.store.remove(this.storageKey);
  }

  restore() {
    let saved = [];
    try { saved = JSON.parse(this.store.get(this.storageKey) || "[]"); } catch { saved = []; }
    if (!Array.isArray(saved)) return;
    for (const entry of saved) {
      if (!Array.isArray(entry) || entry.length !== 2) continue;
      const [questionId, payload] = entry;
      if (Number.isInteger(questionId) && payload && Array.isArray(payload.option_ids)) {
        this.items.set(questionId, { payload, seq: ++this.seq });
      }
    }
  }
}
