"""The demo's services speak what the tool's LTI library (pylti1p3) sends and expects."""

import pytest
import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from lti_tool.db import db
from lti_tool.demo import ags, nrps
from lti_tool.demo.models import DemoScore
from lti_tool.launch import keys, platforms
from lti_tool.launch.tool_conf import PlatformRegistration

from .browser import AppAdapter


@pytest.fixture
def connector(app, seeded):
    session = requests.Session()
    session.mount("http://", AppAdapter(app))
    platform = platforms.find("http://127.0.0.1/demo", "proctor-lti-demo")
    return ServiceConnector(PlatformRegistration(platform, keys.current()), session)


def test_grades_round_trip_through_pylti1p3(connector):
    service = AssignmentsGradesService(connector, ags.claim(None))
    line_item = service.find_or_create_lineitem(
        LineItem().set_label("Quiz").set_score_maximum(10).set_tag("quiz").set_resource_id("exam-3"))
    grade = (Grade().set_user_id("demo-user-ada-lovelace").set_score_given(7).set_score_maximum(10)
             .set_activity_progress("Completed").set_grading_progress("FullyGraded")
             .set_timestamp("2030-05-01T12:00:00.000+00:00"))

    service.put_grade(grade, line_item)

    assert service.find_lineitem_by_tag("quiz").get_id() == line_item.get_id()
    assert db.session.scalar(select(DemoScore.score_given)) == 7.0
    assert [r["resultScore"] for r in service.get_grades(line_item)] == [7.0]


def test_roster_through_pylti1p3(connector):
    members = NamesRolesProvisioningService(connector, nrps.claim()).get_members()

    assert len(members) == 7
    assert members[2]["email"] == "ada.lovelace@demo.example"
