"""Two gunicorn processes (standing for two hosts) on one PostgreSQL and one Redis, or a Redis Cluster: a
student's socket on one and a proctor's dashboard on the other see each other's events."""

import time

import pytest

from tests.exam.conftest import Course
from tests.exam.test_attempts import start
from tests.proctor.conftest import Page, two_hosts


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_student_on_one_host_and_a_proctor_on_another_see_each_other(client, lti, app, database_url, bus_env,
                                                                       tmp_path):
    course = Course(client, lti)
    exam = course.exam(questions=1)
    token = course.student()
    attempt = start(course, exam, token)
    with two_hosts(app, database_url, bus_env, tmp_path) as (host_a, host_b):
        dashboard = Page(f"ws://127.0.0.1:{host_b}/ws/proctor")
        page = Page(f"ws://127.0.0.1:{host_a}/ws/student")
        try:
            dashboard.send(type="hello", token=course.maker, exam_id=exam["id"])
            dashboard.next("roster")
            page.send(type="hello", token=token, attempt_id=attempt["id"])
            page.next("hello")
            assert page.next("time")["deadline"] == attempt["deadline"]
            assert dashboard.next("presence", attempt_id=attempt["id"])["state"] == "online"

            page.send(type="violation", kind="paste", client_time=time.time() * 1000, id="v-1")
            event = dashboard.next("event")["event"]
            assert (event["kind"], event["detail"], event["attempt_id"]) == ("violation", "paste", attempt["id"])

            dashboard.send(type="warn", attempt_id=attempt["id"], text="Please do not paste.")
            assert page.next("warn")["text"] == "Please do not paste."
            dashboard.send(type="extend", attempt_id=attempt["id"], minutes=5)
            assert page.next("time")["deadline"] > attempt["deadline"]
        finally:
            page.close()
            dashboard.close()
