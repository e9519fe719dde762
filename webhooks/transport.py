"""The HTTP POST of a delivery, with urllib3 (maintained, already installed with requests and
botocore): short timeouts, no redirects followed, no retries of its own (deliver_due retries
with backoff). The connection goes to the address the SSRF check accepted, not to a second DNS
answer; HTTPS still verifies the certificate against the host name (SNI)."""

from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from .safety import check_url


class SendError(Exception):
    pass


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private_network: bool) -> int:
    """POST `body` to `url`; answer the response's status code. Raises SendError (or
    safety.UnsafeURL) when no response came."""
    addresses = check_url(url, allow_private_network)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_TIMEOUT_SECONDS, read=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    extra = {"server_hostname": parts.hostname, "assert_hostname": parts.hostname} if https else {}
    pool_class = urllib3.HTTPSConnectionPool if https else urllib3.HTTPConnectionPool
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        host_header += f":{parts.port}"
    pool = pool_class(addresses[0], port, timeout=timeout, retries=False, maxsize=1, **extra)
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Jiefen-Webhooks/1",
            },
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            response.read(4096, decode_content=False)  # what we need of the answer: its code
        finally:
            response.release_conn()
        return response.status
    except urllib3.exceptions.HTTPError as e:
        raise SendError(str(e) or e.__class__.__name__) from e
    finally:
        pool.close()
