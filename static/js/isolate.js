// Text people wrote (names, warnings, notes) set inside our own sentences, where an element with dir="auto"
// cannot go (a sentence in a live region, an <option>): Unicode's first-strong isolate does what dir="auto" does,
// so an Arabic name neither takes its neighbours' direction nor reorders the sentence around it.
const FIRST_STRONG_ISOLATE = "\u2068";
const POP_DIRECTIONAL_ISOLATE = "\u2069";

export function isolate(text) {
  return `${FIRST_STRONG_ISOLATE}${text}${POP_DIRECTIONAL_ISOLATE}`;
}
