"""The GIFT reader: Moodle's multiple-choice subset read, every other question type refused with its line."""

import pytest

from lti_tool.exam import gift
from lti_tool.exam.gift import Answer, Question, Unreadable


def read(text, max_answers=26):
    return list(gift.read(text, max_answers=max_answers))


def test_reads_title_escapes_answer_feedback_and_general_feedback():
    source = (
        "::Braces:: What does \\{x\\} mean in GIFT\\: a set \\= a list? {\n"
        "  =an escaped brace \\~ not an answer # right: escapes keep it\n"
        "  ~a wrong one # feedback is dropped\n"
        "  ####Backslash escapes \\~ \\= \\# \\{ \\} and \\:\n"
        "}\n"
    )
    assert read(source) == [Question(
        line=1,
        text="What does {x} mean in GIFT: a set = a list?",
        explanation="Backslash escapes ~ = # { } and :",
        answers=(Answer("an escaped brace ~ not an answer", True, None), Answer("a wrong one", False, None)),
        weighted=False,
        format="plain",
    )]


def test_comments_categories_and_blank_lines_separate_blocks_with_their_first_line():
    source = (
        "// exported from Moodle\n"
        "$CATEGORY: $course$/Geography\n"
        "\n"
        "// about capitals\n"
        "Capital of France? {=Paris ~Lyon}\n"
        "\n"
        "\n"
        "Capital of Italy?\n"
        "// a comment inside a block does not split it\n"
        "{=Rome ~Milan}\n"
    )
    first, second = read(source)
    assert (first.line, first.text) == (5, "Capital of France?")
    assert (second.line, second.text, second.answers[0].text) == (8, "Capital of Italy?", "Rome")


def test_answer_block_spans_lines_and_windows_line_endings():
    source = "Which is a prime?\r\n{\r\n  ~4\r\n  =7\r\n  ~9\r\n}\r\n\r\nNext {=a ~b}\r\n"
    first, second = read(source)
    assert first.answers == (Answer("4", False, None), Answer("7", True, None), Answer("9", False, None))
    assert (first.text, second.line) == ("Which is a prime?", 8)


def test_answers_in_the_middle_of_a_sentence_leave_a_blank():
    [question] = read("The capital of France is {=Paris ~Lyon ~Nice} on the Seine.")
    assert question.text == "The capital of France is _____ on the Seine."


def test_text_format_marker_is_dropped():
    [question] = read("::Q1::[markdown]What is **bold**? {=this ~that}")
    assert question.text == "What is **bold**?"


def test_percent_weights_make_a_weighted_question_with_correct_by_sign():
    [question] = read("Pick the even numbers {~%50%2 ~%50%4 ~%-100%3 ~%0%5 ~7 =%25.5%8}")
    assert question.weighted
    assert question.answers == (
        Answer("2", True, 50.0), Answer("4", True, 50.0), Answer("3", False, -100.0),
        Answer("5", False, 0.0), Answer("7", False, None), Answer("8", True, 25.5),
    )


def test_an_equals_answer_in_a_weighted_question_is_worth_100():
    [question] = read("Pick {=all of it ~%-50%none}")
    assert question.answers == (Answer("all of it", True, 100.0), Answer("none", False, -50.0))


def test_general_feedback_alone_is_the_explanation():
    [question] = read("Q {=a ~b ####}")
    assert question.explanation is None


@pytest.mark.parametrize(("block", "kind"), [
    ("Grass is green. {T}", "true/false"),
    ("Grass is green. {TRUE#right}", "true/false"),
    ("Grass is blue. {f}", "true/false"),
    ("Name a colour. {=red =green}", "short answer"),
    ("Two plus two? {#4:0}", "numerical"),
    ("Match {=cat -> meow =dog -> woof}", "matching"),
    ("Write an essay. {}", "essay"),
    ("Write an essay. {####say it well}", "essay"),
    ("Just some text", "descriptions (text without answers in { })"),
])
def test_other_question_types_are_refused_by_name_at_their_line(block, kind):
    fine, refused = read(f"Fine {{=a ~b}}\n\n// comment\n{block}\n")
    assert isinstance(fine, Question)
    assert refused.line == 4
    assert refused.reason.startswith(kind)
    assert refused.reason.endswith("are not supported; only multiple choice ({=right ~wrong})")


@pytest.mark.parametrize(("block", "reason"), [
    ("::Untitled Q {=a ~b}", "the title opened with :: is not closed with ::"),
    ("Q {=a ~b", "the answers opened with { are not closed with }"),
    ("Q {=a ~b} and {=c ~d}", "a question takes one answer block { }"),
    ("Q {=a {~b}}", "a question takes one answer block { }"),
    ("Q {maybe =a ~b}", '"maybe" stands before the first answer'),
    ("Q {~%5 0%a ~b}", 'the weight in "~%5 0%a" is not a number'),
    ("Q {=a ~%50,5%b}", 'the weight in "~%50,5%b" is not a number'),
])
def test_broken_blocks_are_refused_with_the_reason(block, reason):
    [refused] = read(f"\n{block}")
    assert refused.line == 2
    assert refused.reason.startswith(reason)


def test_a_blank_line_inside_the_answers_ends_the_question():
    assert [block.line for block in read("Q {\n=a\n\n~b\n}")] == [1, 4]
    assert read("Q {\n=a\n\n~b\n}")[0] == Unreadable(1, "the answers opened with { are not closed with }; "
                                                        "a blank line inside { } also ends the question")


def test_percent_text_that_is_no_weight_stays_text():
    [question] = read("Q {=100% sure ~%age of 50%}")
    assert question.answers == (Answer("100% sure", True, None), Answer("%age of 50%", False, None))


def test_more_answers_than_allowed_are_refused_before_reading_them():
    assert read("Q {=a ~b ~c \\~d}", max_answers=3) == [Question(
        1, "Q", None, (Answer("a", True, None), Answer("b", False, None), Answer("c ~d", False, None)), False,
        "plain")]
    assert read("Q {=a ~b ~c ~d}", max_answers=3) == [
        Unreadable(1, "a question can have at most 3 options; this one has 4")]


def test_long_text_is_cut_short_in_reasons():
    [refused] = read("Q {" + "x" * 100 + " =a ~b}")
    assert refused.reason.startswith('"' + "x" * 40 + '…" stands before the first answer; each answer starts with')


def test_empty_and_comment_only_files_have_no_blocks():
    assert read("") == []
    assert read("// nothing\n\n$CATEGORY: x\n\n") == []


def test_the_html_marker_makes_a_formatted_question_and_the_others_plain_ones():
    source = ("::T1::[html]<p>Is \\(x^2\\) <em>even</em>?</p> {=yes ~no}\n\n"
              "[moodle]Plain <b>words</b> {=a ~b}\n\n[markdown]*stars* {=a ~b}\n\nNo marker {=a ~b}\n")
    formats = [(question.format, question.text) for question in read(source)]
    assert formats == [("html", "<p>Is \\(x^2\\) <em>even</em>?</p>"), ("plain", "Plain <b>words</b>"),
                       ("plain", "*stars*"), ("plain", "No marker")]
