// What a page keeps so that a reload of this tab resumes: the launch token (session.js) and, on the exam
// page, the answers not yet acknowledged. This tab's sessionStorage when the browser allows it. In a cross-site LMS frame whose
// storage is blocked (Chromium with third-party cookies blocked throws on any sessionStorage access), the
// page's own URL fragment instead: it survives a reload, is never sent to a server or in a Referer, and
// is rewritten with history.replaceState, so it adds no history entries.

const opened = new URLSearchParams(location.hash.slice(1));

function probeStorage() {
  try {
    const key = "proctor-lti:probe";
    sessionStorage.setItem(key, "1");
    sessionStorage.removeItem(key);
    return true;
  } catch {
    return false;
  }
}

export const storageWorks = probeStorage();

/** A value the page was opened with in its fragment (e.g. "token"). */
export function openedWith(name) {
  return opened.get(name);
}

const fragment = new URLSearchParams(opened);

function writeFragment() {
  const hash = fragment.toString();
  history.replaceState(history.state, "", `${location.pathname}${location.search}${hash ? `#${hash}` : ""}`);
}

/** get/set/remove over sessionStorage, or over the URL fragment where storage is blocked. */
export const tabStore = storageWorks
  ? {
    get: (key) => { try { return sessionStorage.getItem(key); } catch { return null; } },
    set: (key, value) => { try { sessionStorage.setItem(key, value); } catch { /* full: memory only */ } },
    remove: (key) => { try { sessionStorage.removeItem(key); } catch { /* nothing kept */ } },
  }
  : {
    get: (key) => fragment.get(key),
    set: (key, value) => { fragment.set(key, value); writeFragment(); },
    remove: (key) => { if (fragment.has(key)) { fragment.delete(key); writeFragment(); } },
  };

/** Take a value out of the fragment the page was opened with (once it is kept in storage instead). */
export function forgetOpened(name) {
  if (fragment.has(name)) {
    fragment.delete(name);
    writeFragment();
  }
}

/** A value of this page's own kept in the URL fragment whatever the storage (e.g. the edit page's open section):
 * a reload and Back come back to it. */
export const pageFragment = {
  get: (key) => fragment.get(key),
  set: (key, value) => { fragment.set(key, value); writeFragment(); },
};
