"""Which addresses the tool may connect to when it calls an LMS: public ones, plus those in the networks that
OUTBOUND_ALLOWED_NETWORKS names (a school's LMS on its own network; loopback for the demo and the tests).

Anything else (loopback, link-local with the clouds' metadata service, private, shared, unspecified, multicast,
reserved, and IPv6 forms that carry such an IPv4 address) would let whoever chose a URL reach the tool's own
network through it.
"""

import ipaddress
import socket

# IPv6 prefixes that carry an IPv4 address (6to4, NAT64): where they lead is decided by some gateway.
IPV4_CARRIERS = tuple(ipaddress.ip_network(n) for n in ("2002::/16", "64:ff9b::/96", "64:ff9b:1::/48"))


class AddressRefused(Exception):
    """A host resolved to an address the tool may not call.

    Not an OSError on purpose: urllib3 takes an OSError raised while connecting for a network failure and
    wraps it; this one passes through untouched, and the outbound session turns it into its own refusal."""

    def __init__(self, host, address, reason):
        super().__init__(f"{host} resolves to {address}, {reason}")


def refusal(address, allowed_networks):
    """Why the tool may not connect to `address` (a few words for the log), or None when it may."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed_networks):
        return None
    kinds = (
        ("an unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("an IPv6 form of an IPv4 address", any(address in network for network in IPV4_CARRIERS)),
        ("a reserved address", address.is_reserved),
        ("a private address", address.is_private),
        ("not a public address", not address.is_global),
    )
    return next((reason for reason, found in kinds if found), None)


def resolve(host, port, allowed_networks):
    """The addresses `host` resolves to, each one allowed, as strings to connect to; raises AddressRefused
    for the first that is not (one bad answer is enough: the tool never picks around it)."""
    found = []
    for *_, sockaddr in socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM):
        address = ipaddress.ip_address(sockaddr[0])
        reason = refusal(address, allowed_networks)
        if reason:
            raise AddressRefused(host, address, reason)
        if sockaddr[0] not in found:
            found.append(sockaddr[0])
    return found

