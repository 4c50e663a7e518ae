// The launch token: kept in memory (and in this tab's sessionStorage so a reload resumes),
// sent as `Authorization: Bearer`, refreshed while the page is open. Never a cookie.
const STORAGE_KEY = "proctor-lti:launch-token";
let token = null;
let refreshTimer = null;

function readStored() {
  try { return sessionStorage.getItem(STORAGE_KEY); } catch { return null; }
}

function store(value) {
  token = value;
  try { sessionStorage.setItem(STORAGE_KEY, value); } catch { /* storage blocked: memory only */ }
  scheduleRefresh();
}

function expiresInMs(value) {
  try {
    const payload = JSON.parse(atob(value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return payload.exp * 1000 - Date.now();
  } catch { return 0; }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const delay = Math.max(5000, expiresInMs(token) / 2);
  refreshTimer = setTimeout(refresh, delay);
}

async function refresh() {
  const response = await fetch("/api/session/refresh", {
    method: "POST", headers: { Authorization: `Bearer ${token}` },
  }).catch(() => null);
  if (response && response.ok) {
    store((await response.json()).token);
  } else if (response && (response.status === 401 || response.status === 403)) {
    showExpired();
  } else {
    refreshTimer = setTimeout(refresh, 10000); // offline: try again soon
  }
}

export class SessionError extends Error {}

function showExpired() {
  const banner = document.getElementById("session-expired");
  if (banner) banner.hidden = false;
}

/** Take the token from the URL fragment (just launched) or this tab's storage (a reload). */
export function start() {
  const match = location.hash.match(/(?:^#|&)token=([^&]+)/);
  const fromHash = match && decodeURIComponent(match[1]);
  if (fromHash) history.replaceState(null, "", location.pathname + location.search);
  const value = fromHash || readStored();
  if (!value || expiresInMs(value) <= 0) {
    showExpired();
    throw new SessionError("no valid launch token");
  }
  store(value);
}

/** fetch() with the launch token; JSON in, JSON out; an error answer throws with its message. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) showExpired();
  if (!response.ok) throw new Error(data.error?.message || `The server answered ${response.status}.`);
  return data;
}

/** Go to another page of the tool, carrying the token in the fragment (never sent to servers). */
export function navigate(path) {
  location.assign(`${path}#token=${encodeURIComponent(token)}`);
}
