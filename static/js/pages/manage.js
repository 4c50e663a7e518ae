// Test maker landing: the course's exams, the one bound to this link, and what can be done with each.
import { byId, busy, confirmInline, el, messenger } from "../authoring/dom.js";
import { plural, windowText } from "../authoring/format.js";
import { moreMenu, refocus } from "../authoring/more-menu.js";
import { goButton, pages } from "../authoring/nav.js";
import { publishingActions, publishingControls, stateBadge } from "../authoring/publishing.js";
import { api, ApiError, navigate } from "../session.js";
import { loadIdentity, setField } from "./identity.js";

const list = byId("exam-list");
const msg = messenger("manage-status", "manage-alert");
let bound = null; // the exam this launch's link runs, or null

async function refresh() {
  const { exams } = await api("/api/exams");
  list.replaceChildren(...exams.map(card));
  byId("link-unbound").hidden = Boolean(bound);
  return exams;
}

function card(exam) {
  const isBound = bound && bound.id === exam.id;
  const titleId = `exam-${exam.id}-title`;
  const heading = el("h3", { id: titleId }, el("bdi", {}, exam.title), stateBadge(exam),
    isBound ? el("span", { class: "badge badge-accent" }, "This link") : null,
    exam.closed ? el("span", { class: "badge" }, "Closed") : null);
  const facts = [
    plural(exam.questions, "question"), windowText(exam), `${exam.duration_minutes} min`,
    plural(exam.attempts_allowed, "attempt"),
  ];
  const item = el("li", { class: "exam-card", "aria-labelledby": titleId, "data-exam-id": exam.id });
  // A draft's next steps, Publish and Preview, stand out; once published they are occasional: in the menu.
  const handlers = { onChange: published, onError: report };
  const { toggle, preview, problems } = exam.published ? publishingActions(exam, handlers) : {};
  const actions = el("div", { class: "actions" },
    goButton("Edit", pages.edit(exam.id), { label: `Edit ${exam.title}`, className: "" }),
    goButton("Marks", pages.marks(exam.id), { label: `Marks of ${exam.title}` }),
    moreMenu(`More actions for ${exam.title}`, [
      preview,
      goButton("Live room", pages.room(exam.id), { label: `Live room of ${exam.title}` }),
      action("Duplicate", `Duplicate ${exam.title}`, () => duplicate(exam)),
      isBound ? null : action("Use for this link", `Use ${exam.title} for this link`, () => bind(exam)),
      toggle,
      action("Archive", `Archive ${exam.title}`, () => archive(exam, item)),
      action("Delete", `Delete ${exam.title}`, () => remove(exam, item), "secondary danger-text"),
    ]),
  );
  item.append(heading, el("p", { class: "meta", text: facts.join(" · ") }),
    ...(exam.published ? [actions, problems] : [publishingControls(exam, handlers), actions]));
  return item;
}

async function published(exam) {
  await refresh();
  msg.say(exam.published ? `Published “${exam.title}”: its students can open it.`
    : `“${exam.title}” is a draft again: students cannot see it.`);
  focusCard(exam.id, exam.published ? "More actions" : "Publish");
}

function action(text, label, handler, className = "secondary") {
  const button = el("button", { type: "button", class: className, "aria-label": label });
  button.textContent = text;
  button.addEventListener("click", () => busy(button, null, handler).catch(report).finally(() => {
    // A cancelled confirmation removes the focused element: bring focus back to where it started (the "More"
    // button for an action from its closed list).
    if (button.isConnected && (document.activeElement === document.body || !document.activeElement)) {
      refocus(button);
    }
  }));
  return button;
}

function report(error) {
  msg.fail(error.message);
}

function focusCard(examId, buttonPrefix = "Edit") {
  const button = list.querySelector(`[data-exam-id="${examId}"] button[aria-label^="${buttonPrefix}"]`);
  button?.focus();
}

async function create(title, { forLink = false } = {}) {
  const exam = await api("/api/exams", { method: "POST", body: { title } });
  if (forLink) {
    await api(`/api/exams/${exam.id}/bind`, { method: "POST" });
    setBound(exam);
  }
  await refresh();
  msg.say(forLink ? `Created “${exam.title}” and made it this link's exam.` : `Created “${exam.title}”.`);
  focusCard(exam.id);
  return exam;
}

async function duplicate(exam) {
  const copy = await api(`/api/exams/${exam.id}/duplicate`, { method: "POST" });
  await refresh();
  msg.say(`Made “${copy.title}”, with the same settings and ${plural(copy.questions, "question")}.`);
  focusCard(copy.id);
}

