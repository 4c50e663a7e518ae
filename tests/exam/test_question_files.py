"""Question files: CSV, JSON and GIFT imported all or nothing, every problem reported with its line."""

import dataclasses
import json
import random

import pytest

from lti_tool.errors import AppError
from lti_tool.exam.question_files import (
    KINDS,
    MAX_BYTES,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MAX_TEXT,
    ParsedOption,
    ParsedQuestion,
    Problem,
    QuestionFileInvalid,
    detect_format,
    parse,
    question_problems,
    to_json,
)

PARIS = {"type": "single", "text": "Capital of France?",
         "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}


def problems(data, fmt):
    """(line, message) of every problem the file has."""
    with pytest.raises(QuestionFileInvalid) as refused:
        parse(data, fmt)
    return [(problem.line, problem.message) for problem in refused.value.problems]


def assert_problems(data, fmt, expected):
    """The file's problems are exactly these (line, message start) pairs, in order."""
    found = problems(data, fmt)
    assert len(found) == len(expected), found
    for (line, message), (expected_line, start) in zip(found, expected, strict=True):
        assert (line, message[:len(start)]) == (expected_line, start), found


def json_file(*questions):
    return json.dumps(list(questions), indent=2).encode()


def without_lines(questions):
    return [dataclasses.replace(question, line=0) for question in questions]


# Formats by file name


@pytest.mark.parametrize(("filename", "fmt"), [
    ("quiz.csv", "csv"), ("Quiz.JSON", "json"), ("moodle.gift", "gift"), ("export.txt", "gift"),
    ("C:\\Users\\me\\quiz.final.csv", "csv"), ("questions-20261204.XML", "moodle_xml"),
])
def test_format_is_detected_from_the_extension(filename, fmt):
    assert detect_format(filename) == fmt


@pytest.mark.parametrize("filename", ["quiz.xlsx", "quiz", "", "quiz.csv.gz"])
def test_other_extensions_are_refused_with_the_accepted_ones(filename):
    with pytest.raises(QuestionFileInvalid) as refused:
        detect_format(filename)
    [problem] = refused.value.problems
    assert problem.line == 0
    assert ("use .csv, .json, .gift (Moodle GIFT, also as .txt), .xml (Moodle XML or QTI) or .zip (a QTI package)"
            in problem.message)


def test_the_refusal_is_an_app_error_summarising_the_first_problems():
    error = QuestionFileInvalid([Problem(0, "whole file"), Problem(3, "three"), Problem(7, "seven"),
                                 Problem(9, "nine"), Problem(11, "eleven")])
    assert isinstance(error, AppError)
    assert (error.http_status, error.code, error.title) == (400, "invalid_question_file", "The file cannot be imported")
    assert error.message == "5 problems: whole file; line 3: three; line 7: seven; and 2 more"
    assert "Nothing was imported" in error.hint
    assert QuestionFileInvalid([Problem(4, "four")]).message == "1 problem: line 4: four"


def test_an_unknown_format_name_is_a_programming_error():
    with pytest.raises(ValueError, match="xml"):
        parse(b"", "xml")


# JSON


def test_json_list_reads_every_field_with_the_line_of_each_question():
    data = b"""[
  {
    "type": "single", "text": "  Capital of France?  ", "points": 2, "explanation": "It is Paris.",
    "options": [{"text": "Paris", "correct": true}, {"text": "Lyon", "correct": false}]
  },
  {"type": "multi", "text": "Even numbers?", "points": 0.5, "explanation": "",
   "options": [{"text": "2", "correct": true, "weight": 50}, {"text": "4", "correct": true, "weight": 50},
               {"text": "3", "weight": -100}, {"text": "5"}]}
]"""
    assert parse(data, "json") == [
        ParsedQuestion(2, "single", "Capital of France?", 2.0, "It is Paris.",
                       (ParsedOption("Paris", True), ParsedOption("Lyon", False))),
        ParsedQuestion(6, "multi", "Even numbers?", 0.5, None,
                       (ParsedOption("2", True, 50.0), ParsedOption("4", True, 50.0),
                        ParsedOption("3", False, -100.0), ParsedOption("5", False))),
    ]


def test_json_questions_object_with_bom_and_default_points():
    data = "\ufeff{\n\"questions\": [\n" + json.dumps(PARIS, ensure_ascii=False) + "]}"
    [question] = parse(data.encode(), "json")
    assert (question.line, question.points, question.explanation) == (3, 1.0, None)


def test_json_unknown_top_level_fields_are_reported_at_their_line():
    data = b'{\n  "questions": [\n' + json.dumps(PARIS).encode() + b'\n  ],\n  "version": 2, "author": "me"\n}'
    assert problems(data, "json") == [
        (5, 'the file has unknown fields "version", "author"; it holds either a list of questions or '
            '{"questions": [...]}')]


def test_json_syntax_error_reports_its_own_line():
    assert_problems(b'[\n  {"type": "single",\n   "text": "Q"\n   "options": []}\n]', "json",
                    [(4, "this is not valid JSON: Expecting ',' delimiter (column 4)")])


@pytest.mark.parametrize(("data", "message"), [
    (b'"just text"', 'the file must hold a list of questions [...] or {"questions": [...]}'),
    (b'{"question": []}', 'the file has an unknown field "question"; it holds either a list of questions or'),
    (b'{"questions": {}}', "the file must hold a list"),
    (b"[" * 100_000 + b"]" * 100_000, "the JSON is nested too deeply"),
    (b"[" + b"1" * 5000 + b"]", "the JSON holds a number far too long"),
])
def test_json_of_the_wrong_shape_is_refused(data, message):
    [(_, found), *_] = problems(data, "json")
    assert found.startswith(message)


@pytest.mark.parametrize(("question", "message"), [
    ("a question", "each question must be an object"),
    ({**PARIS, "txt": "typo"}, 'the question has an unknown field "txt"; the fields are type, text, points'),
    ({**PARIS, **{f"k{n}": n for n in range(7)}},
     'the question has unknown fields "k0", "k1", "k2", "k3", "k4" and 2 more; the fields are'),
    ({**PARIS, "type": "multiple"}, '"type" must be "single" or "multi"'),
    ({key: value for key, value in PARIS.items() if key != "type"}, '"type" must be "single" or "multi"'),
    ({**PARIS, "text": 42}, '"text" must be text'),
    ({**PARIS, "points": "2"}, '"points" must be a number'),
    ({**PARIS, "points": True}, '"points" must be a number'),
    ({**PARIS, "explanation": ["x"]}, '"explanation" must be text'),
    ({**PARIS, "category": 3}, '"category" must be text'),
    ({**PARIS, "options": "Paris, Lyon"}, '"options" must be a list'),
    ({**PARIS, "options": ["Paris", {"text": "Lyon"}]}, "option 1 must be an object"),
    ({**PARIS, "options": [{"text": 1, "correct": True}, {"text": "Lyon"}]}, 'option 1: "text" must be text'),
    ({**PARIS, "options": [{"text": "Paris", "correct": "yes"}, {"text": "Lyon"}]},
     'option 1: "correct" must be true or false'),
    ({**PARIS, "options": [{"text": "Paris", "correct": True, "weight": "50%"}, {"text": "Lyon"}]},
     'option 1: "weight" must be a number'),
])
def test_json_wrong_fields_are_named(question, message):
    [(line, found)] = problems(json.dumps([question]).encode(), "json")
    assert (line, found[:len(message)]) == (1, message)


def test_json_unknown_fields_are_reported_beside_the_rules_they_break():
    question = {**PARIS, "options": [{"text": "Paris", "corect": True}, {"text": "Lyon"}]}
    assert_problems(json_file(question), "json", [
        (2, 'option 1 has an unknown field "corect"; the fields are text, correct, weight'),
        (2, "a single-answer question needs exactly one correct option; this one has 0"),
    ])


# The rules every format shares, checked here through JSON


def weighted(*weights, kind="multi"):
    return {**PARIS, "type": kind, "options": [
        {"text": f"option {n}", "correct": weight is not None and weight > 0, "weight": weight}
        for n, weight in enumerate(weights, 1)]}


def options(*correct):
    return [{"text": f"option {n}", "correct": right} for n, right in enumerate(correct, 1)]


@pytest.mark.parametrize(("question", "message"), [
    ({**PARIS, "text": ""}, "the question has no text"),
    ({key: value for key, value in PARIS.items() if key != "text"}, "the question has no text"),
    ({**PARIS, "text": " \n "}, "the question has no text"),
    ({**PARIS, "text": "x" * (MAX_TEXT + 1)}, f"the question text has {MAX_TEXT + 1} characters; at most 5000"),
    ({**PARIS, "explanation": "x" * (MAX_TEXT + 1)}, f"the explanation has {MAX_TEXT + 1} characters"),
    ({**PARIS, "points": 0}, "points must be a number above 0, like 1 or 2.5, not 0"),
    ({**PARIS, "category": "c" * 201}, "the category has 201 characters; at most 200 are allowed"),
    ({**PARIS, "points": -2}, "points must be a number above 0"),
    ({**PARIS, "points": float("nan")}, "points must be a number above 0, like 1 or 2.5, not nan"),
    ({**PARIS, "points": float("inf")}, "points must be a number above 0"),
    ({**PARIS, "points": 10 ** 400}, "points must be a number above 0"),
    ({**PARIS, "options": options(True)}, "a question needs at least 2 options; this one has 1"),
    ({**PARIS, "options": options(True, *[False] * MAX_OPTIONS)}, "a question can have at most 26 options"),
    ({**PARIS, "options": [{"text": "Paris", "correct": True}, {"text": " "}]}, "option 2 has no text"),
    ({**PARIS, "options": [{"text": "P" * (MAX_TEXT + 1), "correct": True}, {"text": "L"}]},
     f"option 1 has {MAX_TEXT + 1} characters"),
    ({**PARIS, "options": [{"text": "Paris", "correct": True}, {"text": "Lyon"}, {"text": "Paris "}]},
     'options 1 and 3 are both "Paris"; each option must differ'),
    ({**PARIS, "options": options(False, False)}, "a single-answer question needs exactly one correct option; "
                                                  "this one has 0"),
    ({**PARIS, "options": options(True, True)}, "a single-answer question needs exactly one correct option; "
                                                "this one has 2"),
    ({**PARIS, "type": "multi", "options": options(False, False)},
     "a multiple-answer question needs at least one correct option"),
    (weighted(100, -100, kind="single"), "weights (partial credit) are only for multiple-answer questions"),
    (weighted(150, -50), "option 1 has weight 150; weights go from -100 to 100"),
    (weighted(50, 40, None), "the positive weights add up to 90; they must add up to 100"),
    ({**weighted(50, 50), "options": [{"text": "a", "correct": True, "weight": -10},
                                      {"text": "b", "correct": True, "weight": 100}]},
     "option 1 is correct but its weight -10 is not above 0"),
    ({**weighted(50, 50), "options": [{"text": "a", "correct": True, "weight": 100},
                                      {"text": "b", "correct": False, "weight": 10}]},
     "option 2 is wrong but its weight 10 is above 0"),
    ({**weighted(50, 50), "options": [{"text": "a", "correct": True, "weight": 100},
                                      {"text": "b", "correct": True}]},
     "option 2 is correct but has no weight"),
])
def test_each_rule_is_refused_with_the_line_of_the_question(question, message):
    found = problems(b"[\n" + json.dumps(question).encode() + b"\n]", "json")
    assert (found[0][0], found[0][1][:len(message)]) == (2, message)


def test_the_shared_rules_apply_to_questions_built_anywhere():
    many = tuple(ParsedOption(f"option {n}", n == 1) for n in range(1, MAX_OPTIONS + 2))
    question = ParsedQuestion(9, "single", "Q", 1.0, None, many)
    assert question_problems(question) == [Problem(9, "a question can have at most 26 options; this one has 27")]
    assert question_problems(dataclasses.replace(question, options=many[:2])) == []


@pytest.mark.parametrize("weights", [(50, 50.005, -100), (33.33, 33.33, 33.34), (100, 0, None)])
def test_weights_that_add_up_to_100_are_accepted(weights):
    [question] = parse(json_file(weighted(*weights)), "json")
    assert [option.weight for option in question.options] == [w if w is None else float(w) for w in weights]


def test_a_json_file_with_several_broken_questions_reports_all_of_them():
    data = b"""[
  {"type": "single", "text": "", "options": [{"text": "a", "correct": true}, {"text": "b"}]},
  {"type": "single", "text": "fine", "options": [{"text": "a", "correct": true}, {"text": "b"}]},
  {"type": "multi", "text": "Q", "points": 0,
   "options": [{"text": "a"}, {"text": "a"}]},
  {"type": "mult", "text": "Q", "options": []},
  {"type": "single", "text": "Q", "options": [{"text": "a", "correct": "yes", "colour": 1}, {"text": "b"}]}
]"""
    assert_problems(data, "json", [
        (2, "the question has no text"),
        (4, "points must be a number above 0"),
        (4, 'options 1 and 2 are both "a"'),
        (4, "a multiple-answer question needs at least one correct option"),
        (6, '"type" must be "single" or "multi"'),
        (7, 'option 1 has an unknown field "colour"'),
        (7, 'option 1: "correct" must be true or false'),
    ])


# CSV


def test_csv_reads_rows_with_bom_any_header_case_multiline_cells_and_crlf():
    data = (
        "\ufeffType,QUESTION,Points,Explanation,option_1,option_2,option_3,correct\r\n"
        'single,"Which line\r\nis this?",2,,one,two,,2\r\n'
        '"",Pick the even ones,,"Two and four\r\nare even.",2,4,3,"1;2"\r\n'
        "\r\n"
        ',Only one right,1.5,,yes,no,,"1"\r\n'
        "MULTI,Spread over,,,a,b,c,\"1,3\"\r\n"
    ).encode()
    assert parse(data, "csv") == [
        ParsedQuestion(2, "single", "Which line\r\nis this?", 2.0, None,
                       (ParsedOption("one", False), ParsedOption("two", True))),
        ParsedQuestion(4, "multi", "Pick the even ones", 1.0, "Two and four\r\nare even.",
                       (ParsedOption("2", True), ParsedOption("4", True), ParsedOption("3", False))),
        ParsedQuestion(7, "single", "Only one right", 1.5, None,
                       (ParsedOption("yes", True), ParsedOption("no", False))),
        ParsedQuestion(8, "multi", "Spread over", 1.0, None,
                       (ParsedOption("a", True), ParsedOption("b", False), ParsedOption("c", True))),
    ]


def test_csv_needs_only_question_two_options_and_correct():
    [question] = parse(b"question,option_1,option_2,correct\nQ,a,b,2\n", "csv")
    assert question == ParsedQuestion(2, "single", "Q", 1.0, None, (ParsedOption("a", False), ParsedOption("b", True)))


def test_csv_header_problems_are_reported_once_at_line_1():
    data = b"type,qestion,option_1,option_3,option_27,answer,type\n" + b"single,Q,a,b,c,1,single\n" * 5
    assert_problems(data, "csv", [
        (1, 'unknown columns "qestion", "option_27", "answer"; the columns are type, question, points, '
            "explanation, option_1 \u2026 option_26, correct"),
        (1, "the header row lacks the columns question, option_2, correct"),
        (1, 'the header row repeats the column "type"'),
        (1, "option columns must be numbered option_1, option_2, \u2026 without gaps"),
    ])


def test_a_csv_file_with_several_broken_rows_reports_all_of_them_at_their_physical_lines():
    data = (
        b"type,question,points,option_1,option_2,option_3,correct\n"
        b'single,"A question\non two lines",,a,b,,3\n'
        b",fine,,a,b,,1\n"
        b'multi,,"2,5",a,a,,\n'
        b"multi,,,a,a,,\n"
        b"singel,Q,,a,b,,one\n"
        b",Q,,a,b,,1,extra\n"
    )
    assert_problems(data, "csv", [
        (2, "correct lists option 3, but this row has 2 options"),
        (5, 'points must be a number like 1 or 2.5 (with a dot), not "2,5"'),
        (6, "the question has no text"),
        (6, 'options 1 and 2 are both "a"'),
        (6, "a multiple-answer question needs at least one correct option"),
        (7, 'correct must list option numbers like 1 or 1;3, not "one"'),
        (7, 'type "singel" is not known; write single, multi, or leave it empty'),
        (8, "this row has a value in a column the header row does not name"),
    ])


def test_csv_cell_too_large_for_the_csv_module_is_a_problem_at_its_row():
    data = b"question,option_1,option_2,correct\nQ,a,b,1\n\"" + b"x" * 200_000 + b'",a,b,1\n'
    [(line, message)] = problems(data, "csv")
    assert line == 3
    assert message.startswith("this row cannot be read as CSV (field larger than field limit")


def test_csv_with_only_a_header_holds_no_questions():
    assert problems(b"question,option_1,option_2,correct\n\n", "csv") == [(0, "the file holds no questions")]
    assert problems(b"", "csv") == [(0, "the file holds no questions")]


# GIFT


def test_gift_questions_are_single_or_weighted_multi_worth_one_point():
    data = (
        b"\xef\xbb\xbf// Geography\n"
        b"::Capital:: The capital of France is {\n"
        b"  =Paris # right\n"
        b"  ~Lyon\n"
        b"  ####It has been since 987.\n"
        b"} on the Seine.\n"
        b"\n"
        b"Even numbers? {~%50%2 ~%50%4 ~%-100%3}\n"
    )
    assert parse(data, "gift") == [
        ParsedQuestion(2, "single", "The capital of France is _____ on the Seine.", 1.0, "It has been since 987.",
                       (ParsedOption("Paris", True), ParsedOption("Lyon", False))),
        ParsedQuestion(8, "multi", "Even numbers?", 1.0, None,
                       (ParsedOption("2", True, 50.0), ParsedOption("4", True, 50.0),
                        ParsedOption("3", False, -100.0))),
    ]


def test_a_gift_file_with_several_broken_questions_reports_all_of_them():
    data = (
        b"// quiz\n"
        b"::Q1:: Fine {=a ~b}\n"
        b"\n"
        b"Is it true? {T}\n"
        b"\n"
        b"Two right {=a =b ~c}\n"
        b"\n"
        b"Weights {~%50%a ~%40%b ~c}\n"
        b"\n"
        b"Unclosed {=a ~b\n"
    )
    assert_problems(data, "gift", [
        (4, "true/false questions are not supported; only multiple choice ({=right ~wrong})"),
        (6, "a single-answer question needs exactly one correct option; this one has 2"),
        (8, "the positive weights add up to 90; they must add up to 100"),
        (10, "the answers opened with { are not closed with }"),
    ])
    assert "line 4: true/false questions are not supported" in QuestionFileInvalid(
        [Problem(line, message) for line, message in problems(data, "gift")]).message


def test_gift_with_only_comments_holds_no_questions():
    assert problems(b"// nothing yet\n\n$CATEGORY: x\n", "gift") == [(0, "the file holds no questions")]


# The file as a whole


@pytest.mark.parametrize("fmt", ["csv", "json", "gift"])
def test_a_file_that_is_not_utf8_is_one_problem(fmt):
    data = "question\nCapital de la France\u00a0?\n".encode("latin-1")
    assert problems(data, fmt) == [(0, "the file is not UTF-8 text (the first unreadable character is on line 2); "
                                       'save it as UTF-8 ("CSV UTF-8" in Excel) and upload it again')]


def test_a_file_over_the_size_limit_is_refused_before_reading():
    assert problems(b" " * (MAX_BYTES + 1), "json") == [(0, "the file is larger than 10 MB; "
                                                           "split it into smaller files")]


def test_at_most_max_questions_per_file():
    assert len(parse(json_file(*[PARIS] * MAX_QUESTIONS), "json")) == MAX_QUESTIONS
    assert problems(json_file(*[PARIS] * (MAX_QUESTIONS + 1)), "json") == [
        (0, "the file holds more than 500 questions; at most 500 can be imported at once, "
            "so split it into several files")]


def test_an_empty_json_list_holds_no_questions():
    assert problems(b"[]", "json") == [(0, "the file holds no questions")]


# Export


def test_export_writes_the_json_import_format():
    exported = to_json([
        {"kind": "single", "text": "Q", "points": 2.0, "explanation": None,
         "options": [{"text": "a", "correct": True, "weight": None}, {"text": "b", "correct": False, "weight": None}]},
        {"kind": "multi", "text": "Caf\u00e9?", "points": 1.5, "explanation": "E",
         "options": [{"text": "a", "correct": True, "weight": 100.0}, {"text": "b", "correct": 0, "weight": -12.5}]},
    ])
    assert json.loads(exported) == {"questions": [
        {"type": "single", "text": "Q", "points": 2,
         "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]},
        {"type": "multi", "text": "Caf\u00e9?", "points": 1.5, "explanation": "E",
         "options": [{"text": "a", "correct": True, "weight": 100}, {"text": "b", "correct": False, "weight": -12.5}]},
    ]}
    assert "Caf\u00e9" in exported


@pytest.mark.parametrize(("fmt", "data"), [
    ("json", json_file(PARIS, weighted(60, 40, -100, None), {**PARIS, "points": 2.5, "explanation": "Yes."})),
    ("gift", b"Q1 {=a ~b ####why}\n\nQ2 {~%70%a ~%30%b ~%-100%c}\n\nQ3 {~x =y}\n"),
    ("csv", b'type,question,points,explanation,option_1,option_2,option_3,correct\nmulti,"A\nB",3,E,x,y,z,"1;2"\n'),
])
def test_export_then_import_gives_the_same_questions(fmt, data):
    questions = parse(data, fmt)
    exported = to_json([dataclasses.asdict(question) for question in questions])
    imported = parse(exported.encode(), "json")
    assert without_lines(imported) == without_lines(questions)
    assert imported[0].line == 3


# Any bytes at all: questions that keep every rule, or QuestionFileInvalid; never another exception


SEEDS = {
    "json": json_file(PARIS, weighted(50, 50, -100)),
    "csv": b'type,question,points,explanation,option_1,option_2,option_3,correct\n'
           b'single,"Q\nx",2,E,a,b,c,2\n,R,,,a,b,,1\n',
    "gift": b"// c\n::T:: Q \\{x\\} {=a # f\n~b ####g}\n\nR {~%50%a ~%50%b ~c}\n\nThe {=x ~y} end\n",
}
NOISE = b'{}[]",:;=~#%\\/\n\r\t -.0123456789abeTFtrufalsnmi\xef\xbb\xbf\xc3\xa9\xff\x00'


def mutate(rng, data):
    """The data with a few random bytes inserted, deleted, duplicated or replaced."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 2)):
        at = rng.randint(0, len(data))
        action = rng.choice(("insert", "delete", "duplicate", "replace"))
        if action == "insert":
            data[at:at] = bytes(rng.choice(NOISE) for _ in range(rng.randint(1, 4)))
        elif action == "delete":
            del data[at:at + rng.randint(1, 8)]
        elif action == "duplicate":
            data[at:at] = data[at:at + rng.randint(1, 40)]
        else:
            data[at:at + 1] = bytes([rng.choice(NOISE)])
    return bytes(data)


def fuzz_cases(count=300, seed=20240601):
    rng = random.Random(seed)
    for case in range(count):
        fmt = ("json", "csv", "gift")[case % 3]
        if case % 10 == 9:
            yield fmt, bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        else:
            yield fmt, mutate(rng, SEEDS[fmt])


def test_any_bytes_give_valid_questions_or_the_refusal():
    outcomes = {"read": 0, "refused": 0}
    for fmt, data in fuzz_cases():
        try:
            questions = parse(data, fmt)
        except QuestionFileInvalid as refused:
            outcomes["refused"] += 1
            assert refused.problems, data
            for problem in refused.problems:
                assert 0 <= problem.line <= len(data.splitlines()) + 1 and problem.message, (data, problem)
        else:
            outcomes["read"] += 1
            assert 1 <= len(questions) <= MAX_QUESTIONS
            for question in questions:
                assert question.kind in KINDS and question_problems(question) == [], (data, question)
    assert outcomes["read"] > 30 and outcomes["refused"] > 30, outcomes


def test_a_json_category_is_kept_trimmed_and_null_is_none():
    named, unnamed = parse(json.dumps([{**PARIS, "category": " Capitals "}, {**PARIS, "category": None}]).encode(),
                           "json")
    assert (named.category, unnamed.category) == ("Capitals", "")
