// The exam's proctors, picked as people of the course (a box per person with the proctor role, and the
// people listed already), plus addresses that each name one person of the course. Saved by user id.
import { append, byId, el } from "./dom.js";

function describe(person) {
  return person.email ? `${person.name} (${person.email})` : person.name;
}

export function proctorPicker(form) {
  const list = byId("proctor-choices");
  const none = byId("proctor-none");

  return {
    /** Show the candidates with the listed people ticked. */
    show(candidates, listed) {
      const ticked = new Set(listed.map((p) => p.user_id));
      list.replaceChildren();
      for (const person of candidates) {
        const id = `proctor-${person.user_id}`;
        append(list, [el("li", { class: "check" },
          el("input", { type: "checkbox", id, name: "user_ids", value: String(person.user_id),
                        checked: ticked.has(person.user_id) }),
          el("label", { for: id, text: describe(person) }))]);
      }
      none.hidden = candidates.length > 0;
      form.elements.emails.value = "";
    },

    /** What to send: the ticked people and the addresses typed. */
    chosen() {
      const boxes = [...list.querySelectorAll("input[name=user_ids]")];
      return {
        user_ids: boxes.filter((box) => box.checked).map((box) => Number(box.value)),
        emails: form.elements.emails.value.split(/[\s,;]+/).filter(Boolean),
      };
    },

    describe,
  };
}
