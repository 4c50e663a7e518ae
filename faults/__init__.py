"""The fault-injection suite (issue 7): each fault against real processes on loopback, its invariants checked
from the database and the LMS's received scores afterwards. Run it with `bash scripts/faults`."""
