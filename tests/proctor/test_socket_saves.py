"""Answers saved over the student page's socket: the same rules as the PUT (the later `seq` wins, refusals change
nothing), acknowledged by the save's id only once committed, and written in groups: one stamp, one upsert and one
commit for the saves of many pages."""

import threading

import pytest
from sqlalchemy import select, text

from lti_tool.db import db
from lti_tool.exam import grouped_saves
from lti_tool.exam.models import Answer
from lti_tool.proctor import page_writes
from lti_tool.proctor.page_writes import AnswerSave
from tests.exam.conftest import right_option, wrong_option
from tests.proctor.test_page_writes import Database, page_of


def stored(attempt):
    db.session.expire_all()
    return {row.question_id: (row.option_ids, row.flagged, row.seq)
            for row in db.session.scalars(select(Answer).filter_by(attempt_id=attempt["id"]))}


def chosen(room, attempt, token):
    state = room.course.call("GET", f"/api/attempts/{attempt['id']}", token).json
    return {question["id"]: question["chosen"] for question in state["questions"]}, state["seq"]


def test_a_save_over_the_socket_is_stored_acknowledged_and_shown_after_a_reload(room):
    token, attempt = room.student()
    first, second = attempt["questions"]
    page = room.student_page(token, attempt)
    page.send(type="save", id="s-1", question_id=first["id"], option_ids=[right_option(first)], seq=1)
    page.send(type="save", id="s-2", question_id=second["id"], option_ids=[wrong_option(second)], flagged=True,
              seq=2)
    saved = page.next("saved", id="s-1")
    assert (saved["question_id"], saved["superseded"]) == (first["id"], False)
    assert page.next("saved", id="s-2")["superseded"] is False
    assert stored(attempt) == {first["id"]: ([right_option(first)], False, 1),
                               second["id"]: ([wrong_option(second)], True, 2)}
    assert chosen(room, attempt, token) == (
        {first["id"]: [right_option(first)], second["id"]: [wrong_option(second)]}, 2)


def test_a_late_copy_of_an_older_save_changes_nothing_on_either_road(room):
    token, attempt = room.student()
    question = attempt["questions"][0]
    page = room.student_page(token, attempt)
    page.send(type="save", id="s-5", question_id=question["id"], option_ids=[right_option(question)], seq=5)
    page.next("saved", id="s-5")
    # The page gave up on seq 4 over HTTP while the socket was down; its copy arrives after 5.
    late = room.course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", token,
                            json={"option_ids": [wrong_option(question)], "seq": 4})
    assert late.json["superseded"] is True
    page.send(type="save", id="s-4", question_id=question["id"], option_ids=[wrong_option(question)], seq=4)
    assert page.next("saved", id="s-4")["superseded"] is True
    assert stored(attempt) == {question["id"]: ([right_option(question)], False, 5)}


def test_a_refused_save_is_named_changes_nothing_and_the_socket_stays(room):
    token, attempt = room.student()
    question = attempt["questions"][0]
    page = room.student_page(token, attempt)
    page.send(type="save", id="s-1", question_id=question["id"], option_ids=[999_999], seq=1)
    refusal = page.next("error", id="s-1")
    assert (refusal["code"], refusal["status"]) == ("save_refused", 409)
    assert "does not belong" in refusal["message"]
    page.send(type="save", id="s-2", question_id=question["id"] + 10_000, option_ids=[], seq=2)
    assert "not part of this attempt" in page.next("error", id="s-2")["message"]
    page.send(type="save", id="s-3", question_id=question["id"], option_ids="all", seq=3)
    assert page.next("error")["code"] == "invalid_field"
    assert stored(attempt) == {}
    page.send(type="save", id="s-4", question_id=question["id"], option_ids=[right_option(question)], seq=4)
    assert page.next("saved", id="s-4")["superseded"] is False
    assert page.ws.connected


def test_a_save_after_the_attempt_ended_is_refused_and_not_stored(room):
    token, attempt = room.student()
    question = attempt["questions"][0]
    page = room.student_page(token, attempt)
    submitted = room.course.call("POST", f"/api/attempts/{attempt['id']}/submit", token)
    assert submitted.status_code == 200
    page.send(type="save", id="s-1", question_id=question["id"], option_ids=[right_option(question)], seq=1)
    refusal = page.next("error", id="s-1")
    assert (refusal["code"], refusal["message"]) == ("save_refused", "This attempt has ended; no more answers "
                                                                     "can be saved.")
    assert stored(attempt) == {}


