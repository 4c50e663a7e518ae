// Whether this page may ask for the camera (or the screen) at all. Inside an LMS the iframe's permission policy
// decides (allow="camera ...; display-capture ..."; Moodle's frame never grants display-capture), and a frame
// that is not allowed gets no prompt, only a refusal: so look first, and
// offer the way out, the same page in a window of its own (the launch token goes along in the fragment, as
// with every move between the tool's pages).

/** False when the permission policy of this page (its LMS frame) denies `feature` ("camera", "display-capture"). */
export function allowedHere(feature) {
  const policy = document.permissionsPolicy ?? document.featurePolicy;
  return policy?.allowsFeature ? policy.allowsFeature(feature) : true;
}

export function inFrame() {
  return window.top !== window.self;
}

/** Open this page in a new window, signed in with `token`; null when the browser blocked the pop-up. */
export function openInNewWindow(token) {
  const opened = window.open(`${location.pathname}${location.search}#token=${encodeURIComponent(token)}`, "_blank");
  if (opened) opened.opener = null;
  return opened;
}
