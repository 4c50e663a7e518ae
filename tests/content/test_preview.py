"""The editor's preview: the test maker's texts as students will see them, made by the pages' own code."""

from tests.exam.conftest import Course


def test_the_preview_cleans_and_draws_formatted_text_and_escapes_plain_text(course: Course):
    formatted = course.call("POST", "/api/content/preview", json={
        "format": "html", "texts": [r"<p onclick='x()'>Solve \(x^2\)</p><script>x()</script>", "<em>yes</em>"]})
    assert formatted.status_code == 200, formatted.json
    question, option = formatted.json["html"]
    assert question.startswith("<p>Solve <math") and "onclick" not in question and "<script" not in question
    assert option == "<em>yes</em>"
    plain = course.call("POST", "/api/content/preview", json={"format": "plain", "texts": ["<em>no</em>\nnext"]})
    assert plain.json["html"] == ["&lt;em&gt;no&lt;/em&gt;<br>next"]


def test_the_preview_refuses_a_bad_body_and_anyone_but_a_test_maker(course: Course):
    for body in ({"format": "markdown", "texts": ["x"]}, {"format": "html", "texts": "x"},
                 {"format": "html", "texts": [1]}, {"format": "html", "texts": ["x"] * 31}, ["x"]):
        response = course.call("POST", "/api/content/preview", json=body)
        assert response.status_code == 400 and "format" in response.json["error"]["message"], body
    student = course.call("POST", "/api/content/preview", course.student(),
                          json={"format": "plain", "texts": ["x"]})
    assert student.status_code == 403
    assert course.client.post("/api/content/preview", json={"format": "plain", "texts": ["x"]}).status_code == 401
