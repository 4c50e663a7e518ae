// Test maker landing: the course's exams and the one bound to this link.
import { api } from "../session.js";
import { loadIdentity } from "./identity.js";

const status = document.getElementById("manage-status");
try {
  const { exam: bound } = await loadIdentity();
  const { exams } = await api("/api/exams");
  const list = document.getElementById("exam-list");
  for (const exam of exams) {
    const item = document.createElement("li");
    item.textContent = exam.title + (bound && bound.id === exam.id ? " (this link)" : "");
    list.append(item);
  }
  status.textContent = exams.length
    ? `${exams.length} exam(s). Authoring arrives with the exam features.`
    : "No exams yet. Add the tool to your course with the LMS's “add activity / external tool” to create one.";
} catch (error) {
  status.textContent = `Could not load the exams: ${error.message}`;
}
