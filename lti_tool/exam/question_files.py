"""Question files for bulk import and export: CSV, JSON, Moodle GIFT and Moodle XML read into checked questions.

Pure functions (a file's pictures go to the caller's `pictures`). `read` returns every question, and the questions of
types this tool does not take as skipped, or raises QuestionFileInvalid with every problem and its line, so the
caller imports all or nothing. A question whose fields cannot be read (a wrong JSON type, a points cell
that is not a number) is reported for those fields; the content rules run on every question that reads.
"""

import collections
import csv
import dataclasses
import io
import itertools
import json
import math
import os
import re
from dataclasses import dataclass

from lti_tool import plain_text
from lti_tool.content import rich_text
from lti_tool.errors import AppError
from lti_tool.exam import gift, moodle_xml, qti, tags
from lti_tool.exam.parsed import ParsedOption, ParsedQuestion, Problem, Skipped

FORMATS = ("csv", "json", "gift", "moodle_xml", "qti")
KINDS = ("single", "multi")
MAX_BYTES = 10 * 1024 * 1024  # a bank with its pictures; the import route raises MAX_CONTENT_LENGTH to this
MAX_QUESTIONS = 500
MAX_OPTIONS = 26
MAX_TEXT = 5000
MAX_CATEGORY = 200
_EXTENSIONS = {".csv": "csv", ".json": "json", ".gift": "gift", ".txt": "gift", ".xml": "moodle_xml", ".zip": "qti"}
_SUMMARY_LENGTH = 3
_ENOUGH = MAX_QUESTIONS + 1  # readers stop after this many questions: the file is refused for its size anyway


class QuestionFileInvalid(AppError):
    http_status = 400
    code = "invalid_question_file"
    title = "The file cannot be imported"

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__(_summary(self.problems),
                         hint="Nothing was imported. Fix the lines listed and upload the whole file again.")

    def details(self):
        return {"problems": [{"line": p.line, "message": p.message} for p in self.problems]}


def _summary(problems):
    """'N problems: line 3: …; line 7: …' naming the first few."""
    count = len(problems)
    listed = "; ".join(str(problem) for problem in problems[:_SUMMARY_LENGTH])
    more = f"; and {count - _SUMMARY_LENGTH} more" if count > _SUMMARY_LENGTH else ""
    return f"{count} problem{'' if count == 1 else 's'}: {listed}{more}"


def detect_format(filename: str) -> str:
    """The format a file name's extension announces."""
    extension = os.path.splitext(filename.strip().lower())[1]
    if extension not in _EXTENSIONS:
        raise QuestionFileInvalid([Problem(0, f"{_quote(filename)} is not a question file this tool reads; "
                                              "use .csv, .json, .gift (Moodle GIFT, also as .txt), .xml "
                                              "(Moodle XML or QTI) or .zip (a QTI package)")])
    return _EXTENSIONS[extension]


@dataclass(frozen=True)
class ReadFile:
    questions: list[ParsedQuestion]
    skipped: list[Skipped]


def parse(data: bytes, fmt: str) -> list[ParsedQuestion]:
    """Every question of the file, checked; or QuestionFileInvalid listing every problem."""
    return read(data, fmt).questions


