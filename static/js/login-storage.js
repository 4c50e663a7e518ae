// OIDC login with platform storage: store state and nonce with the platform, then go on to its login.
import { putData, stateKey } from "./platform-storage.js";

const data = JSON.parse(document.getElementById("login-data").textContent);
try {
  await putData(data.storage_target, data.platform_origin, stateKey(data.state), data.state);
  await putData(data.storage_target, data.platform_origin, `lti1p3_nonce_${data.nonce}`, data.nonce);
} catch {
  // The platform did not answer: carry on; the state cookie may still work.
}
location.replace(data.redirect_url);
