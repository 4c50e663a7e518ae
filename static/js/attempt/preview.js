// A test maker's preview of the exam (exam/preview.py): the page says plainly that nothing is recorded, and it
// starts no proctoring, camera or full screen (nobody watches a preview, and nothing of it is kept as an attempt).
import { t } from "../i18n.js";

/** Show the preview banner when the attempt is a preview (and name the way back: the exam list); true when it is. */
export function showPreviewBanner(state) {
  document.getElementById("preview-banner").hidden = !state.preview;
  if (state.preview) document.getElementById("back-to-lobby").textContent = t("Back to the exam list");
  return Boolean(state.preview);
}
