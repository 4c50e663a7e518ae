"""HTTP requests are counted by route template and status, never by their raw path."""

from tests.metrics.conftest import sample


def test_a_request_is_counted_under_its_url_rule(client):
    before = sample("proctor_lti_http_requests_total", route="/healthz", method="GET", status="200")
    assert client.get("/healthz").status_code == 200
    assert sample("proctor_lti_http_requests_total", route="/healthz", method="GET", status="200") == before + 1
    assert sample("proctor_lti_http_request_duration_seconds_count", route="/healthz") >= 1


def test_a_404_is_counted_with_its_rule_or_as_unmatched_never_its_path(client):
    rule = "/api/attempts/<int:attempt_id>"
    matched = sample("proctor_lti_http_requests_total", route=rule, method="GET", status="401")
    unmatched = sample("proctor_lti_http_requests_total", route="unmatched", method="GET", status="404")
    assert client.get("/api/attempts/987654").status_code == 401  # matched a rule; refused without a token
    assert client.get("/no/such/page/12345").status_code == 404
    assert sample("proctor_lti_http_requests_total", route=rule, method="GET", status="401") == matched + 1
    assert sample("proctor_lti_http_requests_total", route="unmatched", method="GET", status="404") == unmatched + 1
    assert sample("proctor_lti_http_requests_total", route="/no/such/page/12345", method="GET", status="404") == 0
