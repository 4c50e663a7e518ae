// Requests the JSON helper of session.js cannot make: multipart uploads, file downloads, and calls whose
// HTTP status matters (409 on delete). They carry the same launch token as `Authorization: Bearer`.
const STORAGE_KEY = "proctor-lti:launch-token";

// session.js keeps its token private; it also keeps this tab's copy (refreshed) in sessionStorage.
// Where storage is blocked, fall back to the token the page was opened with (read before start() strips it).
const fragment = location.hash.match(/(?:^#|&)token=([^&]+)/);
const openedWith = fragment ? decodeURIComponent(fragment[1]) : null;

function token() {
  try {
    return sessionStorage.getItem(STORAGE_KEY) || openedWith;
  } catch {
    return openedWith;
  }
}

export class ApiError extends Error {
  constructor(status, message, hint) {
    super(message);
    this.status = status;
    this.hint = hint || null;
  }
}

/** fetch() with the launch token; answers the Response, or throws ApiError with the server's message. */
export async function call(path, { method = "GET", body, json } = {}) {
  const headers = { Authorization: `Bearer ${token()}`, Accept: "application/json" };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, "The tool could not be reached. Check your connection and try again.");
  }
  if (response.ok) return response;
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) {
    const banner = document.getElementById("session-expired");
    if (banner) banner.hidden = false;
  }
  throw new ApiError(response.status, data.error?.message || `The server answered ${response.status}.`,
    data.error?.hint);
}

/** Upload one file as multipart `file`; answers the JSON reply. */
export async function upload(path, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return (await call(path, { method: "POST", body: form })).json();
}

/** Fetch a file with the token and hand it to the browser as a download named like the server says. */
export async function download(path, fallbackName) {
  const response = await call(path);
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = disposition.match(/filename="?([^";]+)"?/)?.[1] || fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}
