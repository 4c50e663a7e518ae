"""The one error hierarchy's handlers: the database being unreachable is a 503 the pages retry, logged in
one line, not an unexpected 500 with a traceback per request."""

import time

import pytest

from lti_tool import create_app
from lti_tool.errors import megabytes
from lti_tool.identity import tokens
from tests.servers import free_port


def test_a_request_while_the_database_is_down_is_a_503_json_error_to_retry(caplog):
    # Nothing listens on this port: every query fails to connect, as during a PostgreSQL restart.
    app = create_app({"APP_ENV": "test", "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/gone"})
    context = tokens.LaunchContext(user_id=1, course_id=1, resource_link_id=1, roles=("student",),
                                   launch_id="launch-1", launched_at=int(time.time()))
    token = tokens.issue(context, secret_key=app.config["SECRET_KEY"], issuer=app.config["TOOL_BASE_URL"], ttl=60)

    response = app.test_client().put("/api/attempts/1/answers/1", json={"option_ids": [1]},
                                     headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert "try again" in response.json["error"]["message"]
    assert response.headers["Retry-After"] == "2"
    assert "database unavailable on PUT /api/attempts/<int:attempt_id>/answers/<int:question_id>" in caplog.text
    assert "Traceback" not in caplog.text and "unexpected error" not in caplog.text


@pytest.mark.parametrize(("size", "words"), [(2 * 1024 * 1024, "2 MB"), (6_000_000, "5.8 MB"),
                                             (2 * 1024 * 1024 + 1, "2.1 MB"), (1, "0.1 MB")])
def test_sizes_are_rounded_up_to_a_tenth_of_a_megabyte(size, words):
    assert megabytes(size) == words
