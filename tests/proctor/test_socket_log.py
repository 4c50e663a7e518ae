"""The JSON line a websocket session writes when it ends: whose, about what, how long, how many messages, and
how it closed."""

from lti_tool.db import db
from lti_tool.identity import access
from lti_tool.realtime.sockets import CLOSE_UNAUTHENTICATED
from tests.test_request_log import log_lines  # noqa: F401 (a fixture)


def test_a_student_socket_writes_one_line_when_it_closes(room, log_lines):  # noqa: F811
    token, attempt = room.student()
    page = room.student_page(token, attempt)
    page.next("time")  # the attempt's state, sent before hello
    page.send(type="heartbeat", visible=True)
    page.next("time")
    # The test's session has read since the last request and holds SQLite's lock; the closing page writes presence.
    db.session.remove()
    page.ws.close(reason=1000, message="page left")

    [line] = log_lines.wait("socket.student")
    context = access.verify_token(token)
    assert line["route"] == "/ws/student"
    assert (line["attempt_id"], line["exam_id"]) == (attempt["id"], room.exam["id"])
    assert (line["user_id"], line["course_id"]) == (context.user_id, context.course_id)
    assert line["messages_in"] == 2  # hello, heartbeat
    assert line["messages_out"] == 3  # the attempt's state, hello, time
    assert (line["close_code"], line["close_reason"]) == (1000, "page left")
    assert line["duration_ms"] > 0 and line["request_id"]
    assert token not in log_lines.text and "@example.edu" not in log_lines.text
    assert not [line for line in log_lines.of_kind("http") if line["route"] == "/ws/student"]


def test_a_dashboard_closed_by_the_server_names_its_close_code(room, log_lines):  # noqa: F811
    page = room.dashboard("not-a-token")
    assert page.closed_with() == CLOSE_UNAUTHENTICATED

    [line] = log_lines.wait("socket.dashboard")
    assert (line["close_code"], line["close_reason"]) == (CLOSE_UNAUTHENTICATED, "not_authenticated")
    assert (line["messages_in"], line["messages_out"]) == (1, 1)  # hello; the error frame
    assert line["exam_id"] is None and "user_id" not in line
