"""When the state cookie does not come back: LTI Platform Storage if offered, else a new window."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import TOOL_BASE_URL
from tests.lti_platform import CLIENT_ID, LEARNER


def login_with_storage(lti, client):
    response = client.get("/lti/login", base_url=TOOL_BASE_URL, query_string={
        "iss": lti.platform.issuer, "login_hint": "hint", "client_id": CLIENT_ID,
        "target_link_uri": f"{TOOL_BASE_URL}/lti/launch", "lti_storage_target": "_parent"})
    assert response.status_code == 200
    assert "lti1p3-state-" in response.headers["Set-Cookie"]  # the cookie is still tried
    data = json.loads(re.search(r'id="login-data">(.*?)</script>', response.get_data(as_text=True), re.S).group(1))
    assert data["storage_target"] == "_parent"
    assert data["platform_origin"] == lti.platform.base_url
    auth = parse_qs(urlsplit(data["redirect_url"]).query)
    assert auth["state"][0] == data["state"] and auth["nonce"][0] == data["nonce"]
    return data["state"], data["nonce"]


def drop_state_cookie(client, state):
    client.delete_cookie(f"lti1p3-{state}", path="/lti/", domain="localhost")


def storage_launch(client, id_token, state, storage_state, **headers):
    """What the tool's storage-check page sends: the launch again, as JSON, from the tool's own origin."""
    return client.post("/lti/launch/storage", base_url=TOOL_BASE_URL, json={
        "id_token": id_token, "state": state, "lti_storage_state": storage_state},
        headers={"Accept": "application/json", "Sec-Fetch-Site": "same-origin", **headers})


def test_launch_without_cookie_is_checked_through_platform_storage(lti, client):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    check = lti.post(id_token, state)
    assert check.status_code == 200
    page = check.get_data(as_text=True)
    assert 'id="relaunch"' in page and "storage-check.js" in page and 'id="launch-data"' not in page
    launched = storage_launch(client, id_token, state, state)
    assert launched.status_code == 200, launched.json
    assert launched.json["landing"] == "/exam/lobby" and launched.json["token"]


def test_a_forged_form_carrying_the_storage_state_gets_no_session(lti, client):
    """Login CSRF, as the review did it: the attacker's own login and id_token, posted by the victim's
    browser (no cookie of that login) with lti_storage_state equal to state. No launch token may come back:
    only the storage check, which in the victim's browser finds no such state in the platform's storage."""
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER], sub="attacker"))
    forged = lti.post(id_token, state, lti_storage_state=state)
    page = forged.get_data(as_text=True)
    assert 'id="launch-data"' not in page and "token" not in page.lower().replace("id_token", "")
    assert "storage-check.js" in page


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}])
def test_the_storage_launch_refuses_requests_from_other_sites(lti, client, headers):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    refused = storage_launch(client, id_token, state, state, **headers)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"


def test_the_storage_launch_refuses_a_form(lti, client):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    refused = client.post("/lti/launch/storage", base_url=TOOL_BASE_URL, headers={"Accept": "application/json"},
                          data={"id_token": id_token, "state": state, "lti_storage_state": state})
    assert refused.status_code == 403


def test_storage_that_does_not_know_the_state_is_refused(lti, client):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    for answer in ("", "state-someone-else", None):
        refused = storage_launch(client, id_token, state, answer)
        assert refused.status_code == 400 and refused.json["error"]["check"] == "state"


def test_without_platform_storage_the_page_offers_a_new_window(lti, client):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    response = lti.post(id_token, state, lti_storage_unavailable="1")
    assert response.status_code == 401
    assert "Open the tool in a new window" in response.get_data(as_text=True)


def test_new_window_link_restarts_the_same_login(lti, client):
    state, nonce = lti.login(lti_message_hint="msg-7")
    drop_state_cookie(client, state)
    response = lti.post(lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER])), state)
    href = re.search(r'href="(/lti/login\?[^"]+)"', response.get_data(as_text=True)).group(1)
    params = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert params["lti_message_hint"] == ["msg-7"]
    assert params["iss"] == [lti.platform.issuer]
    assert params["lti1p3_new_window"] == ["1"]
    # In the new (first-party) window the login and launch work as usual.
    restarted = client.get(href.replace("&amp;", "&"), base_url=TOOL_BASE_URL)
    assert restarted.status_code == 302


def test_an_over_long_storage_target_is_refused_naming_it(lti, client):
    response = client.get("/lti/login", base_url=TOOL_BASE_URL, query_string={
        "iss": lti.platform.issuer, "login_hint": "hint", "client_id": CLIENT_ID,
        "target_link_uri": f"{TOOL_BASE_URL}/lti/launch", "lti_storage_target": "x" * 201})
    assert response.status_code == 400
    assert "lti_storage_target is 201 characters long" in response.get_data(as_text=True)
