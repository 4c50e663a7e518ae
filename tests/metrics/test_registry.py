"""Multiprocess mode: the values several worker processes write are summed by the /metrics of any one of them."""

import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.parser import text_string_to_metric_families

from lti_tool.metrics.views import _process_metrics
from tests.metrics.test_views import parse
from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
from lti_tool.metrics.registry import BUS_RECONNECTS, OPEN_SOCKETS
BUS_RECONNECTS.inc({count})
OPEN_SOCKETS.labels("student").inc({count})
"""


def run_worker(directory, count):
    """A process that moves two metrics by `count` and exits; returns its pid."""
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(count=count)],
                              env={"PROMETHEUS_MULTIPROC_DIR": str(directory)}, cwd=ROOT)
    assert worker.wait() == 0
    return worker.pid


def collected(directory):
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry


def test_two_processes_counters_are_summed(tmp_path):
    run_worker(tmp_path, 2)
    run_worker(tmp_path, 3)
    assert collected(tmp_path).get_sample_value("proctor_lti_bus_reconnects_total") == 5


def test_a_dead_workers_open_sockets_stop_counting_but_its_counters_stay(tmp_path):
    dead = run_worker(tmp_path, 2)
    run_worker(tmp_path, 3)
    mark_process_dead(dead, str(tmp_path))  # what configs/gunicorn.conf.py's child_exit does
    registry = collected(tmp_path)
    assert registry.get_sample_value("proctor_lti_open_sockets", {"kind": "student"}) == 3
    assert registry.get_sample_value("proctor_lti_bus_reconnects_total") == 5


def test_the_metrics_page_serves_the_sums_when_the_directory_is_set(tmp_path, monkeypatch):
    run_worker(tmp_path, 4)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert parse(_process_metrics().decode())["proctor_lti_bus_reconnects_total"] == 4


def test_gunicorn_workers_serve_the_sum_of_every_workers_requests(app, database_url, tmp_path):
    metrics_dir = tmp_path / "metrics"
    env = {"APP_ENV": "test", "DATABASE_URL": database_url, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with gunicorn("wsgi:app", env, tmp_path / "server.log", workers=2) as port:
        for _ in range(20):  # a new connection each: the two workers take turns as the kernel hands them out
            assert urlopen(f"http://127.0.0.1:{port}/healthz").status == 200
        scraped = urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    healthz = [sample.value for family in text_string_to_metric_families(scraped) for sample in family.samples
               if sample.name == "proctor_lti_http_requests_total" and sample.labels["route"] == "/healthz"]
    assert healthz == [20]
