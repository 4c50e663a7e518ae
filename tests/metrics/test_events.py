"""The counted events move their metrics: an answer save, a launch, a violation, a socket opening and closing,
the bus losing its Redis subscription."""

import queue
import time
import uuid

import redis

from tests.exam.conftest import right_option
from tests.exam.test_attempts import save, start
from tests.metrics.conftest import sample
from tests.realtime.test_bus import WAIT, collect


def test_an_answer_save_moves_the_save_histogram(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    before = sample("proctor_lti_answer_save_duration_seconds_count")
    assert save(course, attempt, question, [right_option(question)], student).status_code == 200
    assert sample("proctor_lti_answer_save_duration_seconds_count") == before + 1


def test_a_violation_on_record_moves_its_counter_and_the_socket_metrics(room):
    token, attempt = room.student()
    violations = sample("proctor_lti_violations_recorded_total", type="paste")
    received = sample("proctor_lti_socket_messages_received_total", kind="student", type="violation")
    acks = sample("proctor_lti_socket_messages_sent_total", type="ack")
    open_before = sample("proctor_lti_open_sockets", kind="student")
    page = room.student_page(token, attempt)
    assert sample("proctor_lti_open_sockets", kind="student") == open_before + 1

    page.send(type="violation", kind="paste", client_time=time.time() * 1000, id="v-1")
    page.next("ack", id="v-1")
    assert sample("proctor_lti_violations_recorded_total", type="paste") == violations + 1
    assert sample("proctor_lti_socket_messages_received_total", kind="student", type="violation") == received + 1
    assert sample("proctor_lti_socket_messages_sent_total", type="ack") >= acks + 1

    page.close()
    room.pages.remove(page)
    # The server notices the close on its own thread; nothing to await from here but the gauge itself.
    deadline = time.monotonic() + 5
    while sample("proctor_lti_open_sockets", kind="student") != open_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sample("proctor_lti_open_sockets", kind="student") == open_before


def test_a_launch_moves_the_launch_histogram(course):
    before = sample("proctor_lti_launch_duration_seconds_count")
    course.student("launched-now")
    assert sample("proctor_lti_launch_duration_seconds_count") == before + 1


def test_a_lost_redis_subscription_counts_a_bus_reconnect(redis_bus, redis_url):
    name = f"bus-{uuid.uuid4().hex[:12]}"
    bus = redis_bus(client_name=name)
    gaps = queue.Queue()
    bus.on_gap(lambda: gaps.put("gap"))
    collect(bus, "exam:1")
    assert gaps.get(timeout=WAIT)  # subscribed
    before = sample("proctor_lti_bus_reconnects_total")
    admin = redis.Redis.from_url(redis_url)
    [listener] = [client for client in admin.client_list(_type="pubsub") if client["name"] == name]
    admin.client_kill_filter(_id=listener["id"])
    admin.close()
    assert gaps.get(timeout=WAIT)  # subscribed again
    assert sample("proctor_lti_bus_reconnects_total") == before + 1
