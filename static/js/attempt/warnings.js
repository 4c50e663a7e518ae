// The proctor's warnings on the exam page: each in a modal dialog that stays until the student presses
// "I understand" (Escape does not dismiss it), one at a time in the order they came. The server sends every
// warning not yet acknowledged again after a reconnect or a reload; one already on this page is not queued twice.
import { t, tn, zonedTime } from "../i18n.js";
import { parseTime } from "./clock.js";

const $ = (id) => document.getElementById(id);

export class WarningDialog {
  /** @param {(warningId: number) => void} acknowledge  tell the server the student has read it */
  constructor(acknowledge) {
    this.acknowledge = acknowledge;
    this.dialog = $("warn-dialog");
    this.queue = []; // the one shown first
    this.seen = new Set();
    this.dialog.addEventListener("cancel", (event) => event.preventDefault());
    // Chromium closes a dialog on a second Escape even when the first was refused: show it again.
    this.dialog.addEventListener("close", () => this.showFirst());
    $("warn-ok").addEventListener("click", () => this.understood());
  }

  /** A `warn` message from the server: {warning_id, text, at}. */
  add(warning) {
    if (this.seen.has(warning.warning_id)) return;
    this.seen.add(warning.warning_id);
    this.queue.push(warning);
    if (this.queue.length === 1) this.showFirst();
    else this.describeQueue();
  }

  /** The attempt is over: nothing left to acknowledge. */
  clear() {
    this.queue = [];
    if (this.dialog.open) this.dialog.close();
  }

  showFirst() {
    const warning = this.queue[0];
    if (!warning || this.dialog.open) return;
    $("warn-text").textContent = warning.text;
    const sent = zonedTime(parseTime(warning.at));
    $("warn-time").textContent = t("Sent at %(time)s.", { time: sent });
    this.describeQueue();
    this.dialog.showModal();
    $("warn-ok").focus();
  }

  describeQueue() {
    const more = this.queue.length - 1;
    $("warn-more").textContent = more > 0 ? tn("%(n)s more warning follows.", "%(n)s more warnings follow.", more) : "";
  }

  understood() {
    const warning = this.queue.shift();
    if (!warning) return;
    this.acknowledge(warning.warning_id);
    this.dialog.close(); // its close event shows the next one
  }
}
