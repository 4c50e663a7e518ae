// The "who am I" line every landing page shows: user, course, role and the exam of this link.
import { api, start } from "../session.js";

const ROLE_NAMES = { student: "Student", test_maker: "Test Maker", proctor: "Proctor" };

export function roleNames(roles) {
  return roles.map((r) => ROLE_NAMES[r] || r).join(", ");
}

/** Start the page session, load who we are and the bound exam, and fill in #identity. */
export async function loadIdentity() {
  start();
  const [me, current] = await Promise.all([api("/api/session"), api("/api/exams/current")]);
  const block = document.getElementById("identity");
  const field = (name) => block.querySelector(`[data-field="${name}"]`);
  field("user").textContent = me.user.name;
  field("course").textContent = me.course.title;
  field("roles").textContent = roleNames(me.roles);
  field("exam").textContent = current.exam ? current.exam.title : "No exam yet";
  block.setAttribute("aria-busy", "false");
  return { me, exam: current.exam };
}
