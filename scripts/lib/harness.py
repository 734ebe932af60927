"""What scripts/crash-test.py and scripts/kill-test.py share: a server process started, waited for, killed and
stopped; an HTTP client that keeps its session cookie like the SPA's browser (on one instance, or round-robin over
several as a balancer would); sending a write with an Idempotency-Key until it gets a 2xx; a PNG upload; waiting for
a condition. Loopback only; Python's standard library only.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid

EMAIL = "dev@acme.example"
PASSWORD = "support-demo"
# A steady load from one user passes the abuse limits' defaults: these are raised.
RAISED_LIMITS = [
    f"--{what}-per-{who}-hour" for what in ("tickets", "comments", "uploads", "external-emails") for who in ("user", "org")
]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf50000002870180eb47ba92"
    "0000000049454e44ae426082"
)


class Failed(SystemExit):
    """The run cannot go on: the message names the script and what did not happen."""


def sayer(name):
    """`say(message)` for a script: its lines start with its name."""
    return lambda message: print(f"{name}: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raised_limits(value=100000):
    """The abuse limits' flags, each set to `value`."""
    return [arg for flag in RAISED_LIMITS for arg in (flag, str(value))]


def wait_until(name, what, check, give_up_at, every=0.1):
    """Polls `check` until it holds; fails the run naming `what` at `give_up_at`."""
    while not check():
        if time.monotonic() > give_up_at:
            raise Failed(f"{name}: {what} did not happen before the time limit")
        time.sleep(every)


class Server:
    """One server process on its own port: `args` (binary, database and the rest) plus `--listen`, started,
    waited for (`/healthz` answers 200), killed with SIGKILL or stopped with SIGTERM. Its output goes to
    `log_path`, appended across restarts."""

    def __init__(self, name, args, log_path, env=None):
        self.name, self.args = name, list(args)
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.process = None
        self.log = open(log_path, "ab")

    def start(self, timeout=30):
        self.process = subprocess.Popen(
            self.args + ["--listen", f"127.0.0.1:{self.port}"], stdout=self.log, stderr=self.log, env=self.env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"{self.name} exited at start (see {self.log.name})")
            if self.status("/healthz") == 200:
                return
            time.sleep(0.05)
        raise Failed(f"{self.name} did not answer within {timeout} s (see {self.log.name})")

    def status(self, path):
        """The status `GET path` answers, or None when nothing answers."""
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            return status
        except OSError:
            return None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Client:
    """One signed-in user's HTTP calls, a new connection each (a kill drops every open one), round-robin over
    `servers` as a balancer would (one server: always that one). Its own cookie jar: the session cookie, whatever
    its name and attributes, is sent to every server."""

    def __init__(self, servers):
        self.servers = servers
        self.turn = 0
        self.lock = threading.Lock()
        self.cookies = {}

    def next_port(self):
        with self.lock:
            self.turn += 1
            return self.servers[self.turn % len(self.servers)].port

    def request(self, method, path, body=None, headers=None, content_type="application/json"):
        connection = http.client.HTTPConnection("127.0.0.1", self.next_port(), timeout=10)
        try:
            sent = dict(headers or {})
            sent["x-support-csrf"] = "1"
            with self.lock:
                if self.cookies:
                    sent["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                sent["content-type"] = content_type
                if content_type == "application/json":
                    body = json.dumps(body).encode()
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    with self.lock:
                        self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            connection.close()

    def sign_in(self, name):
        """Signs in as the demo user; the id of its organization."""
        status, body = self.request("POST", "/api/v1/session", {"email": EMAIL, "password": PASSWORD})
        if status != 200:
            raise Failed(f"{name}: sign-in answered {status}: {body[:200]!r}")
        status, body = self.request("GET", "/api/v1/me")
        return json.loads(body)["organization"]["id"]


def ticket(subject, description, attachment_ids=()):
    """The body of a ticket creation."""
    return {
        "cc": [], "subject": subject, "severity": "low", "product": "billing", "reason": "invoice",
        "description": description, "attachment_ids": list(attachment_ids),
    }


def png_upload(file_name):
    """A multipart body with one small PNG as `file`, and its content type."""
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
        f"Content-Type: image/png\r\n\r\n"
    ).encode() + PNG + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Sender:
    """Sends writes as the SPA does under kills: until a 2xx, again with the same Idempotency-Key after a
    connection error or a 5xx; any other 4xx ends the run. A 409 means the key is still claimed by a request a kill cut short: with
    `defer`, `send` returns None at once (the caller sends it again later, when the claim can be taken over),
    else it waits for the takeover. Counts its retries and the 409s."""

    def __init__(self, name, client):
        self.name, self.client = name, client
        self.lock = threading.Lock()
        self.retries = 0
        self.waited_for_claims = 0

    def send(self, method, path, body, key=None, content_type="application/json", give_up_at=None, defer=False):
        headers = {"idempotency-key": key} if key else {}
        while True:
            try:
                status, data = self.client.request(method, path, body, headers, content_type)
            except (OSError, http.client.HTTPException):
                status, data = None, b""
            if status is not None and 200 <= status < 300:
                return json.loads(data)
            if status is not None and 400 <= status < 500 and status != 409:
                raise Failed(f"{self.name}: {method} {path} refused with {status}: {data[:300]!r}")
            with self.lock:
                self.waited_for_claims += status == 409
            if status == 409 and defer:
                return None
            with self.lock:
                self.retries += 1
            if give_up_at is not None and time.monotonic() > give_up_at:
                raise Failed(f"{self.name}: {method} {path} got no 2xx before the time limit")
            time.sleep(0.5 if status == 409 else 0.05)
