"""The tool's page modules as a test's script imports them. A page loads them under `/static/<fingerprint>/`, and a
module's state (session.js's launch token) belongs to its URL, so a test must import the very URLs the page runs."""

# In a tool page: its static root, from the style sheet every page links (templates/base.html).
STATIC_ROOT = """document.querySelector('link[rel="stylesheet"][href*="/static/"]').href.replace(/css\\/[^/]+$/, "")"""


def importing(script):
    """`script` with each `import("/static/…")` made relative to the page's static root."""
    for quote in "\"'":
        script = script.replace(f"import({quote}/static/", f"import({STATIC_ROOT} + {quote}")
    return script