def read(data: bytes, fmt: str, *, pictures=None) -> ReadFile:
    """Every question of the file, checked, and those skipped; or QuestionFileInvalid listing every problem.
    `pictures(name, data)` keeps a picture the file carries and answers its address, or raises ValueError."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown question file format {fmt!r}")
    skipped = []
    if fmt == "qti":
        _check_size(data)
        questions, problems, skipped = qti.read_package(data, pictures=pictures or _no_pictures, limit=_ENOUGH)
    elif fmt == "moodle_xml":
        questions, problems, skipped = moodle_xml.read(_decode(data), pictures=pictures or _no_pictures,
                                                       limit=_ENOUGH)
    else:
        questions, problems = _READERS[fmt](_decode(data))
    questions = [question and _cleaned(question) for question in questions]
    for question in filter(None, questions):
        problems += question_problems(question)
    problems += _count_problems(questions, problems, skipped)
    if problems:
        raise QuestionFileInvalid(sorted(problems, key=lambda problem: problem.line))
    return ReadFile(questions, skipped)


def _cleaned(question):
    """A formatted question with only the HTML it may keep; the rules then check what will be stored."""
    if question.format != "html":
        return question
    options = tuple(dataclasses.replace(option, text=rich_text.clean(option.text)) for option in question.options)
    explanation = question.explanation and (rich_text.clean(question.explanation) or None)
    return dataclasses.replace(question, text=rich_text.clean(question.text), explanation=explanation,
                               options=options)


def _no_pictures(name, data):
    raise ValueError("pictures are not read here")


def _check_size(data):
    if len(data) > MAX_BYTES:
        raise QuestionFileInvalid([Problem(0, f"the file is larger than {MAX_BYTES // 1024 // 1024} MB; "
                                              "split it into smaller files")])


def _decode(data):
    """The file's text, refusing a file too large or not UTF-8."""
    _check_size(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise QuestionFileInvalid([Problem(0, f"the file is not UTF-8 text (the first unreadable character is on "
                                              f"line {line}); save it as UTF-8 (\"CSV UTF-8\" in Excel) and "
                                              "upload it again")]) from None


def _count_problems(questions, problems, skipped=()):
    """The file holds at least one question and at most MAX_QUESTIONS."""
    if not questions and not problems:
        if skipped:
            return [Problem(0, f"the file holds no multiple-choice or true/false questions ({len(skipped)} of other "
                               "types, which this tool does not take)")]
        return [Problem(0, "the file holds no questions")]
    if len(questions) > MAX_QUESTIONS:
        return [Problem(0, f"the file holds more than {MAX_QUESTIONS} questions; at most {MAX_QUESTIONS} can be "
                           "imported at once, so split it into several files")]
    return []


def question_problems(question: ParsedQuestion) -> list[Problem]:
    """Every rule a question breaks, whatever file it came from."""
    messages = [*_text_problems(question), *_unstorable_problems(question), *_option_problems(question.options),
                *_correct_problems(question), *_weight_problems(question), *tags.problems(question.tags)]
    return [Problem(question.line, message) for message in messages]


def _text_problems(question):
    """The question's text, explanation and points."""
    if not rich_text.to_plain(question.text, question.format).strip():
        yield "the question has no text"
    if len(question.text) > MAX_TEXT:
        yield f"the question text has {len(question.text)} characters; at most {MAX_TEXT} are allowed"
    if question.explanation and len(question.explanation) > MAX_TEXT:
        yield f"the explanation has {len(question.explanation)} characters; at most {MAX_TEXT} are allowed"
    if not (math.isfinite(question.points) and question.points > 0):
        yield f"points must be a number above 0, like 1 or 2.5, not {question.points:g}"
    if len(question.category) > MAX_CATEGORY:
        yield f"the category has {len(question.category)} characters; at most {MAX_CATEGORY} are allowed"


def _unstorable_problems(question):
    """Characters the databases cannot store (a NUL, an unpaired surrogate) in any text of the question."""
    texts = [("the question text", question.text), ("the explanation", question.explanation or ""),
             *((f"option {number}", option.text) for number, option in enumerate(question.options, 1))]
    for name, text in texts:
        found = plain_text.problem(text)
        if found:
            yield f"{name} contains {found}, which cannot be stored; remove it"


def _option_problems(options):
    """How many options there are, and each option's text."""
    if len(options) < 2:
        yield f"a question needs at least 2 options; this one has {len(options)}"
    if len(options) > MAX_OPTIONS:
        yield f"a question can have at most {MAX_OPTIONS} options; this one has {len(options)}"
    first = {}
    for number, option in enumerate(options[:MAX_OPTIONS], 1):
        if not option.text.strip():
            yield f"option {number} has no text"
        elif len(option.text) > MAX_TEXT:
            yield f"option {number} has {len(option.text)} characters; at most {MAX_TEXT} are allowed"
        elif option.text in first:
            yield f"options {first[option.text]} and {number} are both {_quote(option.text)}; each option must differ"
        first.setdefault(option.text, number)


def _correct_problems(question):
    """How many options are correct, for the question's kind."""
    correct = sum(option.correct for option in question.options)
    if question.kind == "single" and correct != 1:
        yield (f"a single-answer question needs exactly one correct option; this one has {correct}, so mark one "
               "or make it a multiple-answer question")
    if question.kind == "multi" and not correct:
        yield "a multiple-answer question needs at least one correct option"


def _weight_problems(question):
    """Partial-credit weights: on multi questions only, in range, adding up to 100."""
    weighted = [(number, option) for number, option in enumerate(question.options, 1) if option.weight is not None]
    if not weighted:
        return
    if question.kind != "multi":
        yield "weights (partial credit) are only for multiple-answer questions; remove them or change the type"
        return
    for number, option in weighted:
        yield from _option_weight_problems(number, option)
    for number, option in enumerate(question.options, 1):
        if option.correct and option.weight is None:
            yield f"option {number} is correct but has no weight; when weights are used, every correct option needs one"
    total = sum(option.weight for _, option in weighted if option.weight > 0)
    if not abs(total - 100) <= 0.01:
        yield f"the positive weights add up to {total:g}; they must add up to 100"


def _option_weight_problems(number, option):
    """One weight: in range, and its sign agreeing with correct."""
    if not -100 <= option.weight <= 100:
        yield f"option {number} has weight {option.weight:g}; weights go from -100 to 100"
    elif option.correct and option.weight <= 0:
        yield f"option {number} is correct but its weight {option.weight:g} is not above 0"
    elif not option.correct and option.weight > 0:
        yield f"option {number} is wrong but its weight {option.weight:g} is above 0"


def _infer_kind(options):
    """'single' for one correct option and no weights, else 'multi'."""
    one_right = sum(option.correct for option in options) == 1
    return "single" if one_right and all(option.weight is None for option in options) else "multi"


def _quote(text, limit=40):
    """Text in double quotes, cut short when long."""
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def _quoted_list(texts, one, several, shown=5):
    """'an unknown field "x"' or 'unknown fields "x", "y" and 3 more'."""
    listed = ", ".join(_quote(text) for text in texts[:shown])
    more = f" and {len(texts) - shown} more" if len(texts) > shown else ""
    return f"{one if len(texts) == 1 else several} {listed}{more}"


def _number(value):
    """A JSON value as a float, or None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf


# JSON

_QUESTION_KEYS = ("type", "text", "points", "explanation", "options", "format", "category", "tags")
_OPTION_KEYS = ("text", "correct", "weight")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _read_json(text):
    """Questions of a JSON list, or of {"questions": [...]}, each with the line where its object starts."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(exc.lineno, f"this is not valid JSON: {exc.msg} (column {exc.colno})")]
    except RecursionError:
        return [], [Problem(0, "the JSON is nested too deeply to be a question file")]
    except ValueError:
        return [], [Problem(0, "the JSON holds a number far too long to read")]
    items, problems = _json_items(text)
    questions, line, counted = [], 1, 0
    for offset, item in items:
        line, counted = line + text.count("\n", counted, offset), offset
        question, found = _json_question(item, line)
        questions.append(question)
        problems += found
    return questions, problems


def _json_items(text):
    """(offset, value) of each question of a valid JSON document, and problems with its shape."""
    start = _JSON_SPACE.match(text).end()
    if text[start] == "[":
        return _json_array(text, start, _ENOUGH), []
    members = _json_members(text, start) if text[start] == "{" else []
    unknown = [(offset, key) for offset, key, _ in members if key != "questions"]
    arrays = [offset for _, key, offset in members if key == "questions" and text[offset] == "["]
    problems = []
    if unknown:
        listed = _quoted_list([key for _, key in unknown], "an unknown field", "unknown fields")
        problems.append(Problem(text.count("\n", 0, unknown[0][0]) + 1, f"the file has {listed}; it holds "
                                'either a list of questions or {"questions": [...]}'))
    if not arrays:
        problems.append(Problem(1, 'the file must hold a list of questions [...] or {"questions": [...]}'))
        return [], problems
    return _json_array(text, arrays[-1], _ENOUGH), problems


def _json_array(text, offset, limit):
    """(offset, value) of the first elements, up to limit, of the array starting at offset."""
    decoder, items = json.JSONDecoder(), []
    offset = _JSON_SPACE.match(text, offset + 1).end()
    while text[offset] != "]" and len(items) < limit:
        value, end = decoder.raw_decode(text, offset)
        items.append((offset, value))
        offset = _JSON_SPACE.match(text, end).end()
        offset = _JSON_SPACE.match(text, offset + 1).end() if text[offset] == "," else offset
    return items


def _json_members(text, offset):
    """(offset, key, value offset) of each member of the object starting at offset."""
    decoder, members = json.JSONDecoder(), []
    offset = _JSON_SPACE.match(text, offset + 1).end()
    while text[offset] != "}":
        key, end = decoder.raw_decode(text, offset)
        value_offset = _JSON_SPACE.match(text, _JSON_SPACE.match(text, end).end() + 1).end()
        members.append((offset, key, value_offset))
        _, end = decoder.raw_decode(text, value_offset)
        offset = _JSON_SPACE.match(text, end).end()
        offset = _JSON_SPACE.match(text, offset + 1).end() if text[offset] == "," else offset
    return members


def _json_question(item, line):
    """One question object read, or None when a field cannot be read; and the problems found."""
    if not isinstance(item, dict):
        return None, [Problem(line, 'each question must be an object {"type": ..., "text": ..., "options": [...]}')]
    wrong, options = _json_wrong_fields(item), item.get("options")
    readable = isinstance(options, list) and len(options) <= MAX_OPTIONS
    read = [_json_option(option, number) for number, option in enumerate(options, 1)] if readable else []
    messages = [*_unknown_keys(item, _QUESTION_KEYS, "the question"), *wrong, *(m for _, found in read for m in found)]
    problems = [Problem(line, message) for message in messages]
    if wrong or any(option is None for option, _ in read):
        return None, problems
    explanation = (item.get("explanation") or "").strip() or None
    question = ParsedQuestion(line, item["type"], item.get("text", "").strip(), _number(item.get("points", 1)),
                              explanation, tuple(option for option, _ in read), item.get("format", "plain"),
                              (item.get("category") or "").strip(), tags.normalised(item.get("tags") or ()))
    return question, problems


def _json_wrong_fields(item):
    """What is wrong with the types of a question object's fields."""
    options = item.get("options")
    checks = [
        (item.get("type") in KINDS, '"type" must be "single" or "multi"'),
        (isinstance(item.get("text", ""), str), '"text" must be text in double quotes'),
        (_number(item.get("points", 1)) is not None, '"points" must be a number, like 1 or 2.5'),
        (isinstance(item.get("explanation", ""), str | None), '"explanation" must be text in double quotes'),
        (item.get("format", "plain") in rich_text.FORMATS, '"format" must be "plain" or "html"'),
        (isinstance(item.get("category") or "", str), '"category" must be text in double quotes'),
        (_text_list(item.get("tags") or []), '"tags" must be a list of texts, like ["week 3", "hard"]'),
        (isinstance(options, list), '"options" must be a list [...] like [{"text": "Paris", "correct": true}]'),
        (not isinstance(options, list) or len(options) <= MAX_OPTIONS,
         f"a question can have at most {MAX_OPTIONS} options; this one has {len(options or ())}"),
    ]
    return [message for fine, message in checks if not fine]


def _text_list(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _json_option(option, number):
    """One option object read, or None when a field cannot be read; and what is wrong with it."""
    if not isinstance(option, dict):
        return None, [f'option {number} must be an object like {{"text": "Paris", "correct": true}}']
    text, correct, weight = option.get("text", ""), option.get("correct", False), option.get("weight")
    checks = [
        (isinstance(text, str), f'option {number}: "text" must be text in double quotes'),
        (isinstance(correct, bool), f'option {number}: "correct" must be true or false'),
        (weight is None or _number(weight) is not None, f'option {number}: "weight" must be a number from -100 to 100'),
    ]
    wrong = [message for fine, message in checks if not fine]
    messages = [*_unknown_keys(option, _OPTION_KEYS, f"option {number}"), *wrong]
    return (None if wrong else ParsedOption(text.strip(), correct, _number(weight))), messages


def _unknown_keys(item, known, owner):
    """A message naming the keys of a JSON object that are not fields."""
    unknown = [key for key in item if key not in known]
    if not unknown:
        return []
    return [f"{owner} has {_quoted_list(unknown, 'an unknown field', 'unknown fields')}; "
            f"the fields are {', '.join(known)}"]


# CSV

_CSV_REQUIRED = ("question", "option_1", "option_2", "correct")
_CSV_OPTIONAL = ("type", "points", "explanation")
_CSV_OPTION = re.compile(r"option_([1-9]\d*)")
_CSV_COLUMNS = f"type, question, points, explanation, option_1 … option_{MAX_OPTIONS}, correct"


def _read_csv(text):
    """Questions of a CSV file with a header row, each with the line where its row starts."""
    rows = csv.reader(io.StringIO(text, newline=""))
    questions, problems, end = [], [], 0
    try:
        header = next(rows, None)
        if header is None:
            return [], []
        columns = [name.strip().lower() for name in header]
        problems += _csv_header_problems(columns)
        positions = {name: index for index, name in enumerate(columns) if name}
        end = rows.line_num
        for row in [] if problems else rows:
            line, end = end + 1, rows.line_num
            if len(questions) == _ENOUGH:
                break
            if any(cell.strip() for cell in row):
                question, found = _csv_question(positions, row, line)
                questions.append(question)
                problems += found
    except csv.Error as exc:
        problems.append(Problem(end + 1, f"this row cannot be read as CSV ({exc}); check its quotes"))
    return questions, problems


def _csv_header_problems(columns):
    """Problems with the header row, each reported once at line 1."""
    named = [name for name in columns if name]
    problems = []
    unknown = [name for name in named if name not in _CSV_REQUIRED + _CSV_OPTIONAL and not _csv_option(name)]
    if unknown:
        problems.append(f"{_quoted_list(unknown, 'unknown column', 'unknown columns')}; the columns are {_CSV_COLUMNS}")
    missing = [name for name in _CSV_REQUIRED if name not in named]
    if missing:
        problems.append(f"the header row lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                        f"the columns are {_CSV_COLUMNS}")
    twice = sorted(name for name, count in collections.Counter(named).items() if count > 1)
    if twice:
        problems.append(f"the header row repeats {_quoted_list(twice, 'the column', 'the columns')}")
    numbers = sorted(_csv_option(name) for name in set(named) if _csv_option(name))
    if numbers and numbers != list(range(1, numbers[-1] + 1)):
        problems.append("option columns must be numbered option_1, option_2, … without gaps")
    return [Problem(1, message) for message in problems]


def _csv_option(name):
    """The number of an option_N column up to MAX_OPTIONS, else None."""
    match = _CSV_OPTION.fullmatch(name)
    return int(match[1]) if match and int(match[1]) <= MAX_OPTIONS else None


def _csv_question(positions, row, line):
    """One row, its cells found by the header's column positions, read; or None when a cell cannot be read."""
    cells = {name: (row[index].strip() if index < len(row) else "") for name, index in positions.items()}
    wrong = []
    named = set(positions.values())
    if any(cell.strip() for index, cell in enumerate(row) if index not in named):
        wrong.append("this row has a value in a column the header row does not name")
    texts = [cells.get(f"option_{number}", "") for number in range(1, MAX_OPTIONS + 1)]
    while texts and not texts[-1]:
        texts.pop()
    correct, wrong_correct = _csv_correct(cells["correct"], len(texts))
    points, wrong_points = _csv_points(cells.get("points", ""))
    wrong += wrong_correct + wrong_points
    kind = cells.get("type", "").lower()
    if kind not in ("", *KINDS):
        wrong.append(f"type {_quote(cells['type'])} is not known; write single, multi, or leave it empty")
    if wrong:
        return None, [Problem(line, message) for message in wrong]
    options = tuple(ParsedOption(text, number in correct) for number, text in enumerate(texts, 1))
    return ParsedQuestion(line, kind or _infer_kind(options), cells["question"], points,
                          cells.get("explanation") or None, options), []


def _csv_correct(cell, option_count):
    """The option numbers a correct cell lists, like 1;3, and what is wrong with it."""
    numbers, wrong = set(), []
    for part in filter(None, (part.strip() for part in re.split(r"[;,]", cell))):
        if not part.isdecimal():
            wrong.append(f"correct must list option numbers like 1 or 1;3, not {_quote(part)}")
        elif not 1 <= int(part) <= option_count:
            wrong.append(f"correct lists option {int(part)}, but this row has {option_count} options")
        else:
            numbers.add(int(part))
    return numbers, wrong


def _csv_points(cell):
    """The points cell as a number, empty meaning 1; and what is wrong with it."""
    try:
        return (float(cell) if cell else 1.0), []
    except ValueError:
        return None, [f"points must be a number like 1 or 2.5 (with a dot), not {_quote(cell)}"]


# GIFT


def _read_gift(text):
    """Questions of a Moodle GIFT file; points are 1, as GIFT has none."""
    questions, problems = [], []
    for block in itertools.islice(gift.read(text, max_answers=MAX_OPTIONS), _ENOUGH):
        if isinstance(block, gift.Unreadable):
            questions.append(None)
            problems.append(Problem(block.line, block.reason))
        else:
            options = tuple(ParsedOption(answer.text, answer.correct, answer.weight) for answer in block.answers)
            kind = "multi" if block.weighted else "single"
            questions.append(ParsedQuestion(block.line, kind, block.text, 1.0, block.explanation, options,
                                            block.format))
    return questions, problems


_READERS = {"csv": _read_csv, "json": _read_json, "gift": _read_gift}


def to_json(questions: list[dict]) -> str:
    """Questions as the JSON import format, so an export imports again unchanged."""
    return json.dumps({"questions": [_json_entry(question) for question in questions]},
                      ensure_ascii=False, indent=2) + "\n"


def _json_entry(question):
    """One question as a JSON import object."""
    entry = {"type": question["kind"], "text": question["text"], "points": _plain(question["points"])}
    if question.get("format", "plain") != "plain":
        entry["format"] = question["format"]
    if question.get("explanation") is not None:
        entry["explanation"] = question["explanation"]
    if question.get("category"):
        entry["category"] = question["category"]
    if question.get("tags"):
        entry["tags"] = list(question["tags"])
    entry["options"] = [_json_option_entry(option) for option in question["options"]]
    return entry


def _json_option_entry(option):
    """One option as a JSON import object."""
    entry = {"text": option["text"], "correct": bool(option["correct"])}
    if option.get("weight") is not None:
        entry["weight"] = _plain(option["weight"])
    return entry


def _plain(number):
    """A whole number as an int, so 2.0 is written 2."""
    number = float(number)
    return int(number) if number.is_integer() else number
