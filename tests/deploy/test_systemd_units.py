"""deploy/systemd/ passes `systemd-analyze verify`, with its /opt and /etc paths moved into a temporary root (verify
checks that ExecStart's program exists), and deploy/proctor-lti.env.example names every variable the tool reads."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lti_tool.config import ENV_VARS
from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = ROOT / "deploy" / "proctor-lti.env.example"
VENV_BIN = ROOT / ".venv" / "bin"


@pytest.fixture
def systemd_analyze():
    path = shutil.which("systemd-analyze")
    if not path:
        if REQUIRE_SERVICES:
            pytest.fail("systemd-analyze is required (REQUIRE_SERVICES=1): apt-get install systemd")
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    return path


def verify(systemd_analyze, tmp_path, edit=lambda text: text):
    """Run verify on copies of the units whose paths point into tmp_path; returns (exit status, its output)."""
    checkout = tmp_path / "opt" / "proctor-lti"
    (checkout / ".venv").mkdir(parents=True)
    (checkout / ".venv" / "bin").symlink_to(VENV_BIN)
    (tmp_path / "env").write_text(ENV_EXAMPLE.read_text())
    copies = []
    for unit in sorted(UNITS.glob("*.service")):
        text = unit.read_text().replace("/opt/proctor-lti", str(checkout)).replace("/etc/proctor-lti/env",
                                                                                   str(tmp_path / "env"))
        copy = tmp_path / unit.name
        copy.write_text(edit(text))
        copies.append(str(copy))
    result = subprocess.run([systemd_analyze, "verify", *copies], capture_output=True, text=True, cwd=tmp_path)
    return result.returncode, result.stdout + result.stderr


def test_units_verify_cleanly(systemd_analyze, tmp_path):
    status, output = verify(systemd_analyze, tmp_path)
    # verify exits 0 on unknown keys and only prints them: any line about our units is a failure.
    assert status == 0 and str(tmp_path) not in output, output


@pytest.mark.parametrize("broken", [
    lambda text: text.replace("Restart=on-failure", "Restrat=on-failure"),
    lambda text: text.replace("/.venv/bin/gunicorn", "/.venv/bin/gunicorm"),
    lambda text: text.replace("[Service]", "[Servce]"),
], ids=["misspelled-directive", "missing-program", "misspelled-section"])
def test_a_broken_unit_fails(systemd_analyze, tmp_path, broken):
    status, output = verify(systemd_analyze, tmp_path, broken)
    assert status != 0 or str(tmp_path) in output


def test_the_tool_unit_stops_as_gunicorn_closes_sockets():
    unit = (UNITS / "proctor-lti.service").read_text()
    graceful = int(re.search(r"^graceful_timeout = (\d+)$", (ROOT / "configs" / "gunicorn.conf.py").read_text(),
                             re.M)[1])
    assert "KillSignal=SIGTERM" in unit  # the workers' SIGTERM handler closes every socket with 1001
    assert int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.M)[1]) > graceful
    assert "LimitNOFILE=65536" in unit and "Restart=on-failure" in unit


def test_the_env_example_names_every_variable():
    named = set(re.findall(r"^#?([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.M))
    production = set(ENV_VARS) - {"DEMO_PLATFORM_URL"}  # the demo cannot be enabled in production
    assert production | {"APP_ENV", "WEB_CONCURRENCY"} <= named
