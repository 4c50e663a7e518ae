"""What every dashboard of an exam hears when one proctor acts on the whole exam (protocol: an `event` of
kind exam_closed or exam_extended reaches the room, like announce)."""

import pytest


@pytest.mark.parametrize(("command", "kind"), [({"type": "close_exam"}, "exam_closed"),
                                               ({"type": "extend_exam", "minutes": 5}, "exam_extended")])
def test_another_proctors_dashboard_hears_the_whole_exam_change(room, command, kind):
    room.student()
    acting = room.dashboard()
    acting.next("roster")
    watching = room.dashboard(room.proctor_token())
    watching.next("roster")
    acting.send(**command)
    acting.next("ack", action=command["type"])
    assert watching.next("event", timeout=2)["event"]["kind"] == kind
