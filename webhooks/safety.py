"""Server-side request forgery: a subscriber's URL may not reach this machine or a private
network, unless an administrator allowed it for that subscriber. Checked when the subscriber
is saved and again before every send (a name's DNS answer may change in between)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from jiefen.errors import InvalidInput


class UnsafeURL(InvalidInput):
    def __init__(self, message: str):
        super().__init__(message, {"url": message})


def is_internal(address: str) -> bool:
    """Loopback, private, link-local, reserved, multicast, unspecified or otherwise not a
    global address (IPv4 inside IPv6 is judged as the IPv4 address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str, allow_private_network: bool) -> list[str]:
    """The addresses `url`'s host resolves to, every one of them allowed; else UnsafeURL."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURL(_("Only http:// and https:// addresses can receive webhooks."))
    if not parts.hostname:
        raise UnsafeURL(_("Enter the receiver's full address, e.g. https://example.org/hook."))
    if parts.username or parts.password:
        raise UnsafeURL(
            _("Put no user name or password in the address; the signature proves the sender.")
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("The port in the address is not a number from 1 to 65535.")) from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(
            _("The host name %(host)s cannot be resolved.") % {"host": parts.hostname}
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private_network:
        for address in addresses:
            if is_internal(address):
                raise UnsafeURL(
                    _(
                        "%(host)s points to %(address)s, an address of this machine or of a "
                        "private network (loopback, private, link-local, reserved or multicast). "
                        "Only an administrator's explicit permission for private network "
                        "addresses allows it."
                    )
                    % {"host": parts.hostname, "address": address}
                )
    return addresses
