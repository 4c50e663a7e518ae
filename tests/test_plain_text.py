"""Text the databases cannot store (NUL, unpaired surrogates) is found wherever it hides in parsed JSON, and
refused at each way into the tool with the place named: JSON bodies, query strings and forms. PostgreSQL
failed the requests below with a 500 before (SQLite stored the text)."""

import html
import json

import pytest

from lti_tool import plain_text
from tests.conftest import TOOL_BASE_URL
from tests.exam.conftest import Course


@pytest.mark.parametrize(("value", "found"), [
    ("plain", None),
    ("a visible \\u0000 is text", None),
    ("emoji 🙂 is one character", None),
    ("a\x00b", "the value contains a NUL character (U+0000)"),
    ({"title": "x", "options": [{"text": "ok"}, {"text": "b\udc00d"}]},
     '"options[1].text" contains an unpaired surrogate (U+DC00), which is not a Unicode character'),
    ({"custom": {"ke\x00y": 1}}, 'a field name in "custom" contains a NUL character (U+0000)'),
    ({"ke\x00y": 1}, "a field name contains a NUL character (U+0000)"),
    ([1, True, None, 2.5, ["\x00"]], '"[4][0]" contains a NUL character (U+0000)'),
])
def test_find_names_the_first_flaw_by_its_path(value, found):
    flaw = plain_text.find(value)
    assert (str(flaw) if flaw else None) == found


def test_find_walks_a_deep_value_without_running_out_of_stack():
    value = "\x00"
    for _ in range(20_000):
        value = [value]
    assert plain_text.find(value).path == "[0]" * 20_000


def test_a_nul_in_a_query_string_is_refused_naming_the_parameter(lti, client):
    response = client.get("/lti/login", base_url=TOOL_BASE_URL,
                          query_string={"iss": lti.platform.issuer + "\x00", "login_hint": "x"})
    assert response.status_code == 400
    assert 'In the query string, "iss" contains a NUL character' in html.unescape(response.get_data(as_text=True))


def test_a_nul_in_a_form_is_refused_naming_the_field(lti, client):
    response = client.post("/lti/launch", base_url=TOOL_BASE_URL, data={"state": "s\x00", "id_token": "x.y.z"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "unstorable_text"
    assert response.json["error"]["message"].startswith('In the form, "state" contains a NUL character')


def test_a_nul_deep_in_a_json_body_is_a_400_naming_its_path(client, lti):
    course = Course(client, lti)
    body = {"title": "Quiz", "instructions": "x"}
    nested = "\x00"
    for _ in range(300):
        nested = [nested]
    body["extra"] = nested
    response = course.call("POST", "/api/exams", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith('In the request body, "extra' + "[0]" * 300 + '" contains')
