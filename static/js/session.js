// The launch token: kept in memory and where a reload of this tab finds it (its sessionStorage, or its URL
// fragment where a cross-site frame's storage is blocked; see tab-state.js), sent as
// `Authorization: Bearer`, refreshed while the page is open. Never a cookie, never in a query string.
import { t } from "./i18n.js";
import { forgetOpened, openedWith, storageWorks, tabStore } from "./tab-state.js";

const TOKEN_KEY = "token";
let token = null;
let refreshTimer = null;
let refreshing = null;
const refreshListeners = new Set();

function store(value) {
  token = value;
  tabStore.set(TOKEN_KEY, value);
  scheduleRefresh();
  for (const listener of refreshListeners) listener(value);
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
  refreshTimer = setTimeout(refreshToken, delay);
}

/** Exchange the launch token for a fresh one now (one exchange at a time). Resolves "refreshed", "expired" (the
 * session is over; the page says so) or "offline" (tried again in a moment). */
export function refreshToken() {
  refreshing ??= exchange().finally(() => { refreshing = null; });
  return refreshing;
}

async function exchange() {
  clearTimeout(refreshTimer);
  const response = await fetch("/api/session/refresh", {
    method: "POST", headers: { Authorization: `Bearer ${token}` },
  }).catch(() => null);
  const fresh = response?.ok ? (await response.json().catch(() => ({}))).token : null;
  if (fresh) {
    store(fresh);
    return "refreshed";
  }
  if (response && (response.status === 401 || response.status === 403)) {
    showExpired();
    return "expired";
  }
  refreshTimer = setTimeout(refreshToken, 10000);
  return "offline";
}

/** The launch token now, for what cannot send a header (the first message of a websocket). */
export function launchToken() {
  return token;
}

/** Call `listener(token)` with each new launch token, e.g. to send it on an open websocket. */
export function onTokenRefresh(listener) {
  refreshListeners.add(listener);
}

export class SessionError extends Error {}

function showExpired() {
  const banner = document.getElementById("session-expired");
  if (banner) banner.hidden = false;
}

/** The page was opened without a launch (typed in, a bookmark, or its token gone): say to open it from the LMS
 * and show nothing else of the page (app.css hides the rest of a body.no-launch). */
function showNoLaunch() {
  document.body.classList.add("no-launch");
  const notice = document.getElementById("no-launch");
  if (notice) notice.hidden = false;
}

// A page stops at start() when it has no launch: that is no error for the console.
for (const [type, thrown] of [["error", (event) => event.error], ["unhandledrejection", (event) => event.reason]]) {
  addEventListener(type, (event) => { if (thrown(event) instanceof SessionError) event.preventDefault(); });
}

/** Take the token from the URL fragment (just launched, or storage blocked) or this tab's storage (a reload).
 * Every page calls this before anything else it loads; without a valid token it throws SessionError. */
export function start() {
  const value = openedWith(TOKEN_KEY) || tabStore.get(TOKEN_KEY);
  if (storageWorks) forgetOpened(TOKEN_KEY);
  if (!value || expiresInMs(value) <= 0) {
    showNoLaunch();
    throw new SessionError("no valid launch token");
  }
  store(value);
}

/** A refusal from the server: its HTTP status, message, hint and structured details (e.g. problems). */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || t("The server answered %(status)s.", { status }));
    this.status = status;
    this.hint = error.hint || null;
    this.details = error;
  }
}

/** fetch() with the launch token; the Response when it is a success, else ApiError (status 0: offline). */
export async function authFetch(path, { headers = {}, timeoutMs = 20000, ...init } = {}) {
  let response;
  try {
    response = await fetch(path, {
      cache: "no-store", ...init, headers: { Accept: "application/json", ...headers, Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs), // a silently dropped connection counts as offline
    });
  } catch {
    throw new ApiError(0, { message: t("The tool could not be reached. Check your connection and try again.") });
  }
  if (response.ok) return response;
  if (response.status === 401) showExpired();
  const data = await response.json().catch(() => ({}));
  throw new ApiError(response.status, data.error || {});
}

/** authFetch() for JSON: a body object in, the answer's JSON out (null for 204). */
export async function api(path, { method = "GET", body, timeoutMs } = {}) {
  const init = { method, timeoutMs };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await authFetch(path, init);
  return response.status === 204 ? null : response.json();
}

/** Go to another page of the tool, carrying the token in the fragment (never sent to servers). */
export function navigate(path) {
  // The page's language and time zone (set by the launch from the LMS's) go on to the next page.
  const target = new URL(path, location.href);
  const here = new URLSearchParams(location.search);
  for (const name of ["lang", "tz"]) {
    if (here.get(name) && !target.searchParams.has(name)) target.searchParams.set(name, here.get(name));
  }
  location.assign(`${target.pathname}${target.search}#token=${encodeURIComponent(token)}`);
}