def test_a_paused_attempt_refuses_saves_saying_so(room):
    token, attempt = room.student()
    question = attempt["questions"][0]
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    dashboard.send(type="pause", attempt_id=attempt["id"])
    page.next("pause")
    page.send(type="save", id="s-1", question_id=question["id"], option_ids=[right_option(question)], seq=1)
    assert "paused" in page.next("error", id="s-1")["message"]
    assert stored(attempt) == {}


def test_saves_of_many_pages_are_one_stamp_one_upsert_and_one_commit(room):
    attempts = [room.student(f"student-{n}")[1] for n in range(3)]
    saves = []
    for n, attempt in enumerate(attempts):
        for seq, question in enumerate(attempt["questions"], 1):
            saves.append(AnswerSave(page_of(attempt), grouped_saves.Save(
                attempt["id"], question["id"], [right_option(question)], n == 0, seq)))
    first = attempts[0]["questions"][0]
    # The same question of the same page twice in a group (a resend behind a later choice): the later wins.
    older = AnswerSave(page_of(attempts[0]), grouped_saves.Save(attempts[0]["id"], first["id"],
                                                                 [wrong_option(first)], False, 0))
    refused = AnswerSave(page_of(attempts[1]), grouped_saves.Save(
        attempts[1]["id"], first["id"] + 10_000, [], False, 9))
    db.session.commit()

    with Database() as database:
        page_writes.commit([*saves, older, refused])

    assert sorted(database.statements) == ["INSERT answers", "UPDATE attempts"]
    assert database.commits == 1
    assert [item.result[1] for item in saves] == [True] * 6
    assert older.result[1] is False and older.error is None
    assert "not part of this attempt" in refused.error.message
    for n, attempt in enumerate(attempts):
        assert stored(attempt) == {question["id"]: ([right_option(question)], n == 0, seq)
                                   for seq, question in enumerate(attempt["questions"], 1)}


def test_a_group_stamps_only_the_attempts_that_take_saves(room):
    token, open_attempt = room.student("student-1")
    ended_token, ended = room.student("student-2")
    assert room.course.call("POST", f"/api/attempts/{ended['id']}/submit", ended_token).status_code == 200
    before = room.attempt_row(ended).last_saved_at
    saves = [AnswerSave(page_of(attempt), grouped_saves.Save(
        attempt["id"], attempt["questions"][0]["id"], [right_option(attempt["questions"][0])], False, 1))
        for attempt in (open_attempt, ended)]
    db.session.commit()
    page_writes.commit(saves)
    assert saves[0].error is None and saves[0].result[1] is True
    assert saves[1].error.code == "save_refused"
    assert room.attempt_row(ended).last_saved_at == before
    assert room.attempt_row(open_attempt).last_saved_at == saves[0].result[0]
    assert stored(ended) == {}


def test_a_group_does_not_wait_for_an_attempt_another_write_holds(app, room):
    """At the close the sweeper ends the whole class: a group waiting for one attempt it holds would hold up every
    page's writes in the group (the exam day's close, bench/README.md section 15). That save is sent back as busy,
    for the page to send as the PUT, and the rest of the group is written at once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no row is held while another transaction writes")
    held, free = room.student("student-1")[1], room.student("student-2")[1]
    saves = [AnswerSave(page_of(attempt), grouped_saves.Save(
        attempt["id"], attempt["questions"][0]["id"], [right_option(attempt["questions"][0])], False, 1))
        for attempt in (held, free)]
    db.session.commit()

    def write():
        with app.app_context():
            page_writes.commit(saves)
            db.session.remove()

    with db.engine.connect() as finalizing:
        # The lock the sweeper takes for its batch.
        finalizing.execute(text("SELECT id FROM attempts WHERE id = :id FOR NO KEY UPDATE"), {"id": held["id"]})
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=10)
        finalizing.rollback()
    assert not writer.is_alive(), "the group waited for the attempt another transaction held"
    assert (saves[0].error.code, saves[0].error.http_status) == ("save_busy", 503)
    assert saves[1].error is None and saves[1].result[1] is True
    assert stored(held) == {} and len(stored(free)) == 1

