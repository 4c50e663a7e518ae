"""The AGS client against the test platform over loopback HTTP: scores, line items, tokens, errors."""

from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import func, select

from lti_tool.db import db, utcnow
from lti_tool.exam import outbox
from lti_tool.exam.models import Attempt, Exam
from lti_tool.identity.models import ResourceLink, User
from lti_tool.launch import ags, http
from lti_tool.launch.models import Platform
from tests.hostile_http import MIB, endless, redirect, trickle
from tests.lti_platform import AGS_CLAIM, AGS_SCOPE, SCORE_MEDIA_TYPE

DEFAULT = object()


# --- helpers shared with test_passback -----------------------------------------------------------------

def launch(lti, *, sub="user-1", link_id="link-1", ags_claim=DEFAULT):
    """A real student launch; returns the (user, link) rows it made. ags_claim=None launches without AGS."""
    claims = {"sub": sub, "resource_link_id": link_id}
    if ags_claim is not DEFAULT:
        claims[AGS_CLAIM] = ags_claim
    lti.token_for(**claims)
    user = db.session.scalar(select(User).filter_by(sub=sub))
    link = db.session.scalar(select(ResourceLink).filter_by(lti_id=link_id))
    return user, link


def queue_score(user, link, *, score, finished_at, max_score=10.0, now=None, title="Midterm"):
    """A submitted attempt with its score queued in the outbox, as the exam code's finalize does."""
    course_id = link.course_id if link else db.session.scalar(select(ResourceLink.course_id).limit(1))
    exam = db.session.scalar(select(Exam).filter_by(course_id=course_id, title=title))
    if exam is None:
        exam = Exam(course_id=course_id, title=title)
        db.session.add(exam)
        db.session.flush()
    number = db.session.scalar(select(func.count()).select_from(Attempt)
                               .filter_by(exam_id=exam.id, user_id=user.id)) + 1
    attempt = Attempt(
        exam_id=exam.id, user_id=user.id, resource_link_id=link.id if link else None, number=number,
        status="submitted", started_at=finished_at - timedelta(minutes=30), deadline=finished_at + timedelta(hours=1),
        finished_at=finished_at, question_order=[], option_order={}, score=score, max_score=max_score,
    )
    db.session.add(attempt)
    db.session.flush()
    [row] = outbox.queue([outbox.Score(attempt.id, user.id, attempt.resource_link_id, score, max_score, finished_at)],
                         now=now or finished_at)
    db.session.commit()
    return row


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def gradebook(app, client, lti):
    """The test platform, trusting the tool's keys for its token endpoint."""
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    return lti.platform


def platform_row():
    return db.session.scalar(select(Platform))


T0 = datetime(2031, 5, 6, 9, 30, 15, tzinfo=timezone.utc)


# --- URLs and values -------------------------------------------------------------------------------------

def test_scores_url_is_added_before_the_query_string():
    assert ags.scores_url("https://lms.example/li/7/lineitem") == "https://lms.example/li/7/lineitem/scores"
    assert ags.scores_url("https://lms.example/li/7/lineitem/") == "https://lms.example/li/7/lineitem/scores"
    assert (ags.scores_url("https://moodle.example/mod/lti/services.php/2/lineitems/9/lineitem?type_id=3")
            == "https://moodle.example/mod/lti/services.php/2/lineitems/9/lineitem/scores?type_id=3")


def test_query_parameters_are_merged_and_timestamps_are_whole_seconds_with_zone():
    assert (ags.with_query("https://lms/lineitems?type_id=3", resource_link_id="a b")
            == "https://lms/lineitems?type_id=3&resource_link_id=a+b")
    assert ags.with_query("https://lms/lineitems", resource_link_id="x") == "https://lms/lineitems?resource_link_id=x"
    stamp = datetime(2031, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=2)))
    assert ags.iso_timestamp(stamp) == "2031-01-02T01:04:05+00:00"
    with pytest.raises(ValueError):
        ags.iso_timestamp(datetime(2031, 1, 2))


# --- scores ------------------------------------------------------------------------------------------------

