// Student lobby: who you are and which exam this link runs.
import { loadIdentity } from "./identity.js";

const status = document.getElementById("lobby-status");
try {
  const { exam } = await loadIdentity();
  status.textContent = exam
    ? `This link runs the exam “${exam.title}”. Your instructor will tell you when it opens.`
    : "Your instructor has not set up an exam for this link yet. Please check back later.";
} catch (error) {
  status.textContent = `Could not load your exam: ${error.message}`;
}
