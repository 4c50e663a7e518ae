"""A refused camera setting names its field, for the edit page to show the problem next to its input."""

from tests.proctor.camera.test_camera import call


def test_a_wrong_camera_number_is_named_in_the_fields_of_the_error(course):
    exam = course.exam(questions=1)
    path = f"/api/exams/{exam['id']}/camera/settings"
    refused = call(course, "PUT", path, json={"snapshot_interval_seconds": 1})
    assert refused.status_code == 400
    assert refused.json["error"]["fields"] == {"snapshot_interval_seconds": "Must be a whole number from 5 to 300."}
    assert list(call(course, "PUT", path, json={"policy": "always"}).json["error"]["fields"]) == ["policy"]
    assert list(call(course, "PUT", path, json={"face_checks": "yes"}).json["error"]["fields"]) == ["face_checks"]
