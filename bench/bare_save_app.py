"""The floor for bench/save_cost.py: what an answer save must do at least, as a bare Flask app under the same
gunicorn config (gevent, psycogreen): read the JSON body and upsert one answer row in its own transaction on
PostgreSQL through a SQLAlchemy pool, and answer. No launch token, no checks, no ORM:

    PYTHONPATH=bench DATABASE_URL=postgresql://... gunicorn --config configs/gunicorn.conf.py bare_save_app:app
"""

from gevent import monkey

monkey.patch_all()

from psycogreen.gevent import patch_psycopg  # noqa: E402

patch_psycopg()

import json  # noqa: E402
import os  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from flask import Flask, request  # noqa: E402

engine = sa.create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1),
                          pool_size=10)
UPSERT = sa.text(
    "INSERT INTO answers (attempt_id, question_id, option_ids, flagged, saved_at, seq) "
    "VALUES (:attempt_id, :question_id, :option_ids, false, :saved_at, :seq) "
    "ON CONFLICT (attempt_id, question_id) DO UPDATE SET option_ids = excluded.option_ids, "
    "saved_at = excluded.saved_at, seq = excluded.seq WHERE answers.seq <= excluded.seq")

app = Flask(__name__)


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.put("/api/attempts/<int:attempt_id>/answers/<int:question_id>")
def save(attempt_id, question_id):
    body = request.get_json()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(UPSERT, {"attempt_id": attempt_id, "question_id": question_id, "saved_at": now,
                              "option_ids": json.dumps(body["option_ids"]), "seq": body["seq"]})
    return {"saved": True, "question_id": question_id, "saved_at": now.isoformat(), "superseded": False}
