// The edit page's proctors: the people listed to proctor this exam besides the course's test makers.
import { api } from "../session.js";
import { busy, byId, messenger } from "./dom.js";
import { exam, examId, reload } from "./edited-exam.js";
import { plural } from "./format.js";
import { proctorPicker } from "./proctor-picker.js";
import { saved, watch } from "./unsaved.js";

const form = byId("proctors-form");
const msg = messenger("proctors-status", "proctors-alert");
const picker = proctorPicker(examId);
const showPicked = () => picker.show(exam.proctors, (error) => msg.fail(error.message));

export async function proctorsForm() {
  await showPicked();
  watch(form, showPicked);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), "Saving…", async () => {
      const { proctors } = await api(`/api/exams/${examId}/proctors`, { method: "PUT", body: picker.chosen() });
      await reload();
      await showPicked();
      saved(form);
      msg.say(proctors.length
        ? `Saved ${plural(proctors.length, "proctor")}: ${proctors.map(picker.describe).join(", ")}.`
        : "Saved: no proctors listed, so only the course's test makers proctor this exam.");
    }).catch((error) => msg.fail(error.message));
  });
}