def test_a_score_is_posted_with_exact_fields_and_media_type(gradebook, lti):
    user, link = launch(lti)
    ags.post_score(link, user, score_given=7.5, score_maximum=10, timestamp=T0)
    assert gradebook.scores == [{
        "line_item": 1, "userId": "user-1", "scoreGiven": 7.5, "scoreMaximum": 10,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": "2031-05-06T09:30:15+00:00",
    }]
    assert gradebook.requests[-2:] == [("POST", "/token"), ("POST", "/lineitems/1/lineitem/scores")]
    assert list(gradebook.tokens.values()) == [{AGS_SCOPE + "score"}]


def test_the_scores_url_keeps_the_line_items_query_string(gradebook, lti):
    user, link = launch(lti, ags_claim=gradebook.ags_claim(lineitem=gradebook.lineitem_url(1) + "?type_id=3"))
    ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert gradebook.requests[-1] == ("POST", "/lineitems/1/lineitem/scores?type_id=3")
    assert len(gradebook.scores) == 1


def test_the_platform_refuses_a_wrong_media_type_and_an_unknown_token(gradebook, lti):
    """The test platform itself checks what a strict LMS checks (so the tests above mean something)."""
    launch(lti)
    url = gradebook.lineitem_url(1) + "/scores"
    body = {"userId": "user-1", "scoreGiven": 1, "scoreMaximum": 2, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": "2031-05-06T09:30:15+00:00"}
    assert requests.post(url, json=body, headers={"Authorization": "Bearer at-forged"}, timeout=5).status_code == 401
    with ags.AgsClient(platform_row()) as client:
        token = client.connector.get_access_token([AGS_SCOPE + "score"])
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.post(url, json=body, headers=auth, timeout=5).status_code == 415
    no_zone = {**body, "timestamp": "2031-05-06T09:30:15"}
    answer = requests.post(url, json=no_zone, headers={**auth, "Content-Type": SCORE_MEDIA_TYPE}, timeout=5)
    assert answer.status_code == 400
    assert gradebook.scores == []


def test_a_timestamp_not_later_to_the_second_is_refused_with_the_lms_message(gradebook, lti):
    user, link = launch(lti)
    ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    with pytest.raises(ags.LmsRefused) as refused:
        ags.post_score(link, user, score_given=2, score_maximum=2, timestamp=T0 + timedelta(microseconds=900000))
    assert refused.value.status == 400
    assert "Refusing score with an earlier timestamp for item 1 and user user-1" in refused.value.message
    ags.post_score(link, user, score_given=2, score_maximum=2, timestamp=T0 + timedelta(seconds=1))
    assert [s["scoreGiven"] for s in gradebook.scores] == [1, 2]


def test_a_score_ags_cannot_carry_is_not_sent(gradebook, lti):
    user, link = launch(lti)
    with pytest.raises(ags.InvalidScore):
        ags.post_score(link, user, score_given=0, score_maximum=0, timestamp=T0)
    with pytest.raises(ags.InvalidScore):
        ags.post_score(link, user, score_given=None, score_maximum=10, timestamp=T0)
    assert gradebook.token_requests == 0


# --- tokens ------------------------------------------------------------------------------------------------

def test_one_token_serves_many_scores_until_it_expires(gradebook, lti):
    gradebook.token_expires_in = 600  # cached for 600 - 60 seconds
    students = [launch(lti, sub=f"user-{n}") for n in range(3)]
    clock = Clock(utcnow())
    with ags.AgsClient(platform_row(), now=clock) as client:
        for user, link in students:
            client.post_score(link, user, score_given=1, score_maximum=1, timestamp=T0)
        assert gradebook.token_requests == 1
        clock.advance(539)
        client.post_score(students[0][1], students[0][0], score_given=1, score_maximum=1, timestamp=T0 + timedelta(1))
        assert gradebook.token_requests == 1
        clock.advance(2)
        client.post_score(students[1][1], students[1][0], score_given=1, score_maximum=1, timestamp=T0 + timedelta(1))
        assert gradebook.token_requests == 2
    # The cache belongs to the app, so the next client (the next sender run) reuses the token.
    ags.post_score(students[2][1], students[2][0], score_given=1, score_maximum=1, timestamp=T0 + timedelta(1),
                   now=clock.now)
    assert gradebook.token_requests == 2
    assert len(gradebook.scores) == 6


def test_a_401_drops_the_cached_token_and_retries_once(gradebook, lti):
    user, link = launch(lti)
    ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    gradebook.revoke_tokens()  # the LMS forgot the token early
    ags.post_score(link, user, score_given=2, score_maximum=2, timestamp=T0 + timedelta(seconds=1))
    assert gradebook.token_requests == 2
    assert [s["scoreGiven"] for s in gradebook.scores] == [1, 2]
    gradebook.fail_scores = [401, 401]
    with pytest.raises(ags.LmsRefused) as refused:
        ags.post_score(link, user, score_given=3, score_maximum=2, timestamp=T0 + timedelta(seconds=2))
    assert refused.value.status == 401
    assert gradebook.token_requests == 3  # one new token for the one retry, no loop
    assert len(gradebook.scores) == 2


# --- errors --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("failure, kind, status", [
    (503, ags.LmsUnavailable, 503),
    (502, ags.LmsUnavailable, 502),
    (429, ags.LmsUnavailable, 429),
    ((404, "no such line item"), ags.LmsRefused, 404),
    ((400, "bad " + "x" * 2000), ags.LmsRefused, 400),
])
def test_lms_answers_become_typed_errors(gradebook, lti, failure, kind, status):
    user, link = launch(lti)
    gradebook.fail_scores = [failure]
    with pytest.raises(kind) as error:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert error.value.status == status
    assert f"HTTP {status}" in error.value.message
    if kind is ags.LmsRefused:
        assert error.value.body == failure[1][:500]
        assert len(error.value.message) < 600
    assert gradebook.scores == []


