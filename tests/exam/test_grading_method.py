"""The grading methods on their own: finished attempts in, the grade and the attempts that count out."""

from types import SimpleNamespace

import pytest

from lti_tool.exam import grading_method


def attempt(number, score, max_score=4.0):
    return SimpleNamespace(id=100 + number, number=number, score=score, max_score=max_score)


# A full first attempt, then one force-closed at a quarter, then a half: the order given is not the order taken.
ATTEMPTS = [attempt(2, 1.0), attempt(1, 4.0), attempt(3, 2.0)]


@pytest.mark.parametrize(("method", "given", "counting"), [
    ("highest", 4.0, (101,)),
    ("average", round((1.0 + 0.25 + 0.5) / 3 * 4, 4), (101, 102, 103)),
    ("first", 4.0, (101,)),
    ("last", 2.0, (103,)),
])
def test_each_method_grades_and_names_the_attempts_that_count(method, given, counting):
    assert grading_method.grade(method, ATTEMPTS) == grading_method.Grade(given, 4.0, counting)


def test_highest_keeps_the_earlier_of_equal_bests_and_compares_fractions_not_points():
    equal = [attempt(1, 2.0), attempt(2, 2.0)]
    assert grading_method.grade("highest", equal).counting == (101,)
    # 3 of 4 is better than 4 of 8, though fewer points.
    assert grading_method.grade("highest", [attempt(1, 4.0, 8.0), attempt(2, 3.0)]).counting == (102,)


def test_one_attempt_is_its_own_grade_under_every_method():
    for method in grading_method.METHODS:
        assert grading_method.grade(method, [attempt(1, 3.0)]) == grading_method.Grade(3.0, 4.0, (101,))


def test_no_finished_attempt_means_no_grade_and_a_zero_maximum_scores_zero():
    assert grading_method.grade("average", []) is None
    assert grading_method.grade("average", [attempt(1, 0.0, 0.0)]).score_given == 0.0


def test_an_unknown_method_is_an_error_not_a_default():
    with pytest.raises(ValueError, match="best"):
        grading_method.grade("best", ATTEMPTS)
