from tests.exam.conftest import course  # noqa: F401  (the test maker and students of one course)