def test_token_endpoint_failures_are_typed(gradebook, lti):
    user, link = launch(lti)
    gradebook.fail_token = [503, (400, '{"error": "invalid_client"}')]
    with pytest.raises(ags.LmsUnavailable):
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    with pytest.raises(ags.LmsRefused) as refused:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "invalid_client" in refused.value.message
    ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert gradebook.token_requests == 3
    assert len(gradebook.scores) == 1


def test_the_tool_refused_by_the_token_endpoint_gets_a_refusal(gradebook, lti):
    """The platform does not know the tool's key (e.g. not registered there): a 400 from /token."""
    user, link = launch(lti)
    gradebook.tool_jwks = {"keys": []}
    with pytest.raises(ags.LmsRefused) as refused:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "Access token request" in refused.value.message


def test_a_timeout_and_a_refused_connection_are_unavailable(app, gradebook, lti):
    user, link = launch(lti)
    app.config["OUTBOUND_HTTP_TIMEOUT"] = 0.3
    gradebook.fail_scores = ["timeout"]
    with pytest.raises(ags.LmsUnavailable) as timeout:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    gradebook.release.set()
    assert "did not answer in time" in timeout.value.message
    link.lineitem_url = "http://127.0.0.1:9/lineitems/1/lineitem"  # the discard port: nothing listens
    with pytest.raises(ags.LmsUnavailable) as refused:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "could not connect" in refused.value.message
    assert gradebook.scores == []



def test_an_endless_answer_to_a_score_is_cut_at_the_service_cap(gradebook, lti, hostile):
    user, link = launch(lti)
    hostile.route("/lineitems/1/lineitem/scores", endless(total=400 * MIB))
    link.lineitem_url = hostile.url("/lineitems/1/lineitem")
    with pytest.raises(ags.LmsUnavailable) as cut:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "ResponseTooLarge" in cut.value.message
    assert hostile.sent < http.SERVICE.max_bytes + 2 * MIB


def test_an_endless_token_answer_is_cut_at_the_small_cap(gradebook, lti, hostile):
    user, link = launch(lti)
    hostile.route("/token", endless(total=400 * MIB))
    platform_row().token_url = hostile.url("/token")
    db.session.commit()
    with pytest.raises(ags.LmsUnavailable) as cut:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "Access token request" in cut.value.message and "ResponseTooLarge" in cut.value.message
    assert hostile.sent < http.SMALL.max_bytes + 2 * MIB


def test_a_score_answer_trickled_past_the_deadline_is_unavailable(app, gradebook, lti, hostile):
    user, link = launch(lti)
    app.config["OUTBOUND_HTTP_DEADLINE"] = 0.3
    hostile.route("/lineitems/1/lineitem/scores", trickle(body=b" " * 10_000, pause=0.01))
    link.lineitem_url = hostile.url("/lineitems/1/lineitem")
    with pytest.raises(ags.LmsUnavailable) as cut:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "did not answer in time" in cut.value.message


