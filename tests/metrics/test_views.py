"""/metrics: refused to a public address without a token and to a wrong token, served otherwise."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

PUBLIC = {"REMOTE_ADDR": "8.8.8.8"}


def values(response):
    return parse(response.get_data(as_text=True))


def parse(text):
    """The unlabelled samples of a Prometheus text page, by name."""
    return {sample.name: sample.value for family in text_string_to_metric_families(text)
            for sample in family.samples if not sample.labels}


def test_without_a_token_only_internal_addresses_are_served(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    refused = client.get("/metrics", environ_base=PUBLIC)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")


def test_a_forwarded_for_header_does_not_make_a_public_client_internal(client):
    assert client.get("/metrics", environ_base=PUBLIC, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic c2VjcmV0LXRva2Vu", "Bearer "])
def test_with_a_token_configured_anything_but_that_token_is_refused(app, client, header):
    app.config["METRICS_TOKEN"] = "secret-token"
    headers = {"Authorization": header} if header else {}
    refused = client.get("/metrics", headers=headers)  # from loopback too: the token decides
    assert (refused.status_code, refused.json["error"]["code"]) == (401, "not_authenticated")


def test_the_right_token_is_served_from_anywhere(app, client):
    app.config["METRICS_TOKEN"] = "secret-token"
    response = client.get("/metrics", environ_base=PUBLIC, headers={"Authorization": "Bearer secret-token"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "proctor_lti_grade_outbox_pending" in values(response)
