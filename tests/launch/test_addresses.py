"""Where the tool may connect (lti_tool/launch/addresses.py), and that the outbound session refuses every other
address after resolving the host and before connecting. No test here sends a packet anywhere but 127.0.0.1:
the `connects` fixture fails a test that tries."""

import ipaddress
import socket

import pytest

from lti_tool.launch import addresses, http
from tests.hostile_http import json_answer

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def platform_session(allowed):
    return http.PlatformSession(http.SMALL, read_timeout=5.0, deadline=10.0, allow_http=True,
                                allowed_networks=allowed)


@pytest.fixture
def dns(monkeypatch):
    """Names the test makes resolve to the addresses it chooses; other names resolve as usual."""
    names = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port, 0, 0) if ":" in a else (a, port)) for a in names[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),
    ("169.254.169.254", "link-local"),  # the clouds' metadata service
    ("fe80::1", "link-local"),
    ("::ffff:169.254.169.254", "link-local"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "not a public address"),  # carrier-grade NAT
    ("2002:7f00:1::", "IPv6 form of an IPv4 address"),  # 6to4 of 127.0.0.1
    ("64:ff9b::a01:203", "IPv6 form of an IPv4 address"),  # NAT64 of 10.1.2.3
])
def test_addresses_of_the_tools_own_networks_are_refused(address, reason):
    assert reason in addresses.refusal(ipaddress.ip_address(address), ())


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_allowed(address):
    assert addresses.refusal(ipaddress.ip_address(address), ()) is None


def test_a_listed_network_is_allowed_and_nothing_beside_it():
    allowed = (ipaddress.ip_network("10.20.0.0/16"), ipaddress.ip_network("::1/128"))
    assert addresses.refusal(ipaddress.ip_address("10.20.3.4"), allowed) is None
    assert addresses.refusal(ipaddress.ip_address("::ffff:10.20.3.4"), allowed) is None
    assert addresses.refusal(ipaddress.ip_address("::1"), allowed) is None
    assert addresses.refusal(ipaddress.ip_address("10.21.0.1"), allowed) == "a private address"
    assert addresses.refusal(ipaddress.ip_address("127.0.0.1"), allowed) == "a loopback address"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/jwks",
    "http://localhost:{port}/jwks",
    "http://[::1]:{port}/jwks",
    "http://[::ffff:127.0.0.1]:{port}/jwks",
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://10.1.2.3/jwks",
    "http://[fd00::1]/jwks",
    "http://0.0.0.0:{port}/jwks",
])
def test_each_forbidden_address_is_refused_before_a_connection(hostile, connects, url):
    hostile.route("/jwks", json_answer({"keys": []}))
    with pytest.raises(http.ForbiddenAddress):
        platform_session(allowed=()).get(url.format(port=hostile.port))
    assert connects == []
    assert hostile.connections == 0


def test_a_name_with_one_forbidden_address_among_public_ones_is_refused(dns, connects):
    dns["lms.example.test"] = ["93.184.215.14", "127.0.0.1"]
    with pytest.raises(http.ForbiddenAddress):
        platform_session(allowed=()).get("http://lms.example.test/jwks")
    assert connects == []


def test_the_connection_goes_to_the_address_that_was_checked(hostile, dns, connects):
    """The name is resolved once, and the tool connects to that address: a second answer (rebinding) is
    never asked for. The request still names the host."""
    dns["lms.example.test"] = ["127.0.0.1"]
    hostile.route("/jwks", json_answer({"keys": []}))
    response = platform_session(allowed=LOOPBACK).get(f"http://lms.example.test:{hostile.port}/jwks")
    assert response.json() == {"keys": []}
    assert connects == [("127.0.0.1", hostile.port)]
    assert hostile.requests[0][2]["host"] == f"lms.example.test:{hostile.port}"


def test_an_lms_in_an_allowed_network_is_reached(hostile, connects):
    hostile.route("/jwks", json_answer({"keys": []}))
    allowed = (ipaddress.ip_network("127.0.0.1/32"),)
    assert platform_session(allowed).get(hostile.url("/jwks")).json() == {"keys": []}
    assert hostile.connections == 1
