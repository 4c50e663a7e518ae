"""The outbound session (lti_tool/launch/http.py) against a hostile server on loopback: bodies capped as they
stream, a total deadline, plain http refused before connecting, redirects refused or checked at every hop."""

import gzip
import ipaddress
import json

import pytest
import requests

from lti_tool.launch import http
from tests.hostile_http import MIB, HostileServer, endless, json_answer, raw_answer, redirect, trickle, trickle_head

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
# What the sockets' buffers (the server's and the tool's) may hold beyond what the tool itself read.
BUFFERED = 2 * MIB


def platform_session(limits=http.SMALL, *, read_timeout=5.0, deadline=10.0, allow_http=True, allowed=LOOPBACK):
    return http.PlatformSession(limits, read_timeout=read_timeout, deadline=deadline, allow_http=allow_http,
                                allowed_networks=allowed)


@pytest.fixture
def other():
    """A second server, for redirects."""
    server = HostileServer()
    yield server
    server.close()


# --- bytes --------------------------------------------------------------------------------------------------

def test_an_answer_within_the_cap_is_read_whole(hostile):
    document = {"keys": ["k" * 60_000]}
    hostile.route("/keys", json_answer(document))
    session = platform_session()
    assert session.get(hostile.url("/keys")).json() == document
    assert session.bytes_read == len(json.dumps(document))


def test_an_endless_body_is_cut_at_the_cap(hostile):
    hostile.route("/jwks", endless(total=400 * MIB))
    with pytest.raises(http.ResponseTooLarge):
        platform_session().get(hostile.url("/jwks"))
    assert hostile.sent < http.SMALL.max_bytes + BUFFERED


def test_a_content_length_over_the_cap_is_refused_unread(hostile):
    # The body trickles: reading any of it would run into the deadline instead of an immediate refusal.
    head = raw_answer(b"", [("Content-Length", 400 * MIB)]).head
    hostile.route("/jwks", trickle(head=head, body=b"x" * 1000, pause=0.05))
    with pytest.raises(http.ResponseTooLarge):
        platform_session(deadline=2.0).get(hostile.url("/jwks"))
    assert hostile.sent - len(head) <= 1


def test_a_content_length_that_lies_does_not_raise_the_cap(hostile):
    """It claims 1,000 bytes and sends chunks for ever: the bytes that arrive count, not the claim."""
    hostile.route("/jwks", endless(total=400 * MIB, content_length=1000))
    with pytest.raises(http.ResponseTooLarge):
        platform_session().get(hostile.url("/jwks"))
    assert hostile.sent < http.SMALL.max_bytes + BUFFERED


def test_a_compressed_body_counts_as_it_unpacks(hostile):
    packed = gzip.compress(b" " * (10 * MIB))
    hostile.route("/jwks", raw_answer(packed, [("Content-Encoding", "gzip"), ("Content-Length", len(packed))]))
    assert len(packed) < http.SMALL.max_bytes
    with pytest.raises(http.ResponseTooLarge):
        platform_session().get(hostile.url("/jwks"))


def test_a_session_budget_bounds_all_its_answers(hostile):
    hostile.route("/page", json_answer({"members": ["m" * 880]}))
    session = platform_session(http.Limits(max_bytes=1000, total_bytes=2500))
    session.get(hostile.url("/page"))
    session.get(hostile.url("/page"))
    with pytest.raises(http.ResponseTooLarge):
        session.get(hostile.url("/page"))


def test_a_smaller_cap_holds_only_within_its_block(hostile):
    hostile.route("/token", json_answer({"access_token": "t" * 200}))
    session = platform_session(http.SERVICE)
    with session.capped(100), pytest.raises(http.ResponseTooLarge):
        session.get(hostile.url("/token"))
    assert session.get(hostile.url("/token")).json()["access_token"] == "t" * 200


# --- time ---------------------------------------------------------------------------------------------------

def test_a_body_trickled_faster_than_the_read_timeout_is_cut_at_the_deadline(hostile):
    """A byte every 10 ms never trips the 5 s per-read timeout; the whole 10,000 bytes would take 100 s."""
    answer = trickle(body=b"x" * 10_000, pause=0.01)
    hostile.route("/jwks", answer)
    with pytest.raises(http.DeadlineExceeded) as cut:
        platform_session(read_timeout=5.0, deadline=0.3).get(hostile.url("/jwks"))
    assert isinstance(cut.value, requests.Timeout)  # callers' "did not answer in time"
    assert hostile.sent - len(answer.head) < 2000  # 20 s of trickle at most, of 100


def test_a_head_that_never_ends_is_cut_at_the_deadline(hostile):
    hostile.route("/jwks", trickle_head(pause=0.01))
    with pytest.raises(http.DeadlineExceeded):
        platform_session(read_timeout=5.0, deadline=0.3).get(hostile.url("/jwks"))
    assert hostile.sent < 2000


# --- where --------------------------------------------------------------------------------------------------

def test_plain_http_is_refused_before_connecting_unless_allowed(hostile):
    hostile.route("/jwks", json_answer({"keys": []}))
    with pytest.raises(http.InsecureUrl):
        platform_session(allow_http=False).get(hostile.url("/jwks"))
    assert hostile.connections == 0
    assert platform_session(allow_http=True).get(hostile.url("/jwks")).json() == {"keys": []}


@pytest.mark.parametrize("explicit", [{}, {"allow_redirects": False}])
def test_a_call_that_follows_no_redirects_refuses_one(hostile, other, explicit):
    hostile.route("/openid-configuration", redirect(other.url("/elsewhere")))
    with pytest.raises(http.RedirectRefused):
        platform_session(http.SMALL).get(hostile.url("/openid-configuration"), **explicit)
    assert other.connections == 0


def test_a_key_set_that_moved_is_followed(hostile, other):
    other.route("/keys", json_answer({"keys": []}))
    hostile.route("/jwks", redirect(other.url("/keys")))
    assert platform_session(http.KEY_SET).get(hostile.url("/jwks")).json() == {"keys": []}


def test_a_redirect_to_a_forbidden_address_is_refused_at_the_hop(hostile, connects):
    hostile.route("/jwks", redirect("http://169.254.169.254/latest/meta-data/iam/"))
    with pytest.raises(http.ForbiddenAddress):
        platform_session(http.KEY_SET).get(hostile.url("/jwks"))
    assert connects == [("127.0.0.1", hostile.port)]

