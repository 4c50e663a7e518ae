"""When the state cookie does not come back: LTI Platform Storage if offered, else a new window."""

import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.conftest import TOOL_BASE_URL, launch_data
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


def test_launch_without_cookie_is_checked_through_platform_storage(lti, client):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    check = lti.post(id_token, state, lti_storage_target="_parent")
    assert check.status_code == 200
    page = check.get_data(as_text=True)
    assert 'id="relaunch"' in page and "storage-check.js" in page
    launched = lti.post(id_token, state, lti_storage_state=state)
    assert launch_data(launched)["landing"] == "/exam/lobby"


def test_storage_that_does_not_know_the_state_leads_to_a_new_window(lti, client):
    state, nonce = login_with_storage(lti, client)
    drop_state_cookie(client, state)
    id_token = lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER]))
    for answer in ("", "state-someone-else"):
        response = lti.post(id_token, state, lti_storage_state=answer)
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
