// The course team: everyone the course's roster knows, their LMS and tool roles, and a Proctor only switch per
// person. A switch saves at once; a refusal (the last test maker) puts it back and says why.
import { byId, el, messenger } from "../authoring/dom.js";
import { plural } from "../authoring/format.js";
import { fillCourseNav } from "../authoring/nav.js";
import { api, start } from "../session.js";
import { roleNames } from "./identity.js";

const body = byId("team-table").querySelector("tbody");
const filter = byId("team-filter");
const msg = messenger("team-status", "team-alert");
let members = [];
let me = null;

/** "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" -> "Instructor". */
function lmsRoleNames(roles) {
  return [...new Set(roles.map((role) => role.split(/[#/]/).pop()))].join(", ") || "none";
}

function row(person) {
  const id = `proctor-only-${person.user_id}`;
  const who = person.user_id === me ? `${person.name} (you)` : person.name;
  // Named with the person: a screen reader going down the column hears whose box it is.
  const box = el("input", { type: "checkbox", id, checked: person.proctor_only, "aria-label": `Proctor only: ${person.name}`,
                            onchange: () => save(person, box) });
  return el("tr", { "data-user-id": person.user_id },
    el("th", { scope: "row" }, el("bdi", {}, who), person.email ? el("span", { class: "email", text: person.email }) : null),
    el("td", { text: lmsRoleNames(person.lti_roles) }),
    el("td", { "data-field": "roles", text: roleNames(person.roles) || "No longer in the course" }),
    el("td", {}, el("div", { class: "check" }, box,
      el("label", { for: id, text: "Proctor only" }))));
}

function render() {
  const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = members.filter((p) => words.every((w) => `${p.name} ${p.email || ""}`.toLowerCase().includes(w)));
  body.replaceChildren(...shown.map(row));
  byId("team-count").textContent = words.length
    ? `${plural(shown.length, "person", "people")} of ${members.length} match.`
    : `${plural(members.length, "person", "people")} in this course.`;
}

async function save(person, box) {
  box.disabled = true;
  try {
    const saved = await api(`/api/course/team/${person.user_id}`, { method: "PUT",
                                                                  body: { proctor_only: box.checked } });
    Object.assign(person, saved);
    box.closest("tr").querySelector('[data-field="roles"]').textContent = roleNames(saved.roles);
    msg.say(saved.proctor_only
      ? `${person.name} is now proctor only: role in the tool ${roleNames(saved.roles) || "none"}.`
      : `${person.name} is no longer proctor only: role in the tool ${roleNames(saved.roles) || "none"}.`);
    if (person.user_id === me && !saved.roles.includes("test_maker")) {
      msg.say("You are now proctor only. Open the tool again from your course page to continue as a proctor.");
    }
  } catch (error) {
    box.checked = !box.checked;
    msg.fail(error.message);
  } finally {
    box.disabled = false;
  }
}

async function load() {
  start();
  const team = await api("/api/course/team");
  members = team.members;
  me = team.me;
  render();
  msg.say("");
}

filter.addEventListener("input", render);
fillCourseNav("Course team");
load().catch((error) => msg.fail(error.message));
