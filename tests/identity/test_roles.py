"""The role map: context roles decide, sub-roles refine, institution roles never grant Test Maker."""

import pytest

from lti_tool.config import DEFAULTS
from lti_tool.identity.roles import RoleMapError, ToolRole, load_map, parse, parse_map

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLE_MAP = load_map(DEFAULTS["ROLE_MAP_PATH"])

# Role sets as Moodle 4.x and Canvas send them.
MOODLE_TEACHER = [LIS + "institution/person#Administrator", LIS + "membership#Instructor",
                  LIS + "system/person#Administrator"]
MOODLE_NON_EDITING_TEACHER = [LIS + "membership#Instructor"]
MOODLE_STUDENT = [LIS + "membership#Learner"]
CANVAS_TEACHER = [LIS + "institution/person#Instructor", LIS + "membership#Instructor",
                  LIS + "system/person#User"]
CANVAS_TA = [LIS + "institution/person#Student", LIS + "membership#Instructor",
             LIS + "membership/Instructor#TeachingAssistant", LIS + "system/person#User"]
CANVAS_STUDENT = [LIS + "institution/person#Student", LIS + "membership#Learner", LIS + "system/person#User"]
CANVAS_DESIGNER = [LIS + "institution/person#Instructor", LIS + "membership#ContentDeveloper"]
CANVAS_OBSERVER = [LIS + "membership#Mentor", LIS + "system/person#User"]
CANVAS_TEST_STUDENT = ["http://purl.imsglobal.org/vocab/lti/system/person#TestUser", LIS + "membership#Learner"]
# Canvas gives every teacher the institution Instructor role, also in courses where they study.
CANVAS_TEACHER_ENROLLED_AS_STUDENT = [LIS + "institution/person#Instructor", LIS + "membership#Learner"]


@pytest.mark.parametrize(("lti_roles", "expected"), [
    (MOODLE_TEACHER, ["test_maker"]),
    (MOODLE_NON_EDITING_TEACHER, ["test_maker"]),
    (MOODLE_STUDENT, ["student"]),
    (CANVAS_TEACHER, ["test_maker"]),
    (CANVAS_TA, ["proctor"]),
    (CANVAS_STUDENT, ["student"]),
    (CANVAS_DESIGNER, ["test_maker"]),
    (CANVAS_OBSERVER, ["proctor"]),
    (CANVAS_TEST_STUDENT, ["student"]),
    (CANVAS_TEACHER_ENROLLED_AS_STUDENT, ["student"]),
    (["Learner"], ["student"]),
    (["Instructor"], ["test_maker"]),
    ([LIS + "membership#Administrator"], ["test_maker"]),
    ([LIS + "institution/person#Administrator"], []),
    ([LIS + "membership#Learner", LIS + "membership#Mentor"], ["proctor", "student"]),
    (["http://example.com/unknown#Role", 42], []),
])
def test_platform_role_sets_map_to_tool_roles(lti_roles, expected):
    assert [str(r) for r in ROLE_MAP.tool_roles(lti_roles)] == expected


def test_parse_understands_short_names_uris_and_sub_roles():
    assert parse("Learner").kind == "context"
    assert parse(LIS + "membership#Instructor").name == "Instructor"
    sub = parse(LIS + "membership/Instructor#TeachingAssistant")
    assert (sub.kind, sub.name, sub.sub) == ("context", "Instructor", "TeachingAssistant")
    assert parse(LIS + "institution/person#Faculty").kind == "institution"
    assert parse("http://purl.imsglobal.org/vocab/lti/system/person#TestUser").kind == "lti_system"


def test_map_refuses_institution_roles_granting_test_maker():
    with pytest.raises(RoleMapError, match="never grant test_maker"):
        parse_map({"institution": {"Instructor": "test_maker"}})


def test_map_refuses_unknown_tool_roles():
    with pytest.raises(RoleMapError):
        parse_map({"context": {"Learner": "superuser"}})


def test_map_can_be_changed_without_code(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[context]\nInstructor = "proctor"\n')
    assert load_map(str(path)).tool_roles(["Instructor"]) == [ToolRole.PROCTOR]
