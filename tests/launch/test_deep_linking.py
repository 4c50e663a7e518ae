"""Deep Linking: an instructor picks or creates an exam; the LMS gets a signed link and a grade column."""

import jwt
import pytest

from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SETTINGS = {
    "deep_link_return_url": "https://lms.example/deep-link-return",
    "accept_types": ["ltiResourceLink"],
    "accept_presentation_document_targets": ["iframe", "window"],
    "accept_multiple": False,
    "data": "opaque-platform-data",
}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def deep_link_token(lti, roles=(INSTRUCTOR,), context_id="course-1"):
    data = lti.token_for(roles, message_type="LtiDeepLinkingRequest", deep_linking=SETTINGS,
                         context_id=context_id, sub="teacher")
    assert data["landing"] == "/lti/deep-link"
    return data["token"]


def decode_response(client, lti, answer):
    """Verify the tool's answer as the LMS would: against the tool's published JWKS."""
    jwks = client.get("/lti/jwks").json
    kid = jwt.get_unverified_header(answer["jwt"])["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    return jwt.decode(answer["jwt"], jwt.PyJWK(key).key, algorithms=["RS256"], audience=lti.platform.issuer)


def test_instructor_creates_an_exam_and_the_lms_gets_a_signed_link_with_line_item(client, lti):
    token = deep_link_token(lti)
    assert client.get("/lti/deep-link").status_code == 200
    assert client.get("/api/deep-link", headers=bearer(token)).json["exams"] == []
    answer = client.post("/api/deep-link", json={"title": "Midterm"}, headers=bearer(token)).json
    assert answer["return_url"] == SETTINGS["deep_link_return_url"]
    claims = decode_response(client, lti, answer)
    assert claims["iss"] == CLIENT_ID
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/version"] == "1.3.0"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == DEPLOYMENT_ID
    assert claims[DL + "data"] == "opaque-platform-data"
    [item] = claims[DL + "content_items"]
    exam_id = answer["exam"]["id"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == "https://localhost/lti/launch"
    assert item["custom"] == {"exam_id": str(exam_id)}
    assert item["lineItem"] == {"scoreMaximum": 100, "label": "Midterm", "resourceId": f"exam-{exam_id}"}


def test_instructor_picks_an_existing_exam(client, lti):
    token = deep_link_token(lti)
    created = client.post("/api/deep-link", json={"title": "Final"}, headers=bearer(token)).json["exam"]
    token = deep_link_token(lti)
    listed = client.get("/api/deep-link", headers=bearer(token)).json["exams"]
    assert listed == [created]
    answer = client.post("/api/deep-link", json={"exam_id": created["id"]}, headers=bearer(token)).json
    [item] = decode_response(client, lti, answer)[DL + "content_items"]
    assert item["custom"]["exam_id"] == str(created["id"])


def test_an_exam_of_another_course_cannot_be_picked(client, lti):
    other = deep_link_token(lti, context_id="course-b")
    exam_b = client.post("/api/deep-link", json={"title": "B"}, headers=bearer(other)).json["exam"]
    token = deep_link_token(lti, context_id="course-a")
    response = client.post("/api/deep-link", json={"exam_id": exam_b["id"]}, headers=bearer(token))
    assert response.status_code == 404
    assert client.get("/api/deep-link", headers=bearer(token)).json["exams"] == []


@pytest.mark.parametrize("body", [{"title": ""}, {"title": "x" * 301}, {"exam_id": "abc"}, {}])
def test_bad_choices_get_a_clear_400(client, lti, body):
    token = deep_link_token(lti)
    response = client.post("/api/deep-link", json=body, headers=bearer(token))
    assert response.status_code == 400
    assert response.json["error"]["message"]


def test_a_student_cannot_deep_link(lti):
    state, nonce = lti.login()
    claims = lti.platform.claims(nonce=nonce, roles=[LEARNER], message_type="LtiDeepLinkingRequest",
                                 deep_linking=SETTINGS)
    assert lti.post(lti.platform.sign(claims), state).status_code == 403


def test_a_resource_link_token_cannot_answer_deep_linking(client, lti):
    token = lti.token_for((INSTRUCTOR,))["token"]
    assert client.post("/api/deep-link", json={"title": "x"}, headers=bearer(token)).status_code == 404


def test_launching_the_created_link_binds_its_exam_which_students_see_once_published(client, lti):
    token = deep_link_token(lti)
    exam = client.post("/api/deep-link", json={"title": "Quiz"}, headers=bearer(token)).json["exam"]
    student = lti.token_for((LEARNER,), sub="s1", custom={"exam_id": str(exam["id"])})["token"]
    assert client.get("/api/session", headers=bearer(student)).json["resource_link"]["exam_id"] == exam["id"]
    # A new exam is a draft: the student is told it is not open, and sees nothing of it.
    assert client.get("/api/exams/current", headers=bearer(student)).json == {
        "exam": None, "message": "This exam is not open yet."}
    question = {"type": "single", "text": "Q", "options": [{"text": "a", "correct": True}, {"text": "b"}]}
    assert client.post(f"/api/exams/{exam['id']}/questions", json=question, headers=bearer(token)).status_code == 201
    assert client.post(f"/api/exams/{exam['id']}/publish", headers=bearer(token)).status_code == 200
    assert client.get("/api/exams/current", headers=bearer(student)).json["exam"]["id"] == exam["id"]


def test_a_link_naming_another_courses_exam_stays_unbound(client, lti):
    token = deep_link_token(lti, context_id="course-b")
    exam = client.post("/api/deep-link", json={"title": "B"}, headers=bearer(token)).json["exam"]
    student = lti.token_for((LEARNER,), sub="s1", context_id="course-a", custom={"exam_id": str(exam["id"])})
    assert client.get("/api/exams/current", headers=bearer(student["token"])).json == {"exam": None}
