// The student's camera: opening it (and saying in plain words why it could not be opened) and taking a still of
// it as a small JPEG for the proctors.

const QUALITIES = [0.7, 0.5, 0.35];

/** Why the camera could not be used: kind is denied, missing, in_use, unsupported or failed. */
export class CameraProblem extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

const KINDS = {
  NotAllowedError: "denied", SecurityError: "denied", NotFoundError: "missing", OverconstrainedError: "missing",
  NotReadableError: "in_use", AbortError: "in_use",
};

/** A MediaStream from the camera (video only), or a CameraProblem. */
export async function openCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraProblem("unsupported", "This browser offers no camera to web pages here.");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" }, audio: false,
    });
  } catch (error) {
    throw new CameraProblem(KINDS[error.name] ?? "failed", error.message || error.name);
  }
}

/** A still of the playing `video` as a JPEG Blob at most `width` pixels wide and `maxBytes` big, or null. */
export async function jpegOf(video, { width, maxBytes }) {
  if (!video.videoWidth) return null;
  const scale = Math.min(1, width / video.videoWidth);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  for (const quality of QUALITIES) {
    const blob = await new Promise((resolve) => { canvas.toBlob(resolve, "image/jpeg", quality); });
    if (blob && blob.size <= maxBytes) return blob;
  }
  return null;
}
