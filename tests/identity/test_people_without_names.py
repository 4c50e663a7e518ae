"""People an LMS does not name (Moodle's privacy settings at "never share name/email"): shown by their login
name or a stable short label, and the test maker told once, on the manage page, why."""

from lti_tool.identity.models import User
from tests.lti_platform import MOODLE_ROLES


def session(client, token):
    response = client.get("/api/session", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.json


def test_a_moodle_launch_without_names_shows_the_login_name(lti, client):
    lti.platform.set_moodle_shape(shares_names=False)
    me = session(client, lti.token_for(MOODLE_ROLES["student"], sub="7")["token"])
    assert me["user"] == {"id": me["user"]["id"], "name": "login-7", "email": None}


def test_the_test_maker_is_told_when_the_lms_shares_no_names(lti, client):
    lti.platform.set_moodle_shape(shares_names=False)
    lti.token_for(MOODLE_ROLES["student"], sub="7")
    teacher = session(client, lti.token_for(MOODLE_ROLES["editingteacher"], sub="2")["token"])
    assert teacher["course"]["names_withheld"] is True
    page = client.get("/exam/manage").get_data(as_text=True)
    assert 'id="names-withheld"' in page and "Share launcher's name with tool" in page


def test_no_notice_where_names_are_shared_and_none_for_students(lti, client):
    lti.platform.set_moodle_shape(shares_names=True)
    student = session(client, lti.token_for(MOODLE_ROLES["student"], sub="7")["token"])
    teacher = session(client, lti.token_for(MOODLE_ROLES["editingteacher"], sub="2")["token"])
    assert teacher["course"]["names_withheld"] is False
    assert student["course"]["names_withheld"] is False
    assert student["user"]["name"] == "Name of 7"


def test_a_later_launch_without_names_keeps_the_name_known_before(lti, client):
    lti.token_for(MOODLE_ROLES["student"], sub="7")
    lti.platform.set_moodle_shape(shares_names=False)
    me = session(client, lti.token_for(MOODLE_ROLES["student"], sub="7")["token"])
    assert me["user"]["name"] == "Name of 7"


def test_without_any_name_a_person_gets_a_short_label_that_stays_the_same():
    assert User(sub="42").display_name == "User 42"
    canvas_sub = "535fa085f22b4655f48cd5a36a9215f64c062838"
    label = User(sub=canvas_sub).display_name
    assert label.startswith("User ") and len(label) == len("User ") + 8
    assert User(sub=canvas_sub).display_name == label != User(sub=canvas_sub[:-1] + "9").display_name


def test_an_overlong_login_name_is_shortened_not_refused(lti, client):
    lti.platform.set_moodle_shape(shares_names=False)
    ext = {"user_username": "x" * 500}
    me = session(client, lti.token_for(MOODLE_ROLES["student"], sub="7",
                                       **{"https://purl.imsglobal.org/spec/lti/claim/ext": ext})["token"])
    assert me["user"]["name"] == "x" * 99 + "…"
