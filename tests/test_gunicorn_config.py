"""configs/gunicorn.conf.py as gunicorn reads it: how many connections (students' sockets) one worker holds."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READ = "import runpy; print(runpy.run_path('configs/gunicorn.conf.py')['worker_connections'])"


@pytest.mark.parametrize(("setting", "held"), [(None, "4000"), ("12000", "12000")])
def test_a_worker_holds_4000_connections_unless_worker_connections_says_more(tmp_path, setting, held):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    env.pop("WORKER_CONNECTIONS", None)
    if setting:
        env["WORKER_CONNECTIONS"] = setting
    read = subprocess.run([sys.executable, "-c", READ], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=60)
    assert read.stdout.strip() == held
