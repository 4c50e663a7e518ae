"""What identity tells the real-time side: a person has lost a role in a course. Sent after commit, one
message per course and transaction; each worker then re-checks that person's open sockets."""

from lti_tool.realtime import channels, on_commit


def roles_lost(course_id, user_id):
    on_commit.publish_gathered(channels.access(), {"type": "roles_lost", "course_id": course_id},
                               "user_ids", user_id)
