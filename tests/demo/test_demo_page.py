"""The demo course page: launch buttons, the tool's frame, and its own host."""

from urllib.parse import urlsplit

import pytest

from lti_tool.demo import hints
from lti_tool.launch import platforms

from .browser import DEMO, launch_urls, login_params


def test_page_lists_a_launch_per_role_for_the_default_link(client):
    html = client.get("/demo", base_url=DEMO).get_data(as_text=True)

    assert "Demo Course 101" in html
    assert "Demo exam (not bound yet)" in html
    for label in ("Launch as student (Ada Lovelace)", "Launch as test maker (Grace Hopper)",
                  "Launch as proctor (Alan Turing)", "Add the tool (deep linking, as Grace)"):
        assert label in html
    assert '<iframe name="tool-frame"' in html
    assert 'title="Proctor LTI tool"' in html
    assert 'allow="camera *; microphone *; fullscreen *; display-capture *"' in html
    assert 'href="/demo/gradebook"' in html


def test_page_lets_the_tool_be_framed_and_nothing_else(client):
    response = client.get("/demo", base_url=DEMO)

    csp = response.headers["Content-Security-Policy"]
    assert "frame-src https://localhost 'self'" in csp
    assert "script-src 'self'" in csp
    assert response.headers.getlist("Content-Security-Policy") == [csp]


def test_page_registers_the_platform_on_first_visit(client):
    assert platforms.find("http://127.0.0.1/demo", "proctor-lti-demo") is None

    assert client.get("/demo", base_url=DEMO).status_code == 200

    assert platforms.find("http://127.0.0.1/demo", "proctor-lti-demo") is not None


@pytest.mark.parametrize("base_url", ["https://localhost", "http://127.0.0.1:8080"])
def test_page_on_another_host_redirects_to_the_demo_url(client, base_url):
    response = client.get("/demo", base_url=base_url)

    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.1/demo"


def test_launch_buttons_start_the_tools_login_as_an_lms_does(client):
    urls = launch_urls(client.get("/demo", base_url=DEMO).get_data(as_text=True))

    assert len(urls) == 4
    student, test_maker, proctor, deep_linking = (login_params(u) for u in urls)
    assert urlsplit(urls[0])._replace(query="").geturl() == "https://localhost/lti/login"
    assert {k: v for k, v in student.items() if k != "login_hint"} == {
        "iss": "http://127.0.0.1/demo",
        "target_link_uri": "https://localhost/lti/launch",
        "lti_message_hint": "link:demo-link-default",
        "client_id": "proctor-lti-demo",
        "lti_deployment_id": "demo-deployment",
        "lti_storage_target": "_parent",
    }
    assert hints.read_login_hint(student["login_hint"]) == ("demo-user-ada-lovelace", "link:demo-link-default", None)
    assert hints.read_login_hint(test_maker["login_hint"])[0] == "demo-user-grace-hopper"
    assert hints.read_login_hint(proctor["login_hint"])[0] == "demo-user-alan-turing"
    assert deep_linking["lti_message_hint"] == "deep-linking"
    assert hints.read_login_hint(deep_linking["login_hint"]) == ("demo-user-grace-hopper", "deep-linking", None)


def test_gradebook_without_columns_says_so(client):
    response = client.get("/demo/gradebook", base_url=DEMO)

    assert response.status_code == 200
    assert "No gradebook columns yet" in response.get_data(as_text=True)


def test_the_language_chosen_on_the_course_page_goes_with_each_of_its_launches(client):
    html = client.get("/demo?locale=pt-BR", base_url=DEMO).get_data(as_text=True)
    assert '<option value="pt-BR" lang="pt-BR" selected>Português (Brasil)</option>' in html
    student, *_, deep_linking = (login_params(u) for u in launch_urls(html))
    assert hints.read_login_hint(student["login_hint"])[2] == "pt-BR"
    # Adding the tool is the test maker's, in the LMS's language for the tool's own pages: none is sent there.
    assert hints.read_login_hint(deep_linking["login_hint"])[2] is None
    # A language the menu does not offer is not sent.
    plain = client.get("/demo?locale=tlh", base_url=DEMO).get_data(as_text=True)
    assert hints.read_login_hint(login_params(launch_urls(plain)[0])["login_hint"])[2] is None
