"""Exam fixtures: a course with a test maker and students launched for real, and exams built through
the authoring API."""

import pytest

from tests.lti_platform import INSTRUCTOR, LEARNER


class Course:
    """Tokens for people of one course, launched through the test platform."""

    def __init__(self, client, lti, context_id="course-1", link="link-1"):
        self.client = client
        self.lti = lti
        self.context_id = context_id
        self.link = link
        self.maker = lti.token_for((INSTRUCTOR,), sub=f"teacher-{context_id}", context_id=context_id,
                                   resource_link_id=link)["token"]

    def student(self, sub="student-1", link=None):
        return self.lti.token_for((LEARNER,), sub=sub, context_id=self.context_id,
                                  resource_link_id=link or self.link)["token"]

    def call(self, method, path, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {token or self.maker}"}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def maker_at(self, link):
        """The test maker's token launched from another link of the course."""
        return self.lti.token_for((INSTRUCTOR,), sub=f"teacher-{self.context_id}", context_id=self.context_id,
                                  resource_link_id=link)["token"]

    def exam(self, questions=2, link=None, **settings):
        """An exam with `questions` single-answer questions (option 1 right), bound to the course's link (or
        to `link`: a link through which students took another exam keeps that exam), and published when it has
        questions (one without stays a draft: publish it with `publish` once it has)."""
        response = self.call("POST", "/api/exams", json={"title": "Quiz", **settings})
        assert response.status_code == 201, response.json
        exam = response.json
        for n in range(questions):
            added = self.call("POST", f"/api/exams/{exam['id']}/questions", json={
                "type": "single", "text": f"Question {n + 1}", "points": 1,
                "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
            assert added.status_code == 201, added.json
        binder = self.maker_at(link) if link else None
        assert self.call("POST", f"/api/exams/{exam['id']}/bind", binder).status_code == 204
        if questions:
            self.publish(exam)
        return self.call("GET", f"/api/exams/{exam['id']}").json

    def publish(self, exam):
        published = self.call("POST", f"/api/exams/{exam['id']}/publish")
        assert published.status_code == 200, published.json
        return published.json


@pytest.fixture
def course(client, lti):
    return Course(client, lti)


def right_option(question):
    return next(o["id"] for o in question["options"] if o["text"] == "right")


def wrong_option(question):
    return next(o["id"] for o in question["options"] if o["text"] == "wrong")
