"""The tool's JSON API as its pages call it, with a launch token: for setting up exams and reading marks."""

import time

import requests


class ToolApi:
    """The tool's JSON API with one launch token, as the pages call it."""

    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, expected=200, **kwargs):
        response = requests.request(method, self.base + path, timeout=10,
                                    headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        assert response.status_code == expected, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def student_row(maker, exam_id, attempt_id):
    marks = maker.call("GET", f"/api/exams/{exam_id}/marks")
    return next(row for row in marks["students"] if row["attempt_id"] == attempt_id)


def wait_for_student_row(maker, exam_id, attempt_id, condition, *, timeout, what):
    """Read the test maker's marks until the attempt's row meets `condition` (the server's background jobs
    change it); fail naming `what` if it does not within `timeout` seconds. Returns the row."""
    deadline = time.monotonic() + timeout
    while True:
        row = student_row(maker, exam_id, attempt_id)
        if condition(row):
            return row
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout:.0f} s: {row}"
        time.sleep(0.25)
