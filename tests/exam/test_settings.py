"""A refused setting names its field, so the edit page can show each problem next to its input."""


def test_each_bad_setting_is_named_in_the_fields_of_the_error(course):
    exam = course.exam(questions=0)
    response = course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "duration_minutes": 0, "pass_mark": 120, "title": " ", "colour": "red"})
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert fields == {"duration_minutes": "Must be a whole number from 1 to 1440.",
                      "pass_mark": "Must be a percentage from 0 to 100, or empty.",
                      "title": "Cannot be empty."}
    assert "colour: unknown setting" in response.json["error"]["message"]  # no field of the form to show it beside


def test_a_close_before_the_open_is_the_closing_time_s_fault(course):
    exam = course.exam(questions=0)
    response = course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "opens_at": "2030-01-02T00:00:00+00:00", "closes_at": "2030-01-01T00:00:00+00:00"})
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"closes_at": "Must be after the time it opens."}


def test_a_review_with_nothing_to_show_is_the_timing_s_fault(course):
    exam = course.exam(questions=0)
    response = course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "review_when": "immediately", "review_score": False, "review_answers": False,
        "review_right_answers": False, "review_explanations": False})
    assert response.status_code == 400 and list(response.json["error"]["fields"]) == ["review_when"]


def test_extra_time_names_the_wrong_number(course):
    exam = course.exam(questions=1)
    student_id = course.call("GET", "/api/session", course.student("s9")).json["user"]["id"]
    path = f"/api/exams/{exam['id']}/accommodations/{student_id}"
    too_many = course.call("PUT", path, json={"extra_minutes": 5000, "time_multiplier": 1})
    assert too_many.json["error"]["fields"] == {"extra_minutes": "Must be a whole number from 0 to 1440."}
    too_slow = course.call("PUT", path, json={"extra_minutes": 5, "time_multiplier": 9})
    assert list(too_slow.json["error"]["fields"]) == ["time_multiplier"]


def test_errors_without_a_field_keep_their_shape(course):
    response = course.call("PATCH", f"/api/exams/{course.exam(questions=0)['id']}", json=["title"])
    assert response.status_code == 400 and "fields" not in response.json["error"]
