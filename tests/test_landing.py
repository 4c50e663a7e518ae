"""The page at /: for a newcomer and for the LMS administrator who installs the tool."""

from lti_tool import create_app
from tests.conftest import TOOL_BASE_URL


def test_the_landing_page_says_what_the_tool_is_and_how_to_install_it(client):
    response = client.get("/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Exams open from your course page in the LMS" in page
    assert "flask --app lti_tool lti registration-link" in page
    for path in ("/lti/config/canvas.json", "/lti/login", "/lti/launch", "/lti/jwks"):
        assert f"<code>{TOOL_BASE_URL}{path}</code>" in page


def test_the_landing_page_links_the_demo_when_it_is_enabled(client):
    page = client.get("/").get_data(as_text=True)

    assert '<a href="http://127.0.0.1/demo">Open the demo LMS</a>' in page


def test_the_landing_page_says_nothing_of_the_demo_when_it_is_off(database_url):
    app = create_app({"APP_ENV": "test", "DATABASE_URL": database_url, "DEMO_ENABLED": False})

    page = app.test_client().get("/").get_data(as_text=True)

    assert "Installing it in an LMS" in page
    assert "demo" not in page.lower()
