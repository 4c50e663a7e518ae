// The "who am I" line every landing page shows: user, course, role and the exam of this link.
import { t } from "../i18n.js";
import { api, start } from "../session.js";

const ROLE_NAMES = { student: () => t("Student"), test_maker: () => t("Test Maker"), proctor: () => t("Proctor") };

export function roleNames(roles) {
  return roles.map((r) => ROLE_NAMES[r]?.() ?? r).join(", ");
}

/** Show `text` (a name or title, in whatever direction it is written) in the #identity field `name`, isolated
 * in a <bdi> so that the line's separators stay where the page's direction puts them. */
export function setField(name, text) {
  const isolated = document.createElement("bdi");
  isolated.textContent = text;
  document.querySelector(`#identity [data-field="${name}"]`)?.replaceChildren(isolated);
}

/** Start the page session, load who we are and the bound exam, and fill in #identity. */
export async function loadIdentity() {
  start();
  const [me, current] = await Promise.all([api("/api/session"), api("/api/exams/current")]);
  const block = document.getElementById("identity");
  setField("user", me.user.name);
  setField("course", me.course.title);
  block.querySelector('[data-field="roles"]').textContent = roleNames(me.roles);
  setField("exam", current.exam ? current.exam.title : t("No exam yet"));
  block.setAttribute("aria-busy", "false");
  return { me, exam: current.exam };
}
