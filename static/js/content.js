// Question content as the server made it for pages (lti_tool/content/rich_text.py: plain text escaped, formatted
// text cleaned down to its safe tags, formulas as MathML). The one place server HTML goes into a page; the page's
// Content-Security-Policy (no inline scripts) stands behind the server's cleaning.

/** `element` showing `html`, returned for chaining into el(). */
export function showContent(element, html) {
  element.innerHTML = html ?? "";
  return element;
}
