"""The course question bank: questions that belong to a course, not to one of its exams, in categories and with
tags, as Moodle's question bank. Exams draw from it with their random draws (exam/draws.py: a rule "draw 3 of
Cells" takes from the exam's Cells questions and the bank's), and a test maker copies bank questions into an exam
as fixed ones (exam/question_copies.py) or an exam's questions into the bank. `services` is the entry point."""
