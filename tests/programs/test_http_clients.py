"""http.client, xmlrpc.client and urllib over io.Socket, as python-nss programs ran them.

python-nss's ``doc/examples/httplib_example.py`` and FreeIPA's
``ipapython/nsslib.py`` subclass ``http.client.HTTPConnection``: ``connect()``
walks ``io.AddrInfo(host)``, sets the port of each ``NetworkAddress``, connects
an ``io.Socket(net_addr.family)`` with a timeout and keeps it as ``self.sock``.
http.client then sends with ``sock.sendall()``, reads each response through
``sock.makefile('rb')``, and closes the socket as soon as a response ends the
connection (HTTP/1.0, ``Connection: close``; urllib always asks for that), to
read the rest of the body through the file afterwards. xmlrpc.client and
urllib reach the same class through a ``Transport`` and a ``HTTPHandler``.

Here that class runs on the target's ``io`` module against loopback servers
(``http.server``, ``xmlrpc.server``) in threads. The servers pause between a
response's headers and its body, so that reading the body has to wait for the
peer, after http.client has closed the socket where it does.

The same tests pass on python-nss, whose ``makefile()`` returns the socket
itself: http.client (3.11 and later) only needs ``readline()``, ``read()`` and
``close()`` of the file, and python-nss ignores the socket's ``close()`` while
``makefile()`` has raised its counter.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import http.server
import threading
import time
import urllib.request
import xmlrpc.client
import xmlrpc.server
from typing import Any, Callable, Iterator, List, Sequence, Tuple, Type

import pytest

pytestmark = pytest.mark.timeout(60)

TIMEOUT_SECS = 10
# Between a response's headers and its body (and between chunks).
PAUSE = 0.2
BODY = b"".join(b"line %d of the body\n" % number for number in range(2000))
CHUNKS = [b"first chunk\n", b"second chunk\n" * 100, b"third\n"]
# A request body larger than the socket buffers hold: sendall() has to wait.
POST_BODY = bytes(range(256)) * 4096


def connection_class(io: Any) -> Type[http.client.HTTPConnection]:
    """An HTTPConnection over ``io.Socket``, written as python-nss users did."""

    class NSPRConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            for net_addr in io.AddrInfo(self.host):
                net_addr.port = self.port
                sock = io.Socket(net_addr.family)
                try:
                    sock.connect(net_addr, timeout=io.seconds_to_interval(TIMEOUT_SECS))
                except Exception:
                    sock.close()
                    continue
                self.sock = sock
                return
            raise OSError(
                errno.ENOTCONN,
                "could not connect to %s at port %d" % (self.host, self.port),
            )

    return NSPRConnection


# --------------------------------------------------------------------------
# The servers


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every response in two steps: the headers, a pause, the body."""

    protocol_version = "HTTP/1.1"
    timeout = TIMEOUT_SECS  # an idle or stuck connection ends its thread

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _respond(self, headers: Sequence[Tuple[str, str]], parts: List[bytes]) -> None:
        self.send_response(200)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()  # sent now
        for part in parts:
            time.sleep(PAUSE)
            self.wfile.write(part)

    def do_GET(self) -> None:
        length = ("Content-Length", str(len(BODY)))
        if self.path == "/keep-alive":
            self._respond([length], [BODY])
        elif self.path == "/connection-close":
            self._respond([length, ("Connection", "close")], [BODY])
        elif self.path == "/http10":
            # No length: the body ends when the server closes the connection.
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
            self._respond([], [BODY])
        elif self.path == "/chunked":
            parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in CHUNKS]
            self._respond([("Transfer-Encoding", "chunked")], [*parts, b"0\r\n\r\n"])
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        digest = hashlib.sha256(body).hexdigest().encode()
        reply = b"%d bytes, sha256 %s" % (len(body), digest)
        self._respond([("Content-Length", str(len(reply)))], [reply])


