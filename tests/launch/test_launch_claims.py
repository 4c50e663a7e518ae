"""What a launch may carry into the tool's columns: ids within the spec's 255 characters, names and titles
shortened to fit, emails only when they are emails, no NUL or lone surrogate anywhere, an id_token of a sane
size, and only the claims the tool reads again stored. Each refusal is a 4xx page naming the claim, with
nothing half-written, on SQLite and PostgreSQL alike (PostgreSQL answered most of these with a 500)."""

import html

import pytest
from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.identity.models import Course, Membership, ResourceLink, User
from lti_tool.launch.models import Launch
from lti_tool.launch.validation import ID_TOKEN_MAX_BYTES
from tests.launch.test_deep_linking import SETTINGS
from tests.launch.test_launch_checks import claims_for, failed_check
from tests.lti_platform import INSTRUCTOR

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
LONG_URL = "https://lms.example/" + "x" * 1000


def refused(lti, **overrides):
    """A launch with these claims changed; its page, which must be a refusal."""
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign(claims_for(lti, nonce, **overrides)), state)
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    return response


def nothing_stored():
    return all(db.session.scalar(select(func.count()).select_from(model)) == 0
               for model in (User, Course, Membership, ResourceLink, Launch))


@pytest.mark.parametrize(("overrides", "claim"), [
    ({"sub": "s" * 256}, "sub"),
    ({"resource_link_id": "r" * 256}, "resource_link.id"),
    ({"context_id": "c" * 256}, "context.id"),
    ({AGS: {"lineitem": LONG_URL}}, "endpoint.lineitem"),
    ({AGS: {"lineitems": LONG_URL}}, "endpoint.lineitems"),
    ({NRPS: {"context_memberships_url": LONG_URL}}, "namesroleservice.context_memberships_url"),
])
def test_an_over_long_id_or_url_is_refused_naming_its_claim(lti, overrides, claim):
    response = refused(lti, **overrides)
    assert failed_check(response) == "claim_length"
    assert f"The launch's {claim} claim is" in html.unescape(response.get_data(as_text=True))
    assert nothing_stored()


def test_ids_of_exactly_255_characters_are_taken(lti):
    lti.token_for(sub="s" * 255, context_id="c" * 255, resource_link_id="r" * 255)
    assert db.session.scalar(select(User.sub)) == "s" * 255
    assert db.session.scalar(select(ResourceLink.lti_id)) == "r" * 255


def test_an_unregistered_over_long_deployment_id_is_refused(lti):
    response = refused(lti, **{LTI + "deployment_id": "d" * 256})
    assert failed_check(response) == "deployment"
    assert nothing_stored()


def test_a_numeric_context_or_link_id_is_stored_as_text(lti):
    lti.token_for(**{LTI + "context": {"id": 12345}, LTI + "resource_link": {"id": 678}})
    assert db.session.scalar(select(Course.context_id)) == "12345"
    assert db.session.scalar(select(ResourceLink.lti_id)) == "678"


def test_over_long_names_and_titles_are_shortened_to_their_columns(lti):
    lti.token_for(name="N" * 400, **{
        LTI + "context": {"id": "c1", "title": "T" * 600, "label": "L" * 300},
        LTI + "resource_link": {"id": "r1", "title": "R" * 600},
    })
    user, course, link = db.session.scalar(select(User)), db.session.scalar(select(Course)), \
        db.session.scalar(select(ResourceLink))
    assert (len(user.name), len(course.title), len(course.label), len(link.title)) == (300, 500, 200, 500)
    assert user.name.startswith("NNN") and user.name.endswith("…")
    assert course.title.startswith("TTT") and link.title.startswith("RRR")


def test_a_name_made_of_long_given_and_family_names_is_shortened(lti):
    lti.token_for(name=None, given_name="G" * 200, family_name="F" * 200)
    name = db.session.scalar(select(User.name))
    assert len(name) == 300 and name.startswith("G" * 200 + " F")


@pytest.mark.parametrize("email", ["a" * 310 + "@example.edu", "not an email", "two@at@signs.edu", ""])
def test_an_email_too_long_or_not_an_email_is_treated_as_absent(lti, email):
    lti.token_for(sub="s1", email=email)
    assert db.session.scalar(select(User.email)) is None


def test_a_bad_email_keeps_the_one_the_tool_had(lti):
    lti.token_for(sub="s1")
    lti.token_for(sub="s1", email="x" * 321)
    assert db.session.scalar(select(User.email)) == "s1@example.edu"


