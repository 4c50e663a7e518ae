"""A real server (gunicorn + gevent, as `scripts/run` starts it) and Debian's Chromium driven by Playwright."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import CHROMIUM
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# The tool's frame in the demo LMS is cross-site, as in a real LMS; the cookie, storage and permission rules it
# meets do not depend on the frame's process. Out-of-process frames are turned off
# (--disable-site-isolation-trials) because Playwright 1.65 loses track of one now and then when it moves to its
# own process mid-navigation: the frame never shows its page to the test, and the next navigation in it stops
# Playwright's driver ("Assertion error" in FrameManager.frameAttached), so every browser test after it failed
# ("Playwright connection closed"; CI 2026-12-05, and once here in a run of the browser tests).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-site-isolation-trials",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The tool on localhost:PORT and its demo platform on 127.0.0.1:PORT: two sites, one server."""
    yield from serve(tmp_path_factory)


def serve(tmp_path_factory, **extra_env):
    """Run the tool (migrated, demo seeded) with gunicorn until the generator is closed; yields its URLs."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("live")
    database = workdir / "live.sqlite3"
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "TOOL_BASE_URL": f"http://localhost:{port}",
        "DEMO_PLATFORM_URL": f"http://127.0.0.1:{port}/demo",
        "BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        # Grades the LMS did not take are tried again within seconds, so an outage test ends quickly.
        "PASSBACK_BACKOFF_SECONDS": "1",
        **extra_env,
    }
    flask = [sys.executable, "-m", "flask", "--app", "lti_tool"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "seed"], env=env, cwd=ROOT, check=True, capture_output=True)
    log_path = workdir / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "configs/gunicorn.conf.py", "wsgi:app"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(f"http://127.0.0.1:{port}/healthz", server, log_path)
            yield {"demo": f"http://127.0.0.1:{port}/demo", "tool": f"http://localhost:{port}", "log": log_path,
                   "database": database}
        finally:
            server.terminate()
            try:
                # gunicorn's graceful stop waits out open (keep-alive) connections for graceful_timeout.
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_serving(url, server, log_path, timeout=30):
    """Poll the health endpoint until gunicorn answers; fail with its log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start serving: {log_path.read_text()[-2000:]}")


def launch_chromium(playwright, *extra_args):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="session")
def browser(playwright):
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1000, "height": 1100})
    page = context.new_page()
    yield page
    screenshot(page, request.node.name)
    context.close()


def screenshot(page, name):
    """What the test saw, in test-artifacts/ for a person to look at: the tool's frame inside the demo LMS, or
    the whole page where the tool is the page.

    Never a full-page shot of a page with the cross-site frame: that resizes the viewport and back, and until
    Chromium has redrawn the frame its hit-testing is stale, so the next click lands on the <iframe> element and
    the button inside never sees it (one e2e run in about ten lost a click)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = str(ARTIFACTS / f"{name}.png")
    tool = page.locator('iframe[name="tool-frame"]')
    if tool.count():
        tool.screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=True)
