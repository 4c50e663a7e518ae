// The countdown. The server is the only clock: each attempt state carries its `deadline` and the
// server's `now`. We place the server's `now` at the middle of the request's round trip (measured with
// performance.now(), which never jumps when the computer's clock is changed) and count from there
// with performance.now()-based ticks. Re-syncing only replaces that reference point.
import { t, tn } from "../i18n.js";

/** Milliseconds since the epoch for an ISO 8601 time from the server (microseconds allowed). */
export function parseTime(iso) {
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
}

export class ServerClock {
  constructor() {
    this.reference = null; // { serverMs, perfMs }: the server's time at a performance.now() reading
    this.deadlineMs = null;
    this.roundTripMs = 0;
  }

  /** Take `now` and `deadline` from an attempt state fetched between performance.now() t0 and t1. */
  sync({ now, deadline }, t0, t1) {
    this.roundTripMs = Math.max(0, t1 - t0);
    this.reference = { serverMs: parseTime(now) + this.roundTripMs / 2, perfMs: t1 };
    this.deadlineMs = parseTime(deadline);
  }

  /** The server's time now, as best we know it. */
  serverNow() {
    return this.reference.serverMs + (performance.now() - this.reference.perfMs);
  }

  remainingMs() {
    if (!this.reference) return 0;
    return Math.max(0, this.deadlineMs - this.serverNow());
  }
}

/** Calls onTick(remainingMs) about once a second, on whole-second boundaries of the time left, and
 * onZero() once when it reaches zero. Each tick reads the clock afresh, so a throttled timer (a
 * hidden tab) never makes the count drift. */
export class Countdown {
  constructor(clock, { onTick, onZero }) {
    this.clock = clock;
    this.onTick = onTick;
    this.onZero = onZero;
    this.timer = null;
  }

  start() {
    this.stop();
    this.tick();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  tick() {
    const left = this.clock.remainingMs();
    this.onTick(left);
    if (left <= 0) {
      this.timer = null;
      this.onZero();
      return;
    }
    // Wake just after the displayed second changes (the display rounds up).
    const delay = (left % 1000 || 1000) + 20;
    this.timer = setTimeout(() => this.tick(), delay);
  }
}

/** Whole seconds shown for a time left in ms (rounded up, so 0:00 means the time is really up). */
export function displaySeconds(ms) {
  return Math.ceil(Math.max(0, ms) / 1000);
}

/** "12:34" or "1:02:03". */
export function formatClock(ms) {
  const total = displaySeconds(ms);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** Time left in words, for screen readers: "1 hour 5 minutes", "4 minutes", "30 seconds". */
export function describeRemaining(ms) {
  const total = displaySeconds(ms);
  if (total < 60) return tn("%(n)s second", "%(n)s seconds", total);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const minutesText = tn("%(n)s minute", "%(n)s minutes", minutes);
  if (!hours) return minutesText;
  const hoursText = tn("%(n)s hour", "%(n)s hours", hours);
  // Hours and minutes together, each already in words: "1 hour 5 minutes".
  return minutes ? t("%(hours)s %(minutes)s", { hours: hoursText, minutes: minutesText }) : hoursText;
}

/** Announces 10, 5 and 1 minutes left, each once, and only when the count crosses it while the page is
 * open (a page opened with 7 minutes left announces 5 and 1, not 10). */
export class Milestones {
  constructor(minutes = [10, 5, 1]) {
    this.marks = minutes.map((m) => m * 60);
    this.last = null;
  }

  /** The minute mark just reached, or null. */
  check(ms) {
    const seconds = displaySeconds(ms);
    const previous = this.last;
    this.last = seconds;
    if (previous === null) return null;
    const crossed = this.marks.filter((mark) => previous > mark && seconds <= mark);
    return crossed.length ? Math.min(...crossed) / 60 : null;
  }

  /** Forget the last reading (after a re-sync that moved the deadline, e.g. extra time). */
  reset() {
    this.last = null;
  }
}