@pytest.mark.parametrize(("overrides", "named"), [
    ({"sub": "student\x001"}, '"sub" contains a NUL character'),
    ({"name": "Ann\x00"}, '"name" contains a NUL character'),
    ({"email": "ann\x00@example.edu"}, '"email" contains a NUL character'),
    ({LTI + "context": {"id": "c1", "title": "Biology\x00"}}, '"context.title" contains a NUL character'),
    ({LTI + "resource_link": {"id": "r\x001"}}, '"resource_link.id" contains a NUL character'),
    ({LTI + "custom": {"exam_id": "1\x00"}}, '"custom.exam_id" contains a NUL character'),
    ({LTI + "roles": [INSTRUCTOR + "\x00"]}, '"roles[0]" contains a NUL character'),
    ({LTI + "custom": {"note\x00": "x"}}, 'a field name in "custom" contains a NUL character'),
    ({"name": "lone \ud800 surrogate"}, '"name" contains an unpaired surrogate (U+D800)'),
])
def test_nul_or_a_lone_surrogate_in_a_claim_is_refused_naming_it(lti, overrides, named):
    response = refused(lti, **overrides)
    assert failed_check(response) == "claim_text"
    assert f"In the launch's claims, {named}" in html.unescape(response.get_data(as_text=True))
    assert nothing_stored()


def test_the_visible_text_backslash_u0000_is_not_a_nul(lti):
    lti.token_for(name="Ann \\u0000 Lee")
    assert db.session.scalar(select(User.name)) == "Ann \\u0000 Lee"


def test_an_oversize_id_token_is_refused_before_it_is_decoded(lti):
    state, nonce = lti.login()
    token = lti.platform.sign(claims_for(lti, nonce, **{LTI + "custom": {"blob": "x" * 1024 * 1024}}))
    response = lti.post(token, state)
    assert response.status_code == 413
    assert failed_check(response) == "id_token_size"
    assert f"at most {ID_TOKEN_MAX_BYTES // 1024} KiB" in response.get_data(as_text=True)
    # Not decoded: the platform's keys were never fetched, the nonce never used, nothing stored.
    assert lti.platform.jwks_requests == 0
    assert nothing_stored()
    assert lti.post(lti.platform.sign(claims_for(lti, nonce)), state).status_code == 200


def test_an_id_token_just_under_the_limit_is_taken(lti):
    state, nonce = lti.login()
    claims = claims_for(lti, nonce, **{LTI + "custom": {"blob": ""}})
    room = ID_TOKEN_MAX_BYTES - len(lti.platform.sign(claims))
    claims[LTI + "custom"]["blob"] = "x" * (room * 3 // 4 - 8)
    token = lti.platform.sign(claims)
    assert ID_TOKEN_MAX_BYTES - 16 < len(token) <= ID_TOKEN_MAX_BYTES
    assert lti.post(token, state).status_code == 200


def test_a_resource_link_launch_stores_none_of_its_raw_claims(lti):
    lti.token_for(custom={"exam_id": "7", "school_secret": "s" * 1000})
    assert db.session.scalar(select(Launch.claims)) == {}


def test_a_deep_linking_launch_stores_only_its_deep_linking_settings(lti):
    lti.token_for((INSTRUCTOR,), message_type="LtiDeepLinkingRequest", deep_linking=SETTINGS,
                  custom={"school_secret": "s"})
    assert db.session.scalar(select(Launch.claims)) == {DEEP_LINKING: SETTINGS}


@pytest.mark.parametrize(("sent", "stored"), [
    (" course-9 , course-3,,", "course-9,course-3"),  # Canvas's list, most recent first
    ("", ""),  # Canvas: copied from nowhere
    ("$Context.id.history", None),  # Moodle 4.3 sends the variable as it is
    (None, None),  # a registration that did not ask for it
])
def test_the_context_history_is_kept_with_the_course_as_the_platform_fills_it(lti, sent, stored):
    lti.token_for(custom=None if sent is None else {"context_history": sent})
    assert db.session.scalar(select(Course.context_history)) == stored


def test_a_launch_without_the_context_history_keeps_the_one_stored(lti):
    lti.token_for(custom={"context_history": "course-9"})
    lti.token_for(custom={"context_history": "$Context.id.history"})
    assert db.session.scalar(select(Course.context_history)) == "course-9"
