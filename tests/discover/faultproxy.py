"""A loopback HTTP proxy in front of a fake cloud that injects the failures real clouds give.

Every request is forwarded unchanged unless a rule claims it; a rule sees the
request and may answer it instead (an ``AccessDenied``, a throttling error, a
disabled region). Every request is counted per action, so tests can prove
that retries really happened.
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The AWS query-protocol parameters of the body (``Action``, ``RoleArn``...)."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"))
        return {k: v[0] for k, v in parsed.items()}

    @property
    def action(self) -> str:
        return self.form.get("Action", "")

    @property
    def region(self) -> str:
        """The region of the SigV4 credential scope (``Credential=AKID/date/REGION/...``)."""
        auth = self.headers.get("authorization", "")
        marker = "Credential="
        if marker not in auth:
            return ""
        scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
        return scope[2] if len(scope) > 2 else ""

    @property
    def access_key(self) -> str:
        auth = self.headers.get("authorization", "")
        return auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else ""


#: A rule answers ``(status, body)`` for a request it claims, or None to let it through.
Rule = Callable[[Request], tuple[int, str] | None]


class FaultProxy:
    """Serve on 127.0.0.1, forward to ``upstream`` (host, port), apply ``rules`` first."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.rules: list[Rule] = []
        self.seen: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                request = Request(self.command, self.path,
                                  {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length))
                status, headers, body = proxy._answer(request)
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        key = request.action or request.path
        with self._lock:
            self.seen[key] += 1
            for rule in self.rules:
                claimed = rule(request)
                if claimed is not None:
                    self.injected[key] += 1
                    status, text = claimed
                    return status, [("content-type", "text/xml")], text.encode()
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            headers = {k: v for k, v in request.headers.items()
                       if k not in ("content-length", "connection")}
            connection.request(request.method, request.path, request.body, headers)
            response = connection.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")]
            return response.status, kept, body
        finally:
            connection.close()


def sts_access_denied(message: str) -> tuple[int, str]:
    """STS's answer when the role's trust policy does not let the caller in."""
    return 403, (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        f"<Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
        "</Error><RequestId>c0ffee00-0000-4000-8000-000000000000</RequestId></ErrorResponse>"
    )


def ec2_error(status: int, code: str, message: str) -> tuple[int, str]:
    """An EC2 query-protocol error document."""
    return status, (
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        "</Errors><RequestID>c0ffee00-0000-4000-8000-000000000000</RequestID></Response>"
    )
