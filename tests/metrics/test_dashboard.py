"""deploy/grafana/exam-day.json asks only for metrics the tool serves."""

import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "exam-day.json"
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum")


def test_every_metric_on_the_dashboard_is_served(client):
    # A labelled metric shows no sample before its first event, but its family is declared.
    families = text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
    served = {family.name + suffix for family in families for suffix in SUFFIXES}
    asked = set(re.findall(r"proctor_lti_\w+", DASHBOARD.read_text()))
    assert asked and asked <= served
