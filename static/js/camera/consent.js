// The camera notice a student reads before any camera use (DESIGN §6): the server's text (what is recorded, who
// sees it, how long it is kept), what happens without the camera under this exam's policy, and the choice.
// The server records the agreement with the text that was shown.
import { t } from "../i18n.js";

const $ = (id) => document.getElementById(id);

const WITHOUT = {
  required: [t("This exam cannot be taken without the camera. If you do not agree, the questions stay hidden "
    + "(and the exam's clock keeps running): ask your instructor if you cannot use a camera."), t("I do not agree")],
  optional: [t("You may take this exam without the camera. If you do not agree, the camera stays off and your "
    + "proctors are told that it is off."), t("Continue without the camera")],
};

/** Show the notice; resolves true when the student agrees, false when they decline. */
export function askConsent({ text, policy }) {
  const [without, decline] = WITHOUT[policy];
  $("consent-text").textContent = text;
  $("consent-policy").textContent = without;
  $("consent-decline").textContent = decline;
  const section = $("camera-consent");
  section.hidden = false;
  $("consent-title").focus();
  return new Promise((resolve) => {
    const choose = (agreed) => () => {
      section.hidden = true;
      $("consent-agree").onclick = null;
      $("consent-decline").onclick = null;
      resolve(agreed);
    };
    $("consent-agree").onclick = choose(true);
    $("consent-decline").onclick = choose(false);
  });
}
