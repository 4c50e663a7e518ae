// The student's entire screen, shared with getDisplayMedia: only a whole monitor is taken (a window or a tab
// would hide the rest of the screen), and why a share could not be had is said in plain words.

/** Why the screen could not be shared: kind is not_monitor, denied, unsupported or failed. */
export class ScreenProblem extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** A MediaStream of the entire screen (video only), or a ScreenProblem. Needs the student's click. */
export async function openScreen() {
  if (!navigator.mediaDevices?.getDisplayMedia) {
    throw new ScreenProblem("unsupported", "This browser cannot share the screen with web pages.");
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({
      video: { displaySurface: "monitor" }, audio: false, monitorTypeSurfaces: "include",
      selfBrowserSurface: "exclude", surfaceSwitching: "exclude",
    });
  } catch (error) {
    const denied = ["NotAllowedError", "SecurityError", "AbortError"].includes(error.name);
    throw new ScreenProblem(denied ? "denied" : "failed", error.message || error.name);
  }
  const [track] = stream.getVideoTracks();
  const surface = track?.getSettings().displaySurface;
  if (surface !== "monitor") {
    for (const each of stream.getTracks()) each.stop();
    throw new ScreenProblem("not_monitor", `A ${surface ?? "part of the screen"} was shared, not the entire screen.`);
  }
  return stream;
}
