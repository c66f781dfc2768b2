"""Mail servers and a visitor for the tests that run the application as deployed (gunicorn
and the worker, tests/servers.py): an SMTP server on loopback that keeps what it accepts, a
mail server that accepts connections and never answers, and a browser that posts forms."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from http.cookiejar import CookieJar

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Inbox:
    """Every message the SMTP server accepted: (recipients, parsed message)."""

    def __init__(self):
        self.messages = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 15) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # and nothing more after that
        return list(self.messages)

    def recipients(self) -> Counter:
        """How many messages each address received."""
        return Counter(address for recipients, _ in self.messages for address in recipients)


@contextmanager
def smtp_inbox():
    """An SMTP server on loopback (aiosmtpd) that keeps what it accepts."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


class Tarpit:
    """A mail server that accepts connections and never says a word (the measured outage)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._hold, name="tarpit", daemon=True)

    def _hold(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed
                return
            self.connections.append(connection)  # kept open, never answered

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.listener.close()


@contextmanager
def tarpit():
    pit = Tarpit()
    pit.thread.start()
    try:
        yield pit
    finally:
        pit.close()


class Browser:
    """A visitor with cookies, posting forms the way a browser does (with the CSRF token)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        """The CSRF token of the form at `path` (or of the cookie, on a page without one)."""
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        return found.group(1) if found else self.cookie("csrftoken")

    def post(self, path: str, data: dict, token: str | None = None) -> tuple[int, str]:
        """Post a form from the page at `path` (with its CSRF token); (status, final page).
        Pass `token` (from `token()`) to time the post alone."""
        token = token or self.token(path)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)
