from tests.exam.conftest import course  # noqa: F401  (the exam tests' course, its test maker and students)
