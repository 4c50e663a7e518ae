// Proctor landing: the exam of this link; the live dashboard opens from here.
import { loadIdentity } from "./identity.js";

const status = document.getElementById("proctor-status");
try {
  const { exam } = await loadIdentity();
  status.textContent = exam
    ? `You can proctor “${exam.title}” here once the live dashboard is available.`
    : "No exam is bound to this link yet.";
} catch (error) {
  status.textContent = `Could not load the exam: ${error.message}`;
}
