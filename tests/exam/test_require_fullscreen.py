"""The "require full screen" setting: off unless the test maker sets it, checked like every setting, copied
with the exam, and told to the student's page; exams made before its migration get it off."""

from flask_migrate import downgrade, upgrade

from lti_tool import create_app
from lti_tool.db import db
from tests.conftest import MIGRATIONS, _config
from tests.exam.test_attempts import start


def test_full_screen_is_off_unless_the_test_maker_requires_it(course):
    exam = course.exam(questions=1)
    assert exam["settings"]["require_fullscreen"] is False
    assert start(course, exam, course.student())["exam"]["require_fullscreen"] is False

    edited = course.call("PATCH", f"/api/exams/{exam['id']}", json={"require_fullscreen": True})
    assert edited.status_code == 200, edited.json
    assert course.call("GET", f"/api/exams/{exam['id']}").json["settings"]["require_fullscreen"] is True
    student = course.student("student-2")
    assert start(course, exam, student)["exam"]["require_fullscreen"] is True
    # The lobby says so before the student starts.
    assert course.call("GET", "/api/exams/current", student).json["exam"]["require_fullscreen"] is True


def test_the_setting_is_checked_and_copied(course):
    created = course.call("POST", "/api/exams", json={"title": "Final", "require_fullscreen": True})
    assert created.status_code == 201, created.json
    refused = course.call("PATCH", f"/api/exams/{created.json['id']}", json={"require_fullscreen": "yes"})
    assert refused.status_code == 400
    assert "require_fullscreen must be true or false" in refused.json["error"]["message"]
    copy = course.call("POST", f"/api/exams/{created.json['id']}/duplicate").json
    assert course.call("GET", f"/api/exams/{copy['id']}").json["settings"]["require_fullscreen"] is True


def test_exams_made_before_the_setting_existed_do_not_require_full_screen(tmp_path):
    app = create_app(_config(f"sqlite:///{tmp_path}/old.sqlite3"))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0004")
        db.session.execute(db.text(
            "INSERT INTO platforms (name, issuer, client_id, auth_login_url, token_url, jwks_url, registered_via,"
            " created_at) VALUES ('p', 'https://i', 'c', 'https://a', 'https://t', 'https://j', 'cli', '2026-01-01')"))
        db.session.execute(db.text(
            "INSERT INTO courses (platform_id, context_id, created_at) VALUES (1, 'c', '2026-01-01')"))
        db.session.execute(db.text("INSERT INTO exams (course_id, title, created_at, updated_at)"
                                   " VALUES (1, 'Old', '2026-01-01', '2026-01-01')"))
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        assert db.session.execute(db.text("SELECT require_fullscreen FROM exams")).scalar_one() == 0
        downgrade(directory=MIGRATIONS, revision="0004")
        columns = [row[1] for row in db.session.execute(db.text("PRAGMA table_info(exams)"))]
        assert "require_fullscreen" not in columns
        db.engine.dispose()