def test_a_redirected_score_is_not_taken_for_sent(gradebook, lti, hostile):
    """Following a 302 would turn the POST into a GET and lose the score while looking sent."""
    user, link = launch(lti)
    hostile.route("/lineitems/1/lineitem/scores", redirect(gradebook.lineitem_url(1) + "/scores"))
    link.lineitem_url = hostile.url("/lineitems/1/lineitem")
    with pytest.raises(ags.LmsUnavailable) as refused:
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert "RedirectRefused" in refused.value.message
    assert not [r for r in gradebook.requests if r[1].startswith("/lineitems")]

# --- line items ----------------------------------------------------------------------------------------------

def test_a_line_item_is_created_when_the_link_has_none_and_reused(gradebook, lti):
    claim = gradebook.ags_claim(lineitem=None, lineitems=True, scopes=("score", "lineitem"))
    claim["lineitems"] += "?type_id=3"
    user, link = launch(lti, link_id="link-2", ags_claim=claim)
    assert link.lineitem_url is None
    url = ags.ensure_line_item(link, label="Final exam", score_maximum=40, resource_id="exam-9")
    assert url == gradebook.lineitem_url(2)
    assert gradebook.line_items[2] == {"id": url, "label": "Final exam", "scoreMaximum": 40,
                                       "resourceId": "exam-9", "resourceLinkId": "link-2"}
    assert [r for r in gradebook.requests if r[1].startswith("/lineitems")] == [
        ("GET", "/lineitems?type_id=3&resource_link_id=link-2"), ("POST", "/lineitems?type_id=3")]
    db.session.expire_all()
    assert db.session.get(ResourceLink, link.id).lineitem_url == url  # committed
    before = len(gradebook.requests)
    assert ags.ensure_line_item(link, label="Final exam", score_maximum=40, resource_id="exam-9") == url
    assert len(gradebook.requests) == before
    ags.post_score(link, user, score_given=30, score_maximum=40, timestamp=T0)
    assert gradebook.scores[0]["line_item"] == 2
    # A new launch without the claim's lineitem keeps the one the tool made.
    launch(lti, link_id="link-2", ags_claim=claim)
    db.session.expire_all()
    assert db.session.get(ResourceLink, link.id).lineitem_url == url


def test_the_platforms_line_item_for_the_link_is_found_not_duplicated(gradebook, lti):
    gradebook.add_line_item(label="Other", resourceLinkId="link-9")
    _, link = launch(lti, ags_claim=gradebook.ags_claim(lineitem=None, lineitems=True, scopes=("lineitem", "score")))
    url = ags.ensure_line_item(link, label="Midterm", score_maximum=10, resource_id="exam-1")
    assert url == gradebook.lineitem_url(1)
    assert len(gradebook.line_items) == 2
    assert ("POST", "/lineitems") not in gradebook.requests
    assert list(gradebook.tokens.values()) == [{AGS_SCOPE + "lineitem"}]


def test_line_item_errors_are_typed_and_nothing_is_stored(gradebook, lti):
    _, link = launch(lti, link_id="link-2",
                     ags_claim=gradebook.ags_claim(lineitem=None, lineitems=True, scopes=("lineitem",)))
    gradebook.fail_lineitems = [503, (403, "no")]
    for kind in (ags.LmsUnavailable, ags.LmsRefused):
        with pytest.raises(kind):
            ags.ensure_line_item(link, label="Midterm", score_maximum=10, resource_id="exam-1")
        db.session.expire_all()
        assert db.session.get(ResourceLink, link.id).lineitem_url is None
    assert len(gradebook.line_items) == 1


def test_a_link_without_ags_has_no_gradebook_access(gradebook, lti):
    user, link = launch(lti, link_id="link-3", ags_claim=None)
    assert (link.lineitem_url, link.lineitems_url) == (None, None)
    with pytest.raises(ags.NoGradebookAccess) as error:
        ags.ensure_line_item(link, label="Midterm", score_maximum=10, resource_id="exam-1")
    assert error.value.message == ags.NO_AGS_MESSAGE
    with pytest.raises(ags.NoGradebookAccess):
        ags.post_score(link, user, score_given=1, score_maximum=2, timestamp=T0)
    assert gradebook.token_requests == 0
