"""Guards of the preview server: the Host names it answers, a quiet server."""

from __future__ import annotations

import ipaddress
import socket
import sys
from http.server import ThreadingHTTPServer

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


def is_loopback(bind: str) -> bool:
    """True when the server listens on this machine only."""
    if bind == "localhost":
        return True
    try:
        return ipaddress.ip_address(bind.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(host: str | None, bind: str) -> bool:
    """On loopback, only requests for a local name (DNS rebinding sends the attacker's name)."""
    if host is None or not is_loopback(bind):
        return True  # no Host header: not a browser; a public bind: the user chose to share
    name = host.strip().lower()
    name = name[: name.find("]") + 1] if name.startswith("[") else name.rsplit(":", 1)[0]
    bound = f"[{bind}]" if ":" in bind else bind
    return name in LOCAL_NAMES or name == bound.lower()


class QuietServer(ThreadingHTTPServer):
    """A threading server that lets clients go without a traceback (a closed tab, a curl cut)."""

    daemon_threads = True
    bind_name = ""  # the --bind address as the user gave it

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        """Ignore a client that went away; report anything else as the base class does."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)
