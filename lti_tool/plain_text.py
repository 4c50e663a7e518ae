"""Text the databases can store: no NUL character and no unpaired surrogate. PostgreSQL's text types hold
neither (SQLite takes both), yet JSON escapes (\\u0000, \\ud800) and percent-encoding (%00) carry them in.

The rule is checked once per way in: request bodies where Flask parses JSON, query strings and forms before
any view runs, socket messages (realtime/messages.py), launch claims (launch/validation.py), the LMS's roster
(launch/nrps.py) and question files (exam/question_files.py). Each refusal says where the character is.
The visible text "\\u0000" is fine."""

import re
from dataclasses import dataclass

from flask import request
from flask.json.provider import DefaultJSONProvider

from lti_tool.errors import AppError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def problem(text):
    """What in `text` cannot be stored ("a NUL character (U+0000)", ...), or None when it is plain text."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (U+0000)"
    return f"an unpaired surrogate (U+{ord(found.group()):04X}), which is not a Unicode character"


@dataclass(frozen=True)
class Flaw:
    """Where a parsed JSON value holds text that cannot be stored, and what."""

    path: str  # "title", "options[1].text"; "" for the value itself
    problem: str
    in_name: bool  # the flaw is in a field's name, not in a value

    def __str__(self):
        where = f'"{self.path}"' if self.path else "the value"
        if self.in_name:
            where = f"a field name in {where}" if self.path else "a field name"
        return f"{where} contains {self.problem}"


def find(value):
    """The first Flaw in a parsed JSON value (strings, field names, lists and objects), or None. Iterative,
    so a body nested as deep as the JSON parser allows is walked without running out of stack."""
    pending = [("", value)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if found := problem(value):
                return Flaw(path, found, in_name=False)
        elif isinstance(value, dict):
            for name in value:
                if found := problem(name):
                    return Flaw(path, found, in_name=True)
            pending.extend((f"{path}.{name}" if path else name, item) for name, item in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in reversed(list(enumerate(value))))
    return None


class UnstorableText(AppError):
    code = "unstorable_text"
    title = "The text cannot be stored"

    def __init__(self, where, flaw):
        super().__init__(f"In {where}, {flaw}, which the tool cannot store.",
                         hint="Remove the character (it is invisible in most editors) and send it again.")


def refuse(value, where):
    """Raise UnstorableText if a parsed value holds text that cannot be stored; `where` names its source."""
    flaw = find(value)
    if flaw is not None:
        raise UnstorableText(where, flaw)


class CheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing request bodies whose text cannot be stored. Raised as an AppError, not a
    ValueError, so that `get_json(silent=True)` does not turn it into a missing body."""

    def loads(self, s, **kwargs):
        value = super().loads(s, **kwargs)
        refuse(value, "the request body")
        return value


def _fields(values):
    """A query string's or form's fields by name: one value as itself, a repeated field as a list."""
    return {name: found[0] if len(found) == 1 else found for name, found in values.lists()}


def _check_query_and_form():
    refuse(_fields(request.args), "the query string")
    if request.mimetype in FORM_TYPES:
        refuse(_fields(request.form), "the form")


def init_app(app):
    app.json = CheckedJSONProvider(app)
    app.before_request(_check_query_and_form)