function setBound(exam) {
  bound = exam;
  setField("exam", exam.title);
}

async function bind(exam) {
  await api(`/api/exams/${exam.id}/bind`, { method: "POST" });
  setBound(exam);
  await refresh();
  msg.say(`This link now runs “${exam.title}”.`);
  focusCard(exam.id);
}

async function archive(exam, item) {
  const yes = await confirmInline(item, {
    question: `Archive “${exam.title}”? It leaves this list; its attempts and marks are kept.`,
    confirm: "Archive exam", danger: false,
  });
  if (!yes) return;
  await api(`/api/exams/${exam.id}/archive`, { method: "POST" });
  if (bound && bound.id === exam.id) bound = null;
  await refresh();
  msg.say(`Archived “${exam.title}”.`);
  byId("exams-title").focus();
}

async function remove(exam, item) {
  const yes = await confirmInline(item, {
    question: `Delete “${exam.title}” and its questions? This cannot be undone.`, confirm: "Delete exam",
  });
  if (!yes) return;
  try {
    await api(`/api/exams/${exam.id}`, { method: "DELETE" });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    const instead = el("button", { type: "button", class: "secondary" }, `Archive “${exam.title}” instead`);
    instead.addEventListener("click", () => busy(instead, null, async () => {
      await api(`/api/exams/${exam.id}/archive`, { method: "POST" });
      if (bound && bound.id === exam.id) bound = null;
      await refresh();
      msg.say(`Archived “${exam.title}”.`);
    }).catch(report));
    msg.fail(error.message, instead);
    instead.focus();
    return;
  }
  if (bound && bound.id === exam.id) bound = null;
  await refresh();
  msg.say(`Deleted “${exam.title}”.`);
  byId("exams-title").focus();
}

// A course copied into a new term keeps each link's exam of the old course: the server offers a copy.
async function showCopyOffer() {
  const { offer } = await api("/api/exams/current/copy-offer");
  const section = byId("copy-offer");
  section.hidden = !offer;
  if (!offer) return;
  const button = byId("copy-offer-accept");
  button.hidden = !offer.allowed;
  if (!offer.allowed) {
    byId("copy-offer-text").textContent = offer.reason;
    byId("copy-offer-hint").textContent = offer.hint;
    return;
  }
  const { exam } = offer;
  byId("copy-offer-text").textContent = `This link opened “${exam.title}” (${plural(exam.questions, "question")}) `
    + `in ${exam.course}. Copy it into this course: its questions, settings, camera settings and the proctors who `
    + "are people of this course come along; the other course's attempts, marks and events stay there.";
  byId("copy-offer-hint").textContent = "Students of this course see nothing to take until you copy it or choose "
    + "another exam. The copy keeps the old exam's dates: check them before students start.";
  button.textContent = `Copy “${exam.title}” into this course`;
  button.onclick = () => busy(button, "Copying…", acceptCopy).catch(report);
}

async function acceptCopy() {
  const copy = await api("/api/exams/current/copy-offer/accept", { method: "POST" });
  setBound(copy);
  byId("copy-offer").hidden = true;
  await refresh();
  msg.say(`Copied “${copy.title}” into this course; this link now runs it.`);
  focusCard(copy.id);
}

function onCreate(formId, inputId, options) {
  const form = byId(formId);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId(inputId);
    const title = input.value.trim();
    if (!title) {
      input.setAttribute("aria-invalid", "true");
      msg.fail("Give the exam a title first.");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    busy(form.querySelector("button[type=submit]"), "Creating…", () => create(title, options))
      .then(() => { input.value = ""; })
      .catch(report);
  });
}

byId("exams-title").tabIndex = -1;
byId("team-link").addEventListener("click", () => navigate(pages.team()));
byId("bank-link").addEventListener("click", () => navigate(pages.bank()));
onCreate("create-form", "new-exam-title", {});
onCreate("create-for-link-form", "link-exam-title", { forLink: true });

try {
  const identity = await loadIdentity();
  bound = identity.exam;
  byId("names-withheld").hidden = !identity.me.course.names_withheld;
  const exams = await refresh();
  if (!bound) await showCopyOffer();
  msg.say(exams.length
    ? `${plural(exams.length, "exam")} in this course.`
    : "No exams yet. Create the first one above.");
} catch (error) {
  msg.fail(`Could not load the exams: ${error.message}`);
}
