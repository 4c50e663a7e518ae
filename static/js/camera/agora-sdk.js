// Agora's Web SDK (agora-rtc-sdk-ng), pinned in static/package.json and served by the tool itself: its UMD
// bundle, loaded only when the camera runs through Agora, so pages in snapshot mode never touch it.
import { t } from "../i18n.js";

const BUNDLE = new URL("../../node_modules/agora-rtc-sdk-ng/AgoraRTC_N-production.js", import.meta.url).href;

let loading = null;

/** The AgoraRTC object (loaded once). */
export function loadAgora() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = BUNDLE;
    script.onload = () => (window.AgoraRTC ? resolve(window.AgoraRTC)
      : reject(new Error(t("The live video library did not start."))));
    script.onerror = () => {
      loading = null;
      script.remove();
      reject(new Error(t("The live video library could not be loaded.")));
    };
    document.head.append(script);
  });
  return loading;
}
