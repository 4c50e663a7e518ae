"""The irregularity report: each violation with its type and the same words the dashboard uses."""

import csv
import io
import time

from lti_tool.proctor.violation_words import WORDS
from lti_tool.realtime.messages import VIOLATION_KINDS


def test_every_violation_type_a_page_may_report_has_words():
    assert set(WORDS) == VIOLATION_KINDS
    assert WORDS["page_reloaded"] == "Reloaded the page"


def test_a_reloaded_page_is_on_record_and_in_the_report_in_words(room):
    token, attempt = room.student("s1")
    page = room.student_page(token, attempt)
    page.send(type="violation", kind="page_reloaded", client_time=time.time() * 1000, id="reload-1")
    assert page.next("ack", id="reload-1")["event_id"]

    response = room.course.client.get(f"/api/exams/{room.exam['id']}/irregularities.csv",
                                      headers={"Authorization": f"Bearer {room.course.maker}"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["attempt_id"], r["event"], r["type"], r["description"]) for r in rows] == [
        (str(attempt["id"]), "violation", "page_reloaded", "Reloaded the page")]
