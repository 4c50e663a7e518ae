// The edit page's Camera and proctoring: full screen (an exam setting) and the camera rules (their own API), saved
// together by one button. Face checks need the camera, so they are off limits while it is off.
import { api, ApiError } from "../session.js";
import { busy, byId, messenger } from "./dom.js";
import { exam, examId, numberOrRaw, replaceExam } from "./edited-exam.js";
import { fieldErrors, notSaved } from "./field-errors.js";
import { saved, watch } from "./unsaved.js";

const form = byId("camera-form");
const msg = messenger("camera-status", "camera-alert");
const errors = fieldErrors(form);
const NUMBERS = ["snapshot_interval_seconds", "snapshot_width", "retention_days"];
let camera = null;

function showFaceChecks() {
  const off = form.elements.policy.value === "off";
  form.elements.face_checks.disabled = off;
  byId("c-faces-off").hidden = !off;
}

function fill() {
  const f = form.elements;
  f.require_fullscreen.checked = Boolean(exam.settings.require_fullscreen);
  f.policy.value = camera.policy;
  f.face_checks.checked = camera.face_checks;
  f.screen_share.checked = camera.screen_share;
  for (const name of NUMBERS) f[name].value = camera[name];
  showFaceChecks();
  errors.clear();
}

export async function proctoringForm() {
  camera = await api(`/api/exams/${examId}/camera/settings`);
  fill();
  watch(form, fill);
  form.addEventListener("change", (event) => { if (event.target.name === "policy") showFaceChecks(); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    msg.clear();
    if (!errors.check()) {
      msg.fail(notSaved(form.querySelectorAll("[aria-invalid=true]").length));
      return;
    }
    const f = form.elements;
    const body = { policy: f.policy.value, face_checks: f.face_checks.checked, screen_share: f.screen_share.checked };
    for (const name of NUMBERS) body[name] = numberOrRaw(f[name].value, null);
    busy(form.querySelector("button[type=submit]"), "Saving…", async () => {
      camera = await api(`/api/exams/${examId}/camera/settings`, { method: "PUT", body });
      replaceExam(await api(`/api/exams/${examId}`, {
        method: "PATCH", body: { require_fullscreen: f.require_fullscreen.checked } }));
      fill();
      saved(form);
      msg.say(`Camera and proctoring saved at ${new Date().toLocaleTimeString()}.`);
    }).catch((error) => {
      const shown = errors.show(error instanceof ApiError ? error.details.fields || {} : {});
      msg.fail(shown ? notSaved(shown) : error.message);
    });
  });
}
