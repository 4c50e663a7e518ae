// The state cookie did not come back: read the login's state from the platform's storage and send the launch
// again as JSON from this page (only the tool's own page can). Where the storage is not there or does not
// know this state, the form goes back to the tool, which offers a new window.
import { getData, stateKey } from "./platform-storage.js";

const data = JSON.parse(document.getElementById("check-data").textContent);
const form = document.getElementById("relaunch");

async function stored() {
  try {
    return await getData(data.storage_target, data.platform_origin, stateKey(data.state));
  } catch {
    return null;
  }
}

async function launchAgain(storageState) {
  const response = await fetch(data.confirm_url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ id_token: form.elements.id_token.value, state: data.state, lti_storage_state: storageState }),
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, body };
}

function refuse(error) {
  document.getElementById("check-status").textContent = "";
  const alert = document.getElementById("check-alert");
  const message = document.createElement("p");
  message.textContent = error?.message || "The launch could not be checked.";
  const hint = document.createElement("p");
  hint.textContent = error?.hint || "Go back to your course page and open the tool again.";
  alert.replaceChildren(message, hint);
  alert.hidden = false;
}

const storageState = await stored();
if (storageState !== data.state) {
  form.submit();
} else {
  const { ok, body } = await launchAgain(storageState).catch(() => ({ ok: false, body: {} }));
  if (ok) location.replace(`${body.landing}#token=${encodeURIComponent(body.token)}`);
  else if (body.error?.check === "state") form.submit();
  else refuse(body.error);
}
