"""Fuzzing the question file readers (bounded, reproducible): whatever the bytes, a reader returns checked
questions or refuses with QuestionFileInvalid naming lines of the file; it never raises anything else.
Through the API, a broken upload is a clear 400 and imports nothing."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.exam.models import Question
from lti_tool.exam.question_files import QuestionFileInvalid, parse

SAMPLES = {
    "gift": "::Q1:: Capital of France? {=Paris ~Lyon ~Nice#not the capital}\n\n"
            "// comment\nPick two {~%50%a ~%50%b ~%-100%c}\n",
    "csv": "type,question,points,explanation,option_1,option_2,option_3,correct\n"
           "single,Capital of France?,1,,Paris,Lyon,Nice,1\nmulti,\"Pick, two\",2,why,a,b,c,1;2\n",
    "json": '{"questions": [{"type": "single", "text": "Capital?", "points": 1, "options": '
            '[{"text": "Paris", "correct": true}, {"text": "Lyon", "correct": false}]}]}',
}
# Characters each format gives meaning to, so random text reaches the readers' branches, not just their first check.
SYNTAX = "{}[]=~%#:;,\"'\\\n\r\t /-.0123456789abcPtrue"
FUZZ = settings(max_examples=300, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _read(data, fmt):
    try:
        questions = parse(data, fmt)
    except QuestionFileInvalid as refused:
        assert refused.problems
        assert all(isinstance(p.line, int) and p.line >= 0 and p.message for p in refused.problems)
        return None
    assert questions
    return questions


@st.composite
def mutated(draw, fmt):
    """A valid sample with a few random edits: characters replaced, inserted or cut out."""
    text = list(SAMPLES[fmt])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        char = draw(st.sampled_from(SYNTAX))
        if edit == "insert" or at == len(text):
            text.insert(at, char)
        elif edit == "replace":
            text[at] = char
        else:
            del text[at]
    return "".join(text).encode()


@FUZZ
@given(fmt=st.sampled_from(sorted(SAMPLES)), data=st.binary(max_size=600))
def test_any_bytes_are_read_or_refused_cleanly(fmt, data):
    _read(data, fmt)


@FUZZ
@given(fmt=st.sampled_from(sorted(SAMPLES)), text=st.text(SYNTAX, max_size=400))
def test_any_text_in_the_formats_alphabet_is_read_or_refused_cleanly(fmt, text):
    _read(text.encode(), fmt)


@FUZZ
@given(data=st.data())
def test_edited_valid_files_are_read_or_refused_cleanly(data):
    fmt = data.draw(st.sampled_from(sorted(SAMPLES)))
    _read(data.draw(mutated(fmt)), fmt)


def test_the_samples_themselves_are_valid():
    for fmt, sample in SAMPLES.items():
        assert _read(sample.encode(), fmt), fmt


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_broken_upload_is_a_clear_400_and_imports_nothing(course, data):
    fmt = data.draw(st.sampled_from(sorted(SAMPLES)))
    upload = data.draw(mutated(fmt))
    exam = course.exam(questions=1)
    before = db.session.scalar(select(func.count()).select_from(Question))
    response = course.call("POST", f"/api/exams/{exam['id']}/import?dry_run=0",
                           data={"file": (io.BytesIO(upload), f"quiz.{fmt}")}, content_type="multipart/form-data")
    after = db.session.scalar(select(func.count()).select_from(Question))
    if _read(upload, fmt) is None:
        assert response.status_code == 400, response.json
        assert response.json["error"]["code"] == "invalid_question_file"
        assert after == before
    else:
        assert response.status_code == 200, response.json
        assert after == before + response.json["count"]