def _serve(server: Any) -> Iterator[int]:
    """Run ``server`` in a thread; yield its port, then stop it."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT_SECS)


@pytest.fixture
def http_port() -> Iterator[int]:
    """The port of a loopback ThreadingHTTPServer running ``_Handler``."""
    yield from _serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler))


@pytest.fixture
def connection(io: Any, http_port: int) -> Iterator[http.client.HTTPConnection]:
    conn = connection_class(io)("127.0.0.1", http_port)
    try:
        yield conn
    finally:
        conn.close()


def _sha256_reply(body: bytes) -> bytes:
    return b"%d bytes, sha256 %s" % (
        len(body),
        hashlib.sha256(body).hexdigest().encode(),
    )


# --------------------------------------------------------------------------
# http.client


def test_get_several_over_one_keep_alive_connection(
    connection: http.client.HTTPConnection,
) -> None:
    socks = []
    for _ in range(3):
        connection.request("GET", "/keep-alive")
        response = connection.getresponse()
        assert (response.status, response.will_close) == (200, False)
        assert response.read() == BODY
        socks.append(connection.sock)
    assert socks[0] is not None
    assert socks[1] is socks[0] and socks[2] is socks[0]


def test_get_connection_close_body_after_headers(
    connection: http.client.HTTPConnection,
) -> None:
    connection.request("GET", "/connection-close")
    response = connection.getresponse()
    assert response.will_close
    assert connection.sock is None  # http.client closed it: the file reads on
    assert response.read() == BODY


def test_get_http10_close_delimited_body_after_headers(
    connection: http.client.HTTPConnection,
) -> None:
    connection.request("GET", "/http10")
    response = connection.getresponse()
    assert (response.version, response.will_close, response.length) == (10, True, None)
    assert connection.sock is None
    assert response.read() == BODY


def test_get_http10_body_read_in_pieces(connection: http.client.HTTPConnection) -> None:
    connection.request("GET", "/http10")
    response = connection.getresponse()
    pieces = []
    while True:
        piece = response.read(1000)
        if not piece:
            break
        pieces.append(piece)
    assert b"".join(pieces) == BODY


def test_get_chunked(connection: http.client.HTTPConnection) -> None:
    connection.request("GET", "/chunked")
    response = connection.getresponse()
    assert response.chunked
    assert response.read() == b"".join(CHUNKS)
    connection.request("GET", "/keep-alive")  # the connection is still usable
    assert connection.getresponse().read() == BODY


def test_post_body(connection: http.client.HTTPConnection) -> None:
    connection.request("POST", "/echo", body=POST_BODY)
    response = connection.getresponse()
    assert response.read() == _sha256_reply(POST_BODY)


# --------------------------------------------------------------------------
# xmlrpc.client


class _PausingXMLRPCHandler(xmlrpc.server.SimpleXMLRPCRequestHandler):
    def end_headers(self) -> None:
        super().end_headers()
        self.wfile.flush()  # this handler buffers its output
        time.sleep(PAUSE)  # the body follows the headers after a pause


class _PausingXMLRPC11Handler(_PausingXMLRPCHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connection


def _fail() -> None:
    raise xmlrpc.client.Fault(42, "no such thing")


@pytest.fixture(params=["HTTP/1.0", "HTTP/1.1"])
def xmlrpc_port(request: pytest.FixtureRequest) -> Iterator[int]:
    handler = _PausingXMLRPCHandler
    if request.param == "HTTP/1.1":
        handler = _PausingXMLRPC11Handler
    server = xmlrpc.server.SimpleXMLRPCServer(
        ("127.0.0.1", 0), handler, logRequests=False, allow_none=True
    )
    server.timeout = TIMEOUT_SECS
    server.register_function(lambda a, b: a + b, "add")
    server.register_function(lambda value: value, "echo")
    server.register_function(_fail, "fail")
    yield from _serve(server)


class NSPRTransport(xmlrpc.client.Transport):
    """A Transport whose connections are ``connection_class(io)``'s."""

    def __init__(self, io: Any) -> None:
        super().__init__()
        self._connection_class = connection_class(io)

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        # As Transport.make_connection: one connection per host, kept alive.
        kept_host, kept = self._connection
        if kept is not None and host == kept_host:
            return kept
        chost, self._extra_headers, _x509 = self.get_host_info(host)
        conn = self._connection_class(chost)
        self._connection = host, conn
        return conn


@pytest.fixture
def proxy(io: Any, xmlrpc_port: int) -> Iterator[xmlrpc.client.ServerProxy]:
    server = xmlrpc.client.ServerProxy(
        "http://127.0.0.1:%d/" % xmlrpc_port, transport=NSPRTransport(io)
    )
    with server:
        yield server


def test_xmlrpc_several_calls(proxy: xmlrpc.client.ServerProxy) -> None:
    assert proxy.add(2, 3) == 5
    assert proxy.echo("x" * 100_000) == "x" * 100_000
    assert proxy.echo([1, "two", {"three": 3.0}]) == [1, "two", {"three": 3.0}]


def test_xmlrpc_fault(proxy: xmlrpc.client.ServerProxy) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        proxy.fail()
    assert (info.value.faultCode, info.value.faultString) == (42, "no such thing")
    assert proxy.add(1, 1) == 2  # the proxy goes on after a fault


# --------------------------------------------------------------------------
# urllib.request (it sends "Connection: close" and closes the socket itself)


class NSPRHandler(urllib.request.HTTPHandler):
    """An HTTPHandler whose connections are ``connection_class(io)``'s."""

    def __init__(self, io: Any) -> None:
        super().__init__()
        self._connection_class = connection_class(io)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection_class, req)


@pytest.fixture
def fetch(io: Any, http_port: int) -> Callable[..., bytes]:
    opener = urllib.request.build_opener(NSPRHandler(io))

    def get(path: str, data: Any = None) -> bytes:
        url = "http://127.0.0.1:%d%s" % (http_port, path)
        with opener.open(url, data, timeout=TIMEOUT_SECS) as response:
            body: bytes = response.read()
            return body

    return get


@pytest.mark.parametrize("path", ["/keep-alive", "/http10"])
def test_urllib_get(fetch: Callable[..., bytes], path: str) -> None:
    assert fetch(path) == BODY


def test_urllib_get_chunked(fetch: Callable[..., bytes]) -> None:
    assert fetch("/chunked") == b"".join(CHUNKS)


def test_urllib_post(fetch: Callable[..., bytes]) -> None:
    assert fetch("/echo", POST_BODY) == _sha256_reply(POST_BODY)
