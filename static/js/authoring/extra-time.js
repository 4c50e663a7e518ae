// The edit page's extra time for one student (an accommodation), for attempts started from then on.
import { isolate } from "../isolate.js";
import { api, ApiError } from "../session.js";
import { busy, byId, el, messenger } from "./dom.js";
import { examId, numberOrRaw } from "./edited-exam.js";
import { fieldErrors, notSaved } from "./field-errors.js";
import { num, plural } from "./format.js";
import { saved, watch } from "./unsaved.js";

const form = byId("accommodation-form");
const msg = messenger("accommodation-status", "accommodation-alert");
const errors = fieldErrors(form);
let students = [];

function reset() {
  form.reset();
  errors.clear();
}

async function loadStudents() {
  const select = byId("a-student");
  try {
    ({ students } = await api(`/api/exams/${examId}/marks`));
  } catch (error) {
    msg.fail(`Could not load the students: ${error.message}`);
    return;
  }
  if (!students.length) {
    select.replaceChildren(el("option", { value: "" }, "No students yet"));
    select.disabled = true;
    form.querySelector("button[type=submit]").disabled = true;
    msg.say("Students appear here once they have opened the tool from the course.");
    return;
  }
  select.replaceChildren(el("option", { value: "" }, "Choose a student…"),
    ...students.map((s) => el("option", { value: s.user_id }, s.email ? `${isolate(s.name)} (${s.email})` : isolate(s.name))));
}

export async function extraTime() {
  watch(form, reset);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    msg.clear();
    const f = form.elements;
    const userId = Number(f.user_id.value);
    if (!errors.check(() => (userId ? {} : { user_id: "Choose a student first." }))) {
      msg.fail(notSaved(form.querySelectorAll("[aria-invalid=true]").length));
      return;
    }
    const student = students.find((s) => s.user_id === userId);
    busy(form.querySelector("button[type=submit]"), "Saving…", async () => {
      const answer = await api(`/api/exams/${examId}/accommodations/${userId}`, { method: "PUT", body: {
        extra_minutes: numberOrRaw(f.extra_minutes.value, 0), time_multiplier: numberOrRaw(f.time_multiplier.value, 1),
      } });
      saved(form);
      msg.say(`Saved for ${student ? isolate(student.name) : "the student"}: ${plural(answer.extra_minutes, "extra minute")}`
        + ` and ${num(answer.time_multiplier)}× the duration, for attempts started from now on.`);
    }).catch((error) => {
      const shown = errors.show(error instanceof ApiError ? error.details.fields || {} : {});
      msg.fail(shown ? notSaved(shown) : error.message);
    });
  });
  await loadStudents();
}
