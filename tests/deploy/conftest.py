from tests.e2e.conftest import playwright  # noqa: F401  (the browser tests' fixture, for the nginx test)
