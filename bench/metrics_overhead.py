"""What the metrics add to an answer save: the same PUT through a bare Flask app shaped like the save endpoint
(route template with ids, JSON body), with the metrics package's request hooks and the save histogram (on) and
without them (off). The database work of a real save is the same either way, so it is left out: the difference
is the whole cost. Runs in this process (one registry, as under `flask run`) and in a child process with
PROMETHEUS_MULTIPROC_DIR set (file-backed values, as under gunicorn). Prints medians of several runs.

    .venv/bin/python bench/metrics_overhead.py [--runs 7] [--saves 3000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(metrics_on):
    from flask import Flask

    from lti_tool.metrics import http
    from lti_tool.metrics.registry import ANSWER_SAVE_SECONDS

    app = Flask(__name__)

    def save_answer(attempt_id, question_id):
        return {"saved": True, "question_id": question_id}

    if metrics_on:
        http.init_app(app)
        save_answer = ANSWER_SAVE_SECONDS.time()(save_answer)
    app.put("/api/attempts/<int:attempt_id>/answers/<int:question_id>")(save_answer)
    return app


def per_save_us(app, saves):
    client = app.test_client()
    started = time.perf_counter()
    for n in range(saves):
        client.put(f"/api/attempts/{n}/answers/7", json={"option_ids": [1], "seq": n})
    return (time.perf_counter() - started) / saves * 1e6


def measure(runs, saves):
    apps = {"off": make_app(False), "on": make_app(True)}
    for app in apps.values():
        per_save_us(app, 200)  # warm up
    results = {"off": [], "on": []}
    for _ in range(runs):
        for name, app in apps.items():  # interleaved, so drift hits both alike
            results[name].append(per_save_us(app, saves))
    return {name: statistics.median(values) for name, values in results.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--saves", type=int, default=3000)
    p.add_argument("--mode", choices=["single", "multiprocess"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mode:
        medians = measure(args.runs, args.saves)
        extra = medians["on"] - medians["off"]
        print(f"{args.mode:>12}: off {medians['off']:.1f} µs, on {medians['on']:.1f} µs per save; "
              f"metrics add {extra:.1f} µs ({extra / medians['off']:.0%} of the bare request)")
        return
    subprocess.run([sys.executable, __file__, "--mode", "single", "--runs", str(args.runs), "--saves", str(args.saves)],
                   check=True, env={k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"})
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([sys.executable, __file__, "--mode", "multiprocess", "--runs", str(args.runs),
                        "--saves", str(args.saves)],
                       check=True, env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory})


if __name__ == "__main__":
    main()
