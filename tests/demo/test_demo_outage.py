"""The gradebook outage switch: while it is on, the demo's token and AGS endpoints answer 503 with
Retry-After; switched off, they serve again. Switched on the gradebook page or with `flask demo outage`."""

import pytest

from lti_tool.db import db
from lti_tool.demo import outage

from .browser import DEMO
from .service_requests import AGS, NRPS, bearer, post_score, request_token, score


def switch(client, offline):
    return client.post("/demo/gradebook/outage", base_url=DEMO, data={"offline": offline})


def assert_unavailable(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert response.get_json()["error"] == "temporarily_unavailable"


def test_while_offline_the_token_and_ags_endpoints_answer_503_and_serve_again_after(client, line_item):
    headers = bearer(client, f"{AGS}score", f"{AGS}lineitem", f"{AGS}result.readonly", NRPS)
    item_url = f"/demo/ags/lineitems/{line_item.id}"

    response = switch(client, "1")

    assert (response.status_code, response.headers["Location"]) == (303, "/demo/gradebook")
    assert_unavailable(request_token(client, f"{AGS}score"))
    assert_unavailable(post_score(client, line_item.id, score(), headers))
    for path in ("/demo/ags/lineitems", item_url, f"{item_url}/results"):
        assert_unavailable(client.get(path, base_url=DEMO, headers=headers))
    assert_unavailable(client.post("/demo/ags/lineitems", base_url=DEMO, headers=headers,
                                   json={"label": "Final", "scoreMaximum": 10}))
    # Only the gradebook is down: the roster answers a token issued before.
    assert client.get("/demo/nrps/memberships", base_url=DEMO, headers=headers).status_code == 200

    switch(client, "0")

    assert request_token(client, f"{AGS}score").status_code == 200
    assert post_score(client, line_item.id, score(), headers).status_code == 204
    results = client.get(f"{item_url}/results", base_url=DEMO, headers=headers).get_json()
    assert [(r["userId"], r["resultScore"]) for r in results] == [("demo-user-ada-lovelace", 80.0)]


def test_the_gradebook_page_says_what_the_outage_does_and_offers_the_way_back(client):
    online = client.get("/demo/gradebook", base_url=DEMO).get_data(as_text=True)
    assert "The gradebook is online:" in online
    assert '<input type="hidden" name="offline" value="1">' in online
    assert 'aria-describedby="outage-status">Take the gradebook offline</button>' in online

    offline = switch(client, "1")
    page = client.get(offline.headers["Location"], base_url=DEMO).get_data(as_text=True)

    assert "The gradebook is offline</strong> (since" in page
    assert f"answer 503 Service Unavailable with Retry-After:\n      {outage.RETRY_AFTER_SECONDS}." in page
    assert "The tool keeps each grade it sends pending and tries again" in page
    assert 'aria-describedby="outage-status">Bring the gradebook back</button>' in page


@pytest.mark.parametrize("value", [None, "yes", "2"])
def test_the_switch_refuses_a_value_it_does_not_know(client, value):
    response = client.post("/demo/gradebook/outage", base_url=DEMO, data={} if value is None else {"offline": value})

    assert response.status_code == 400
    assert request_token(client, f"{AGS}score").status_code == 200


def test_switching_on_twice_keeps_the_time_it_went_offline(client):
    switch(client, "1")
    since = outage.offline_since()
    switch(client, "1")
    db.session.expire_all()

    assert outage.offline_since() == since


def test_the_cli_switches_the_outage(client, runner):
    result = runner.invoke(args=["demo", "outage", "on"])
    assert result.exit_code == 0, result.output
    assert "The demo gradebook is offline" in result.output
    assert_unavailable(request_token(client, f"{AGS}score"))

    result = runner.invoke(args=["demo", "outage", "off"])
    assert result.exit_code == 0, result.output
    assert request_token(client, f"{AGS}score").status_code == 200
    assert runner.invoke(args=["demo", "outage", "maybe"]).exit_code == 2
