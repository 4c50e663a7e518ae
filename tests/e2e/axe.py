"""axe-core (static/package.json's devDependency, read from disk: the tool never serves it) run in a page or
the tool's frame, as Chromium renders it."""

from tests.e2e.conftest import ROOT

AXE = ROOT / "static" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def violations(frame):
    """axe's violations of WCAG 2.x A/AA and its best practices in `frame` (a Page or Frame), of any impact."""
    if not frame.evaluate("typeof window.axe === 'object'"):
        # Evaluated as the page's own code would be, bypassing the tool's CSP (no inline scripts, no eval).
        frame.evaluate(AXE.read_text())
    return frame.evaluate("(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags } })"
                          ".then((result) => result.violations)", TAGS)


def describe(found):
    """One readable paragraph per violation: rule, impact, what it means, and each element's selector."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} {v['helpUrl']}\n"
        + "\n".join(f"    {' >> '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}"
                    for node in v["nodes"])
        for v in found)


def assert_no_violations(frame, where):
    found = violations(frame)
    assert not found, f"axe found {len(found)} violations on {where}:\n{describe(found)}"
