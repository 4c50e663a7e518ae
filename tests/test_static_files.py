"""/static serves the tool's own scripts and styles and, from node_modules, only the files pages load, under the
fingerprint of everything it serves."""

import re
import shutil

import pytest

from lti_tool.static_files import FROM_NODE_MODULES, STATIC_DIR, fingerprint

needs_node_modules = pytest.mark.skipif(not (STATIC_DIR / "node_modules").exists(),
                                        reason="static/node_modules absent (bash scripts/test runs npm ci)")


@pytest.fixture
def current(app):
    return f"/static/{app.config['STATIC_FINGERPRINT']}"


def test_the_tools_own_scripts_and_styles_are_served_to_keep(client, current):
    for path in ("js/session.js", "js/camera/face-worker.js", "css/app.css"):
        with client.get(f"{current}/{path}") as response:
            assert response.status_code == 200, path
            assert response.data == (STATIC_DIR / path).read_bytes()
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_another_fingerprint_gets_todays_file_revalidated_and_no_fingerprint_nothing(client):
    with client.get("/static/0123456789ab/js/session.js") as response:
        assert response.status_code == 200
        assert response.data == (STATIC_DIR / "js/session.js").read_bytes()
        assert response.headers["Cache-Control"] == "no-cache" and "ETag" in response.headers
    assert client.get("/static/js/session.js").status_code == 404
    assert client.get("/static/0123456789abc/js/session.js").status_code == 404


def test_pages_name_their_scripts_and_styles_under_the_fingerprint(client, current):
    page = client.get("/").get_data(as_text=True)
    named = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert named and all(url.startswith(f"{current}/") for url in named)


def test_the_fingerprint_follows_every_served_file_and_nothing_else(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static, ignore=shutil.ignore_patterns("node_modules"))
    before = fingerprint(static)
    (static / "package.json").write_text("{}")
    assert fingerprint(static) == before
    script = static / "js" / "attempt" / "clock.js"
    script.write_bytes(script.read_bytes() + b"\n")
    changed = fingerprint(static)
    assert changed != before
    script.rename(static / "js" / "attempt" / "clock2.js")
    assert fingerprint(static) not in (before, changed)


@needs_node_modules
@pytest.mark.parametrize("path", sorted(FROM_NODE_MODULES))
def test_the_library_files_pages_load_are_served(client, current, path):
    with client.get(f"{current}/{path}") as response:
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
def test_everything_else_under_static_is_not_found(client, current, path):
    assert client.get(f"{current}/{path}").status_code == 404


def test_every_library_file_a_page_or_worker_names_is_on_the_list():
    """The scripts name their library files by URL relative to static/js/camera/: each must be served."""
    named = {name for script in (STATIC_DIR / "js").rglob("*.js")
             for name in re.findall(r'"(?:\.\./)+(node_modules/[^"]+\.js)"', script.read_text())}
    assert len(named) == 2 and named <= FROM_NODE_MODULES
