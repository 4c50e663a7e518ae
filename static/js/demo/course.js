// The demo course page: serve LTI Platform Storage to the framed tool, and say which launch is open.
import { servePlatformStorage } from "./platform-storage.js";

const { toolOrigin } = JSON.parse(document.getElementById("demo-config").textContent);
servePlatformStorage(toolOrigin);

const frame = document.getElementById("tool-frame");
const status = document.getElementById("frame-status");
for (const launch of document.querySelectorAll("a[data-launch]")) {
  launch.addEventListener("click", () => {
    const link = launch.getAttribute("aria-describedby");
    const where = link ? ` on “${document.getElementById(link).textContent}”` : "";
    status.textContent = `${launch.textContent}${where}: the tool is loading below.`;
    frame.scrollIntoView({ behavior: "smooth", block: "start" });
  });
}
