"""The demo's token endpoint, AGS and NRPS, called as the tool's service client calls them."""

import time
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from lti_tool.db import db
from lti_tool.demo.models import DemoScore
from lti_tool.launch import keys

from .browser import DEMO
from .service_requests import AGS, NRPS, bearer, client_assertion, post_score, request_token, score


def test_token_is_issued_for_the_tools_signed_assertion(client):
    response = request_token(client, f"{AGS}score {NRPS} https://example.com/unknown-scope")

    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == f"{AGS}score {NRPS}"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("changes", [
    {"aud": "http://127.0.0.1/demo/other"},
    {"iss": "someone-else"},
    {"sub": "someone-else"},
    {"exp": int(time.time()) - 3600},
])
def test_token_refuses_a_bad_client_assertion(client, changes):
    response = request_token(client, f"{AGS}score", client_assertion(**changes))

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_client"


def test_token_refuses_an_assertion_signed_by_another_key(client):
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    stranger = SimpleNamespace(kid=keys.current().kid, private_key_pem=pem)

    response = request_token(client, f"{AGS}score", client_assertion(stranger))

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_client"


def test_token_refuses_unsupported_scopes_and_grants(client):
    assert request_token(client, "https://example.com/scope").get_json()["error"] == "invalid_scope"
    response = client.post("/demo/token", base_url=DEMO, data={"grant_type": "password"})
    assert (response.status_code, response.get_json()["error"]) == (400, "unsupported_grant_type")
    response = client.post("/demo/token", base_url=DEMO, data={"grant_type": "client_credentials"})
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_request")


def test_services_need_a_valid_token_with_the_right_scope(client, line_item):
    missing = client.get("/demo/nrps/memberships", base_url=DEMO)
    assert missing.status_code == 401
    assert missing.get_json()["error"] == "invalid_token"
    assert missing.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    forged = client.get("/demo/nrps/memberships", base_url=DEMO,
                        headers={"Authorization": f"Bearer {client_assertion()}"})
    assert forged.status_code == 401

    wrong_scope = post_score(client, line_item.id, score(), bearer(client, NRPS))

    assert wrong_scope.status_code == 403
    assert wrong_scope.get_json()["error"] == "insufficient_scope"


def test_score_is_stored_and_an_older_one_refused(client, line_item):
    headers = bearer(client, f"{AGS}score")

    assert post_score(client, line_item.id, score(), headers).status_code == 204
    older = post_score(client, line_item.id, score(timestamp="2030-01-01T09:59:59+00:00", scoreGiven=90),
                       headers)
    same = post_score(client, line_item.id, score(scoreGiven=90), headers)
    other_user = post_score(client, line_item.id, score("demo-user-donald-knuth", "2029-01-01T00:00:00Z"),
                            headers)

    assert older.status_code == 400
    assert "timestamp must be later" in older.get_json()["error_description"]
    assert same.status_code == 400
    assert other_user.status_code == 204
    rows = db.session.scalars(select(DemoScore).order_by(DemoScore.id)).all()
    assert [(r.user_id, r.score_given, r.score_maximum, r.activity_progress, r.grading_progress) for r in rows] == [
        ("demo-user-ada-lovelace", 80.0, 100.0, "Completed", "FullyGraded"),
        ("demo-user-donald-knuth", 80.0, 100.0, "Completed", "FullyGraded"),
    ]


@pytest.mark.parametrize(("changes", "message"), [
    ({"userId": None}, "userId is required"),
    ({"userId": "nobody"}, "not a member"),
    ({"timestamp": "yesterday"}, "timestamp is required"),
    ({"timestamp": "2030-01-01T10:00:00"}, "timestamp is required"),
    ({"activityProgress": "Done"}, "activityProgress must be one of"),
    ({"gradingProgress": None}, "gradingProgress must be one of"),
    ({"scoreGiven": "80"}, "scoreGiven must be a number"),
    ({"scoreMaximum": None}, "scoreMaximum is required"),
])
def test_score_refuses_an_invalid_body(client, line_item, changes, message):
    response = post_score(client, line_item.id, score(**changes), bearer(client, f"{AGS}score"))

    assert response.status_code == 400
    assert message in response.get_json()["error_description"]
    assert db.session.scalar(select(DemoScore)) is None


def test_line_items_and_results(client, line_item):
    headers = bearer(client, f"{AGS}lineitem", f"{AGS}result.readonly", f"{AGS}score")
    created = client.post("/demo/ags/lineitems", base_url=DEMO, headers=headers,
                          json={"label": "Final", "scoreMaximum": 50, "resourceLinkId": "demo-link-default",
                                "tag": "final"})
    assert created.status_code == 201
    assert created.mimetype == "application/vnd.ims.lis.v2.lineitem+json"
    new_id = created.get_json()["id"]
    assert new_id.startswith("http://127.0.0.1/demo/ags/lineitems/")

    listed = client.get("/demo/ags/lineitems", base_url=DEMO, headers=headers)
    filtered = client.get("/demo/ags/lineitems?resource_link_id=demo-link-default", base_url=DEMO,
                          headers=headers)
    assert listed.mimetype == "application/vnd.ims.lis.v2.lineitemcontainer+json"
    assert [i["label"] for i in listed.get_json()] == ["Midterm", "Final"]
    assert [i["id"] for i in filtered.get_json()] == [new_id]

    post_score(client, line_item.id, score(), headers)
    post_score(client, line_item.id, score(timestamp="2030-01-02T10:00:00Z", scoreGiven=95, comment="Well done"),
               headers)
    results = client.get(f"/demo/ags/lineitems/{line_item.id}/results", base_url=DEMO, headers=headers)
    assert results.mimetype == "application/vnd.ims.lis.v2.resultcontainer+json"
    assert results.get_json() == [{
        "id": f"http://127.0.0.1/demo/ags/lineitems/{line_item.id}/results/demo-user-ada-lovelace",
        "scoreOf": f"http://127.0.0.1/demo/ags/lineitems/{line_item.id}",
        "userId": "demo-user-ada-lovelace", "resultScore": 95.0, "resultMaximum": 100.0, "comment": "Well done",
    }]
    assert client.get("/demo/ags/lineitems/999", base_url=DEMO, headers=headers).status_code == 404

    gradebook = client.get("/demo/gradebook", base_url=DEMO).get_data(as_text=True)
    assert "Midterm" in gradebook and "Ada Lovelace" in gradebook and "95" in gradebook


def test_memberships_list_all_seven_people(client):
    response = client.get("/demo/nrps/memberships", base_url=DEMO, headers=bearer(client, NRPS))

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    body = response.get_json()
    assert body["context"] == {"id": "demo-course", "label": "DEMO101", "title": "Demo Course 101"}
    assert [m["name"] for m in body["members"]] == [
        "Grace Hopper", "Alan Turing", "Ada Lovelace", "Katherine Johnson", "Edsger Dijkstra",
        "Barbara Liskov", "Donald Knuth",
    ]
    alan = body["members"][1]
    assert alan == {
        "status": "Active", "name": "Alan Turing", "given_name": "Alan", "family_name": "Turing",
        "email": "alan.turing@demo.example", "user_id": "demo-user-alan-turing",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
                  "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
    }
