"""The demo LTI 1.3 platform at /demo: a course, its people and services, for development only."""
