// The exam's proctors, picked from the course's roster: a search (name, email or login name) whose results are
// boxes to tick, and the listed people as ticked boxes (untick to take someone off). Saved by user id.
import { isolate } from "../isolate.js";
import { append, byId, el } from "./dom.js";
import { plural } from "./format.js";
import { api } from "../session.js";

// Wait for a pause in typing before asking the server.
const SEARCH_DELAY_MS = 250;
const ROLE_NAMES = { student: "student", test_maker: "test maker", proctor: "proctor" };

/** The person in a sentence. */
function describe(person) {
  return person.email ? `${isolate(person.name)} (${person.email})` : isolate(person.name);
}

/** The person in a checkbox's label. */
function labelParts(person) {
  return [el("bdi", {}, person.name), person.email ? ` (${person.email})` : ""];
}

export function proctorPicker(examId) {
  const chosenList = byId("proctor-chosen");
  const none = byId("proctor-none");
  const results = byId("proctor-results");
  const count = byId("proctor-results-count");
  const search = byId("proctor-search");
  const chosen = new Map();
  // Everyone shown under "Listed proctors": one unticked there stays until saved, so focus stays on its box.
  const shown = new Map();
  let asked = 0;
  let timer = null;

  function box(person, prefix, extra) {
    const id = `${prefix}-${person.user_id}`;
    const input = el("input", { type: "checkbox", id, value: String(person.user_id), checked: chosen.has(person.user_id),
                                onchange: () => toggle(person, input.checked) });
    return el("li", { class: "check" }, input, el("label", { for: id }, ...labelParts(person), extra || ""));
  }

  function toggle(person, on) {
    if (on) chosen.set(person.user_id, person);
    else chosen.delete(person.user_id);
    if (!shown.has(person.user_id)) {
      shown.set(person.user_id, person);
      renderChosen();
    }
    for (const input of chosenList.querySelectorAll("input")) input.checked = chosen.has(Number(input.value));
    for (const input of results.querySelectorAll("input")) input.checked = chosen.has(Number(input.value));
  }

  function renderChosen() {
    chosenList.replaceChildren();
    append(chosenList, [...shown.values()].map((person) => box(person, "proctor")));
    none.hidden = shown.size > 0;
  }

  async function find() {
    const mine = ++asked;
    const query = search.value.trim();
    const { candidates, limit } = await api(
      `/api/exams/${examId}/proctor-candidates?q=${encodeURIComponent(query)}`);
    if (mine !== asked) return;  // a later search has been sent
    results.replaceChildren();
    append(results, candidates.map((person) => box(person, "candidate",
      ` — ${person.roles.map((r) => ROLE_NAMES[r] || r).join(", ")}`)));
    if (!candidates.length) count.textContent = query ? `Nobody of this course matches “${query}”.` : "Nobody yet.";
    else if (candidates.length >= limit) count.textContent = `The first ${limit} people shown: type more to narrow.`;
    else count.textContent = `${plural(candidates.length, "person", "people")} found.`;
  }

  function findSoon(onError) {
    clearTimeout(timer);
    timer = setTimeout(() => find().catch(onError), SEARCH_DELAY_MS);
  }

  return {
    /** Show the listed people ticked, and the course's first people to pick from. */
    show(listed, onError) {
      chosen.clear();
      shown.clear();
      for (const person of listed) {
        chosen.set(person.user_id, person);
        shown.set(person.user_id, person);
      }
      renderChosen();
      search.oninput = () => findSoon(onError);
      search.onkeydown = (event) => {
        // Enter searches now; it must not submit (save) the form.
        if (event.key !== "Enter") return;
        event.preventDefault();
        clearTimeout(timer);
        find().catch(onError);
      };
      return find();
    },

    /** What to send: the people ticked. */
    chosen() {
      return { user_ids: [...chosen.keys()] };
    },

    describe,
  };
}
