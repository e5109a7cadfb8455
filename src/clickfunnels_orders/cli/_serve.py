"""``serve``: the webhook endpoint on the standard library's ``wsgiref`` server.

A threading server (the store takes turns between threads) around
:func:`clickfunnels_orders.endpoint.wsgi_app`. SIGTERM and SIGINT stop it cleanly:
requests in flight are finished, then the socket and the store are closed.
"""

from __future__ import annotations

import os
import signal
import socketserver
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Final
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from clickfunnels_orders.endpoint import wsgi_app
from clickfunnels_orders.store import SQLiteStore

__all__ = ["SECRET_VARIABLE", "secret_from_environment", "serve"]

#: The environment variable holding the endpoint's signing secret.
SECRET_VARIABLE: Final = "CLICKFUNNELS_WEBHOOK_SECRET"  # noqa: S105  because it names the variable, it is no secret


def secret_from_environment() -> str:
    """Return the signing secret from the environment (``""`` when unset)."""
    return os.environ.get(SECRET_VARIABLE, "")


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per request; closing waits for the requests in flight."""

    daemon_threads = False
    block_on_close = True


class _Handler(WSGIRequestHandler):
    """Logs one line per request on standard error, as ``wsgiref`` does."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  because the base class names it so
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def serve(database: Path, *, host: str, port: int, secret: str) -> None:
    """Serve webhooks into the store at ``database`` until SIGTERM or SIGINT.

    Prints ``listening on http://HOST:PORT`` on standard error once the socket is bound
    (the actual port, when ``port`` is 0).
    """
    with SQLiteStore(database) as store:
        app = wsgi_app(store, secret=secret)
        with make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_Handler
        ) as server:

            def stop(_signum: int, _frame: FrameType | None) -> None:
                # shutdown() waits for serve_forever to return: call it from another thread.
                threading.Thread(target=server.shutdown, daemon=True).start()

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            sys.stderr.write(f"listening on http://{host}:{server.server_port}\n")
            sys.stderr.flush()
            server.serve_forever()
    sys.stderr.write("stopped: the store is closed\n")
