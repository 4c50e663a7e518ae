// Deep linking: pick or create an exam, then send the signed answer back to the LMS.
import { api, start } from "../session.js";

const status = document.getElementById("dl-status");
start();

const createButton = document.getElementById("create-button");
let choosing = false;

async function choose(body) {
  // One answer per press: a second press while the first is on its way would create or add the exam twice.
  if (choosing) return;
  choosing = true;
  createButton.disabled = true;
  status.textContent = "Adding the exam to your course…";
  try {
    const answer = await api("/api/deep-link", { method: "POST", body });
    const form = document.getElementById("return-form");
    form.action = answer.return_url;
    form.elements.JWT.value = answer.jwt;
    form.submit();
  } catch (error) {
    status.textContent = `Could not add the exam: ${error.message}`;
    choosing = false;
    createButton.disabled = false;
  }
}

function renderExams(exams) {
  const list = document.getElementById("exam-list");
  document.getElementById("no-exams").hidden = exams.length > 0;
  for (const exam of exams) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = exam.title;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Add this exam";
    button.setAttribute("aria-label", `Add this exam: ${exam.title}`);
    button.addEventListener("click", () => choose({ exam_id: exam.id }));
    item.append(name, button);
    list.append(item);
  }
}

document.getElementById("create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  choose({ title: document.getElementById("exam-title").value });
});
createButton.disabled = false;

try {
  const options = await api("/api/deep-link");
  renderExams(options.exams);
  status.textContent = "Choose an exam, or create a new one.";
} catch (error) {
  status.textContent = `Could not load the exams: ${error.message}`;
}
