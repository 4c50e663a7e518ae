"""Moodle GIFT, its multiple-choice subset: each question block read into text, answers and general feedback."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

ONLY_MCQ = "only multiple choice ({=right ~wrong})"
BLANK = "_____"
_ESCAPE = r"\\[~=#{}:]"
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_BAD_WEIGHT = re.compile(r"%[-+\d.,\s]*%")
_TEXT_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_TRUE_FALSE = {"T", "F", "TRUE", "FALSE"}


@dataclass(frozen=True)
class Answer:
    text: str
    correct: bool
    weight: float | None


@dataclass(frozen=True)
class Question:
    line: int
    text: str
    explanation: str | None
    answers: tuple[Answer, ...]
    weighted: bool
    format: str  # "html" for a question marked [html]; else "plain" (what [moodle] and [markdown] are read as)


@dataclass(frozen=True)
class Unreadable:
    line: int
    reason: str


class _Refused(Exception):
    """A question block outside the subset this reader takes; the message says why."""


def read(text: str, *, max_answers: int) -> Iterator[Question | Unreadable]:
    """Each question block of a GIFT file in turn, read, or refused with its first line and the reason."""
    return (_block(line, source, max_answers) for line, source in _blocks(text))


def _blocks(text):
    """(first line, source) of each block of lines between blank lines, without comments and categories."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith(("//", "$CATEGORY:")):
            continue
        if stripped:
            start = start if current else number
            current.append(line)
        elif current:
            blocks.append((start, "\n".join(current)))
            current = []
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _block(line, source, max_answers):
    """One question block read, or refused with the reason."""
    try:
        source, fmt = _without_title(source.strip())
        opening, closing = _answer_block(source)
        body, explanation = _split_general_feedback(source[opening + 1:closing])
        _refuse_other_kinds(body)
        answers, weighted = _answers(body, max_answers)
    except _Refused as refusal:
        return Unreadable(line, str(refusal))
    text = _question_text(source[:opening], source[closing + 1:])
    return Question(line, text, explanation, answers, weighted, fmt)


def _find(source, target, start=0):
    """Index of the first unescaped target at or after start, or -1."""
    for match in re.finditer(_ESCAPE + "|" + re.escape(target), source[start:]):
        if match[0] == target:
            return start + match.start()
    return -1


def _unescape(text):
    """Text stripped, its escaped special characters made plain."""
    return re.sub(r"\\([~=#{}:])", r"\1", text.strip())


def _without_title(source):
    """The source without its ::Title:: prefix and [format] marker, and the format the marker names."""
    if source.startswith("::"):
        end = _find(source, "::", 2)
        if end < 0:
            raise _Refused("the title opened with :: is not closed with ::")
        source = source[end + 2:].lstrip()
    marker = _TEXT_FORMAT.match(source)
    if marker is None:
        return source, "plain"
    return source[marker.end():], "html" if marker[1] == "html" else "plain"


def _answer_block(source):
    """Positions of the { and } around the answers."""
    opening = _find(source, "{")
    if opening < 0:
        raise _Refused(f"descriptions (text without answers in {{ }}) are not supported; {ONLY_MCQ}")
    closing = _find(source, "}", opening)
    if closing < 0:
        raise _Refused("the answers opened with { are not closed with }; "
                       "a blank line inside { } also ends the question")
    if _find(source[:closing], "{", opening + 1) >= 0 or _find(source, "{", closing) >= 0:
        raise _Refused("a question takes one answer block { }; write a { or } that belongs to the text as \\{ or \\}")
    return opening, closing


def _split_general_feedback(block):
    """The answers and the general feedback written after ####, if any."""
    mark = _find(block, "####")
    if mark < 0:
        return block, None
    return block[:mark], _unescape(block[mark + 4:]) or None


def _refuse_other_kinds(body):
    """Refuse every GIFT question type but multiple choice, naming it."""
    body = body.strip()
    feedback = _find(body, "#")
    if not body:
        kind = "essay"
    elif body.startswith("#"):
        kind = "numerical"
    elif body[:feedback if feedback >= 0 else len(body)].strip().upper() in _TRUE_FALSE:
        kind = "true/false"
    elif _find(body, "=") >= 0 and _find(body, "->") >= 0:
        kind = "matching"
    elif _find(body, "=") >= 0 and _find(body, "~") < 0:
        kind = "short answer"
    else:
        return
    raise _Refused(f"{kind} questions are not supported; {ONLY_MCQ}")


def _answers(body, max_answers):
    """The answers of a multiple-choice block, and whether any carries a %weight%."""
    marks = [match.start() for match in re.finditer(_ESCAPE + "|[=~]", body) if match[0] in "=~"]
    if len(marks) > max_answers:
        raise _Refused(f"a question can have at most {max_answers} options; this one has {len(marks)}")
    lead = body[:marks[0]].strip() if marks else body.strip()
    if lead:
        raise _Refused(f"{_quote(lead)} stands before the first answer; each answer starts with = (right) or ~ (wrong)")
    pieces = [(body[start], body[start + 1:end]) for start, end in zip(marks, [*marks[1:], len(body)], strict=True)]
    weighted = any(_WEIGHT.match(piece.lstrip()) for _, piece in pieces)
    return tuple(_answer(mark, piece, weighted) for mark, piece in pieces), weighted


def _answer(mark, piece, weighted):
    """One answer: its text without feedback, and whether it is right, by its mark or its weight."""
    feedback = _find(piece, "#")
    piece = piece[:feedback if feedback >= 0 else len(piece)].strip()
    match = _WEIGHT.match(piece)
    if not match and _BAD_WEIGHT.match(piece):
        raise _Refused(f"the weight in {_quote(mark + piece)} is not a number; write weights like ~%50% or ~%-25%")
    if match:
        weight = float(match[1])
        return Answer(_unescape(piece[match.end():]), weight > 0, weight)
    if weighted and mark == "=":
        return Answer(_unescape(piece), True, 100.0)
    return Answer(_unescape(piece), mark == "=", None)


def _question_text(before, after):
    """The text around the answers; answers in the middle of a sentence leave a blank there."""
    before, after = _unescape(before), _unescape(after)
    if not after:
        return before
    return " ".join(part for part in (before, BLANK, after) if part)


def _quote(text, limit=40):
    """Text in double quotes, cut short when long."""
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'
