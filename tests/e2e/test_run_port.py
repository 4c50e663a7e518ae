"""`scripts/run` on another port: with only BIND set, the demo lives on that port, never on 5000."""

import pytest
import requests

from tests.e2e.conftest import serve


@pytest.fixture(scope="module")
def server_on_bind_only(tmp_path_factory):
    """gunicorn as scripts/run starts it: BIND on a free port, no TOOL_BASE_URL and no DEMO_PLATFORM_URL."""
    yield from serve(tmp_path_factory, TOOL_BASE_URL="", DEMO_PLATFORM_URL="")


def test_the_demo_answers_on_the_bound_port(server_on_bind_only):
    response = requests.get(server_on_bind_only["demo"], allow_redirects=False, timeout=10)

    assert response.status_code == 200
    assert f'{server_on_bind_only["tool"]}' in response.text  # it frames the tool on the same port


def test_the_demo_under_the_tools_name_sends_to_its_own_site_on_the_same_port(server_on_bind_only):
    tool_site_demo = server_on_bind_only["tool"] + "/demo"
    response = requests.get(tool_site_demo, allow_redirects=False, timeout=10)

    assert response.status_code == 302
    assert response.headers["Location"] == server_on_bind_only["demo"]
