"""The README's backup and restore (Run it in production, Backups and restore): a `pg_dump -Fc` of the tool's
database restored with `pg_restore` into an empty database serves the attempt in progress, with the same
settings file (the signing keys decrypt only with its KEY_ENCRYPTION_KEYS)."""

import subprocess
import uuid

import pytest
import sqlalchemy as sa

from lti_tool import create_app
from lti_tool.launch import keys
from tests.conftest import POSTGRES_ADMIN_URL, _admin_engine, _config
from tests.exam.conftest import Course, right_option


@pytest.fixture
def empty_database():
    engine = _admin_engine()
    name = f"proctor_restore_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_restored_dump_serves_the_attempt_in_progress(database_url, client, lti, empty_database, tmp_path):
    course = Course(client, lti)
    exam = course.exam(questions=2)
    student = course.student()
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    first = attempt["questions"][0]
    assert course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{first['id']}", student,
                       json={"option_ids": [right_option(first)]}).json["saved"] is True
    kid = keys.current().kid

    dump = tmp_path / "proctor_lti.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), database_url], check=True, timeout=60)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", empty_database, str(dump)],
                   check=True, timeout=60)

    restored = create_app(_config(empty_database))
    with restored.app_context():
        assert keys.current().kid == kid
        seen = restored.test_client().get(f"/api/attempts/{attempt['id']}",
                                          headers={"Authorization": f"Bearer {student}"})
        assert seen.status_code == 200, seen.json
        assert seen.json["status"] == "in_progress"
        assert [q["chosen"] for q in seen.json["questions"]] == [[right_option(first)], []]
        assert restored.test_client().get("/readyz").json["checks"]["migrations"]["ok"] is True
