"""A pytest plugin for the previous release's own test run (tests/upgrade/test_previous_release.py loads it with
`-p`): every database that run migrates gets the newer release's schema instead, built by the newer release's code
(NEWER_TREE) in its own process. Imports nothing of either release."""

import os
import subprocess
import sys

MIGRATE = "import sys; from tests.conftest import _migrate; _migrate(sys.argv[1])"


def newer_schema(database_url):
    tree = os.environ["NEWER_TREE"]
    subprocess.run([sys.executable, "-c", MIGRATE, database_url], cwd=tree,
                   env={**os.environ, "PYTHONPATH": tree}, check=True, timeout=120)
    with open(os.environ["NEWER_SCHEMA_LOG"], "a") as log:
        log.write(database_url.split(":", 1)[0] + "\n")


def pytest_sessionstart(session):
    # The previous release's tests/conftest.py migrates every database through its _migrate.
    sys.modules["tests.conftest"]._migrate = newer_schema
