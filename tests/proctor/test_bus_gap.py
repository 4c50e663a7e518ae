"""A dashboard whose worker loses Redis (or the Redis Cluster node of its exam) misses live events, and gets them
back from the database when the bus reconnects: no violation is missing from the dashboard after a Redis gap."""

import time
from urllib.parse import urlsplit

import pytest

from lti_tool.realtime import channels
from lti_tool.realtime.bus import PREFIX, shard_channel
from tests.exam.conftest import Course
from tests.exam.test_attempts import start
from tests.proctor.conftest import Page, two_hosts
from tests.servers import gunicorn
from tests.tcp_proxy import TcpProxy


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_violations_sent_while_a_dashboards_worker_had_no_redis_are_on_it_after_the_reconnect(
        client, lti, app, database_url, redis_url, tmp_path):
    course = Course(client, lti)
    exam = course.exam(questions=1)
    token = course.student()
    attempt = start(course, exam, token)
    redis = urlsplit(redis_url)
    proxy = TcpProxy(redis.port)
    env = {"APP_ENV": "test", "DATABASE_URL": database_url, "TOOL_BASE_URL": app.config["TOOL_BASE_URL"]}
    through_proxy = f"redis://127.0.0.1:{proxy.port}{redis.path}"
    try:
        with (gunicorn("wsgi:app", {**env, "REDIS_URL": redis_url}, tmp_path / "student-host.log") as student_host,
              gunicorn("wsgi:app", {**env, "REDIS_URL": through_proxy}, tmp_path / "proctor-host.log") as proctor_host):
            dashboard = Page(f"ws://127.0.0.1:{proctor_host}/ws/proctor")
            page = Page(f"ws://127.0.0.1:{student_host}/ws/student")
            try:
                dashboard.send(type="hello", token=course.maker, exam_id=exam["id"])
                dashboard.next("roster")
                page.send(type="hello", token=token, attempt_id=attempt["id"])
                assert dashboard.next("presence", attempt_id=attempt["id"])["state"] == "online"

                proxy.cut()
                for n in range(3):
                    page.send(type="violation", kind="copy", client_time=time.time() * 1000, id=f"v-{n}")
                    page.next("ack", id=f"v-{n}")  # on record, while the dashboard's worker hears nothing
                proxy.restore()

                # The roster is resent from the database after the gap (also, harmlessly, at the first
                # subscription): wait for the one sent after the reconnect.
                rosters = iter(lambda: dashboard.next("roster", timeout=30), None)
                assert any(roster["students"][0]["violations"] == {"copy": 3} for roster in rosters)
            finally:
                page.close()
                dashboard.close()
    finally:
        proxy.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_violations_sent_while_the_exams_cluster_node_restarted_are_on_the_dashboard_after_it(
        client, lti, app, database_url, redis_cluster, tmp_path):
    course = Course(client, lti)
    exam = course.exam(questions=1)
    token = course.student()
    attempt = start(course, exam, token)
    node = redis_cluster.node_of(shard_channel(PREFIX, channels.exam(exam["id"])))
    env = {"APP_ENV": "test", "DATABASE_URL": database_url, "TOOL_BASE_URL": app.config["TOOL_BASE_URL"],
           "REDIS_URL": redis_cluster.url, "REDIS_CLUSTER": "1"}
    with two_hosts(app, database_url, env, tmp_path) as (student_host, proctor_host):
        dashboard = Page(f"ws://127.0.0.1:{proctor_host}/ws/proctor")
        page = Page(f"ws://127.0.0.1:{student_host}/ws/student")
        try:
            dashboard.send(type="hello", token=course.maker, exam_id=exam["id"])
            dashboard.next("roster")
            page.send(type="hello", token=token, attempt_id=attempt["id"])
            assert dashboard.next("presence", attempt_id=attempt["id"])["state"] == "online"

            node.stop()
            for n in range(3):
                page.send(type="violation", kind="copy", client_time=time.time() * 1000, id=f"v-{n}")
                page.next("ack", id=f"v-{n}")  # on record; the exam's channel is on the stopped node
            node.start()

            rosters = iter(lambda: dashboard.next("roster", timeout=30), None)
            assert any(roster["students"][0]["violations"] == {"copy": 3} for roster in rosters)
        finally:
            page.close()
            dashboard.close()
