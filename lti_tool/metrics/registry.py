"""Every metric the tool writes. Labels stay low-cardinality: kinds, types, routes and statuses, never ids."""

from prometheus_client import Counter, Gauge, Histogram

# Seconds; an answer save or a launch past a few seconds is an outage, not a slow request.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

OPEN_SOCKETS = Gauge("proctor_lti_open_sockets", "Websockets open now, by kind (student, dashboard).", ["kind"],
                     multiprocess_mode="livesum")
SOCKET_MESSAGES_IN = Counter("proctor_lti_socket_messages_received_total",
                             "Valid messages received on websockets, by socket kind and message type.",
                             ["kind", "type"])
SOCKET_MESSAGES_OUT = Counter("proctor_lti_socket_messages_sent_total",
                              "Messages queued to websockets, by message type.", ["type"])
VIOLATIONS = Counter("proctor_lti_violations_recorded_total", "Violations on record, by type.", ["type"])
ANSWER_SAVE_SECONDS = Histogram("proctor_lti_answer_save_duration_seconds", "Time to answer an answer save.",
                                buckets=LATENCY_BUCKETS)
LAUNCH_SECONDS = Histogram("proctor_lti_launch_duration_seconds", "Time to answer an LTI launch POST.",
                           buckets=LATENCY_BUCKETS)
HTTP_REQUESTS = Counter("proctor_lti_http_requests_total", "HTTP requests answered, by route template and status.",
                        ["route", "method", "status"])
HTTP_SECONDS = Histogram("proctor_lti_http_request_duration_seconds", "Time to answer an HTTP request, by route.",
                         ["route"], buckets=LATENCY_BUCKETS)
BUS_RECONNECTS = Counter("proctor_lti_bus_reconnects_total", "Times the Redis bus listener lost its subscription.")
