// Camera stills as the dashboard shows them: fetched with the launch token (an <img> cannot send it) and shown
// from blob URLs, each revoked when its picture leaves the page.
import { t } from "../i18n.js";
import { authFetch } from "../session.js";

export const FLAG_WORDS = { no_face: t("No face"), multiple_faces: t("Several faces") };

/** A blob URL of the still `snapshotId` of the exam; revoke it with URL.revokeObjectURL when done. */
export async function stillUrl(examId, snapshotId) {
  const response = await authFetch(`/api/exams/${examId}/snapshots/${snapshotId}.jpg`, {
    headers: { Accept: "image/jpeg" },
  });
  return URL.createObjectURL(await response.blob());
}
