"""A teacher's Moodle bank coming in: a Moodle XML file of about 5 MB with 50 pictures (photos: noise that does not
compress, as the worst case) and 200 questions with formulas, sent to gunicorn as deployed (one gevent worker, a
fresh PostgreSQL database) as the edit page sends it. Times the check (the preview, dry run), which decodes and saves
again every picture, and then the import; each run with pictures of its own, so none is found already stored.
Prints the median of the runs. It measures; it does not assert.

    .venv/bin/python bench/question_import.py            # 3 runs (~1 min)
    .venv/bin/python bench/question_import.py --runs 1 --pictures 10
"""

import argparse
import base64
import http.client
import io
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402


def picture(rng, side):
    noise = bytes(rng.getrandbits(8) for _ in range(side * side * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, "JPEG", quality=90)
    return out.getvalue()


def moodle_file(rng, pictures, questions, side):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    for n in range(questions):
        shows = n < pictures
        image = f'<img src="@@PLUGINFILE@@/photo-{n}.jpg" alt="Photo {n}">' if shows else ""
        file = (f'<file name="photo-{n}.jpg" path="/" encoding="base64">'
                f"{base64.b64encode(picture(rng, side)).decode()}</file>") if shows else ""
        parts.append(
            f'<question type="multichoice"><name><text>Q{n}</text></name>'
            f'<questiontext format="html"><text><![CDATA[<p>Question {n}: what is \\(\\frac{{{n}}}{{2}} + x^2\\)?'
            f"</p>{image}]]></text>{file}</questiontext>"
            '<generalfeedback format="html"><text><![CDATA[<p>Because.</p>]]></text></generalfeedback>'
            "<defaultgrade>1</defaultgrade><single>true</single>"
            '<answer fraction="100" format="html"><text>Right</text></answer>'
            '<answer fraction="0" format="html"><text>Wrong</text></answer>'
            '<answer fraction="0" format="html"><text>Also wrong</text></answer></question>\n')
    parts.append("</quiz>\n")
    return "".join(parts).encode()


def post(port, token, exam_id, data, dry_run):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bank.xml\"\r\n"
            "Content-Type: text/xml\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("POST", f"/api/exams/{exam_id}/import?dry_run={1 if dry_run else 0}", body,
                 {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = conn.getresponse()
    answer = response.read()
    seconds = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"import answered {response.status}: {answer[:500]!r}")
    return seconds, json.loads(answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pictures", type=int, default=50)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--side", type=int, default=280, help="pixels a side of each (noise) photo")
    parser.add_argument("--budget", type=float, default=600)
    args = parser.parse_args()
    scenario.install_guards(args.budget)
    secret = secrets.token_urlsafe(32)
    with scenario.fresh_postgres() as url, tempfile.TemporaryDirectory() as workdir:
        scenario.migrate(url)
        now = scenario._now()
        seeded = scenario.seed_exam(scenario.engine_for(url), students=0, questions=0, test_maker=True,
                                    deadline=now + timedelta(hours=1), started_at=now)
        server = scenario.Server(url, 1, secret, workdir)
        try:
            token = scenario.launch_token(seeded, seeded["maker_id"], secret=secret, issuer=server.base,
                                          roles=("test_maker",))
            checks, imports = [], []
            for run in range(args.runs):
                data = moodle_file(random.Random(run), args.pictures, args.questions, args.side)
                seconds, answer = post(server.port, token, seeded["exam_id"], data, dry_run=True)
                checks.append(seconds)
                print(f"run {run + 1}: {len(data) / 1024 / 1024:.1f} MB, {args.pictures} pictures, "
                      f"{answer['count']} questions: check {seconds:.2f} s", flush=True)
                if run == 0:
                    seconds, _ = post(server.port, token, seeded["exam_id"], data, dry_run=False)
                    imports.append(seconds)
                    print(f"run 1: import (the pictures already stored by the check) {seconds:.2f} s", flush=True)
            print(f"check (preview) of {args.pictures} pictures, {args.questions} questions: median "
                  f"{statistics.median(checks):.2f} s over {args.runs} runs "
                  f"(min {min(checks):.2f}, max {max(checks):.2f})", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
