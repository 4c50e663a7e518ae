// The state cookie did not come back: read the state from the platform's storage instead.
import { getData, stateKey } from "./platform-storage.js";

const data = JSON.parse(document.getElementById("check-data").textContent);
const form = document.getElementById("relaunch");
let value = "";
try {
  value = (await getData(data.storage_target, data.platform_origin, stateKey(data.state))) || "";
} catch {
  value = ""; // the server then offers to open the tool in a new window
}
form.elements.lti_storage_state.value = value;
form.submit();
