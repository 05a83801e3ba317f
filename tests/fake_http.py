"""The local HTTP server behind the test stand-ins for outside services
(tests/payments/fake_stripe.py, wechat_endpoint.py, alipay_endpoint.py,
tests/search/fake_elasticsearch.py).

A ``ThreadingHTTPServer`` on 127.0.0.1 at a free port, one daemon thread per request,
served from a daemon thread between ``__enter__`` and ``__exit__``. The handler finds the
fake it answers for as ``self.server.fake``; the fake's ``url`` is set to the server's
address."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Generic, TypeVar

F = TypeVar("F")


class LocalFakeServer(Generic[F]):
    """``with LocalFakeServer(fake, Handler, thread_name="...") as fake: ...``; ``fake.url``
    is the address (http://127.0.0.1:<port>)."""

    def __init__(self, fake: F, handler: type[BaseHTTPRequestHandler], *, thread_name: str):
        self.fake = fake
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = fake  # type: ignore[attr-defined]
        fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"  # type: ignore[attr-defined]
        # serve_forever looks for a shutdown request every poll_interval: its default (0.5 s)
        # would add up to half a second to every test that uses a fake.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, name=thread_name, daemon=True
        )

    def __enter__(self) -> F:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
