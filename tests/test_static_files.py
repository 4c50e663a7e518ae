"""/static serves the tool's own scripts and styles and, from node_modules, only the files pages load."""

import re

import pytest

from lti_tool.static_files import FROM_NODE_MODULES, STATIC_DIR

needs_node_modules = pytest.mark.skipif(not (STATIC_DIR / "node_modules").exists(),
                                        reason="static/node_modules absent (bash scripts/test runs npm ci)")


def test_the_tools_own_scripts_and_styles_are_served(client):
    for path in ("js/session.js", "js/camera/face-worker.js", "css/app.css"):
        with client.get(f"/static/{path}") as response:
            assert response.status_code == 200, path
            assert response.data == (STATIC_DIR / path).read_bytes()


@needs_node_modules
@pytest.mark.parametrize("path", sorted(FROM_NODE_MODULES))
def test_the_library_files_pages_load_are_served(client, path):
    with client.get(f"/static/{path}") as response:
        assert response.status_code == 200
        assert response.data == (STATIC_DIR / path).read_bytes()


@pytest.mark.parametrize("path", [
    "package.json", "package-lock.json",
    "node_modules/@vladmandic/human/package.json",
    "node_modules/@vladmandic/human/dist/human.esm.js.map",
    "node_modules/@vladmandic/human/models/emotion.json",
    "node_modules/@vladmandic/face-api/demo/sample1.jpg",  # a devDependency
    "node_modules/axe-core/axe.min.js",  # the tests inject it themselves
    "node_modules/agora-rtc-sdk-ng/package.json",
    "node_modules/.package-lock.json",
    "js/../package.json", "css/../node_modules/agora-rtc-sdk-ng/package.json", "js/../../README.md",
    "node_modules/../js/../package.json",
])
def test_everything_else_under_static_is_not_found(client, path):
    assert client.get(f"/static/{path}").status_code == 404


def test_every_library_file_a_page_or_worker_names_is_on_the_list():
    """The scripts name their library files by URL relative to static/js/camera/: each must be served."""
    named = {name for script in (STATIC_DIR / "js").rglob("*.js")
             for name in re.findall(r'"(?:\.\./)+(node_modules/[^"]+\.js)"', script.read_text())}
    assert len(named) == 2 and named <= FROM_NODE_MODULES
