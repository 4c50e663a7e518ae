"""Every response's security headers: pages connect only to the tool (Agora's gateways in that mode: see
tests/proctor/camera/test_camera.py), HSTS in production."""

import pytest
from cryptography.fernet import Fernet

from lti_tool import create_app


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


@pytest.mark.parametrize(("base_url", "socket"), [("http://localhost:5000", "ws://localhost:5000"),
                                                  ("https://proctor.example.edu", "wss://proctor.example.edu")])
def test_pages_may_connect_only_to_the_tools_own_origin(client, base_url, socket):
    policy = directives(client.get("/healthz", base_url=base_url))

    assert policy["connect-src"] == ["'self'", socket]  # no bare ws: or wss:, which any host matches
    assert "worker-src" not in policy


def test_a_host_header_cannot_add_sources(client):
    policy = directives(client.get("/healthz", headers={"Host": "evil.example; script-src *"}))

    assert policy["connect-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]


def test_hsts_is_sent_in_production_only(client, database_url):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers

    production = create_app({
        "APP_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": "s" * 40,
        "TOOL_BASE_URL": "https://proctor.example.edu", "KEY_ENCRYPTION_KEYS": (Fernet.generate_key().decode(),),
    })
    with production.app_context():
        response = production.test_client().get("/healthz", base_url="https://proctor.example.edu")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert directives(response)["frame-ancestors"] == ["'self'"]  # no platform yet, no demo in production
