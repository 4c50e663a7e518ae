// The exam the edit page works on, shared by its sections: `exam` is what the server last answered.
import { api } from "../session.js";
import { examIdFromQuery } from "./format.js";

export const examId = examIdFromQuery();
export let exam = null;

export function replaceExam(answered) {
  exam = answered;
  return exam;
}

export async function reload() {
  return replaceExam(await api(`/api/exams/${examId}`));
}

/** A number field's value for the API: null (or `empty`) when blank, the text itself when it is no number, so the
 * server says what is wrong with it. */
export function numberOrRaw(value, empty) {
  const raw = value.trim();
  if (raw === "") return empty;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
}
