#!/usr/bin/env python3
"""Crash test (issue 12): the server is killed with SIGKILL at random moments under a steady load of uploads,
ticket creations and comments, and restarted each time. Clients behave like the SPA: every create and comment
carries an Idempotency-Key and is retried with the same key until it gets a 2xx. At the end:

- every request that got a 2xx is stored exactly once (by its unique subject or comment text), and nothing a
  client was told is stored is missing;
- SQLite's `PRAGMA integrity_check` says ok;
- every attached file is on disk with its recorded size, and after `support-server attachments sweep
  --min-age-secs 0` no file is left without a row and no unclaimed upload is left.

Usage: scripts/crash-test.py SERVER_BINARY [--kills N] [--seed N]. Loopback only; bounded by the number of kills
(default 20) and a time limit. Python's standard library only.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

EMAIL = "dev@acme.example"
PASSWORD = "support-demo"
# The abuse limits the load would pass, raised.
RAISED_LIMITS = [
    f"{what}-per-{who}-hour"
    for what in ("tickets", "comments", "uploads", "external-emails")
    for who in ("user", "org")
]
# A retry whose key is still claimed by a request the kill cut short waits for the server to take the claim
# over (rules::idempotency::in_flight_timeout: --request-timeout-secs + 10 s, 40 s by default), so the run
# allows for that once at the end.
TIME_LIMIT_SECS = 240
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf50000002870180eb47ba92"
    "0000000049454e44ae426082"
)


def say(message):
    print(f"crash-test: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The server process, started and killed on one database and data folder."""

    def __init__(self, binary, data, port):
        self.binary, self.data, self.port = binary, data, port
        self.process = None
        self.log = open(os.path.join(data, "server.log"), "ab")

    def args(self):
        return [self.binary, "--database", os.path.join(self.data, "support.db"), "--data-dir", self.data]

    def start(self):
        self.process = subprocess.Popen(
            self.args()
            + ["--listen", f"127.0.0.1:{self.port}", "--demo"]
            # A steady load from one user for minutes: past the abuse limits' defaults.
            + [arg for name in RAISED_LIMITS for arg in (f"--{name}", "100000")],
            stdout=self.log,
            stderr=self.log,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"crash-test: the server exited at start (see {self.log.name})")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("crash-test: the server did not listen within 30 s")

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
    """One signed-in user's HTTP calls, a new connection each (a kill drops every open one)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, content_type="application/json"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            sent = dict(headers or {})
            sent["x-support-csrf"] = "1"
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
                # The session cookie, whatever its name and attributes: this client is its own cookie jar.
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            connection.close()


class Load:
    """Steady creates and comments from several threads; records what the server acknowledged."""

    def __init__(self, client, org, ticket, seed):
        self.client, self.org, self.ticket = client, org, ticket
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.acked_tickets = {}  # subject -> attachment stored on it (or None)
        self.acked_comments = []
        self.retries = 0
        self.uploads = 0
        self.waiting_on_claims = 0
        self.deferred = []

    def send(self, method, path, body, key=None, content_type="application/json", give_up_at=None, defer=False):
        """Sends until a 2xx. A 409 means the key is still claimed by a request the kill cut short: with `defer`,
        returns None at once (the caller sends it again at the end, when the claim can be taken over), else
        waits for the takeover."""
        headers = {"idempotency-key": key} if key else {}
        while True:
            try:
                status, data = self.client.request(method, path, body, headers, content_type)
            except (OSError, http.client.HTTPException):
                status, data = None, b""
            if status is not None and 200 <= status < 300:
                return json.loads(data)
            if status is not None and 400 <= status < 500 and status != 409:
                raise SystemExit(f"crash-test: {method} {path} refused with {status}: {data[:300]!r}")
            if status == 409:
                with self.lock:
                    self.waiting_on_claims += 1
                if defer:
                    return None
            with self.lock:
                self.retries += 1
            if give_up_at and time.monotonic() > give_up_at:
                raise SystemExit(f"crash-test: {method} {path} got no 2xx before the time limit")
            time.sleep(0.5 if status == 409 else 0.05)

    def upload(self, give_up_at):
        boundary = uuid.uuid4().hex
        name = f"screen-{uuid.uuid4().hex[:8]}.png"
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: image/png\r\n\r\n"
        ).encode() + PNG + f"\r\n--{boundary}--\r\n".encode()
        # Not idempotent: an upload whose answer is lost is sent again, and the lost one is an orphan the sweep
        # removes. That is what the end of the test checks.
        uploaded = self.send(
            "POST", f"/api/v1/organizations/{self.org}/attachments", body,
            content_type=f"multipart/form-data; boundary={boundary}", give_up_at=give_up_at,
        )
        with self.lock:
            self.uploads += 1
        return uploaded["id"]

    def create_ticket(self, n, give_up_at):
        attachment = self.upload(give_up_at) if n % 3 == 0 else None
        subject = f"Crash {uuid.uuid4().hex}"
        body = {
            "cc": [], "subject": subject, "severity": "low", "product": "billing", "reason": "invoice",
            "description": f"Ticket {n} of the crash test.",
            "attachment_ids": [attachment] if attachment else [],
        }
        self.finish(f"/api/v1/organizations/{self.org}/tickets", body, give_up_at,
                    lambda: self.acked_tickets.__setitem__(subject, attachment))

    def add_comment(self, n, give_up_at):
        text = f"Crash comment {n} {uuid.uuid4().hex}"
        body = {"cc": [], "body": text, "attachment_ids": []}
        path = f"/api/v1/organizations/{self.org}/tickets/{self.ticket}/comments"
        self.finish(path, body, give_up_at, lambda: self.acked_comments.append(text))

    def finish(self, path, body, give_up_at, record):
        """POSTs `body` under a new key; records it once acknowledged, or defers it when its key is stuck."""
        key = str(uuid.uuid4())
        if self.send("POST", path, body, key, give_up_at=give_up_at, defer=True) is None:
            with self.lock:
                self.deferred.append((path, body, key, record))
            return
        with self.lock:
            record()

    def send_deferred(self, give_up_at):
        """Sends again, with their own keys, the requests whose key a killed request still held."""
        for path, body, key, record in self.deferred:
            self.send("POST", path, body, key, give_up_at=give_up_at)
            record()

    def worker(self, index, give_up_at):
        n = index
        while not self.stop.is_set():
            if n % 5 in (0, 1, 3):
                self.create_ticket(n, give_up_at)
            else:
                self.add_comment(n, give_up_at)
            n += 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    started = time.monotonic()
    give_up_at = started + TIME_LIMIT_SECS
    data = tempfile.mkdtemp(prefix="support-crash-")
    server = Server(os.path.abspath(args.server), data, free_port())
    try:
        server.start()
        client = Client(server.port)
        status, body = client.request("POST", "/api/v1/session", {"email": EMAIL, "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"crash-test: sign-in answered {status}: {body[:200]!r}")
        status, body = client.request("GET", "/api/v1/me")
        org = json.loads(body)["organization"]["id"]
        load = Load(client, org, None, args.seed)
        load.ticket = load.send("POST", f"/api/v1/organizations/{org}/tickets", {
            "cc": [], "subject": "Comments of the crash test", "severity": "low", "product": "billing",
            "reason": "invoice", "description": "Comments of the crash test go here.", "attachment_ids": [],
        }, str(uuid.uuid4()))["id"]

        threads = [threading.Thread(target=load.worker, args=(i, give_up_at), daemon=True) for i in range(4)]
        for thread in threads:
            thread.start()
        killer = random.Random(args.seed)
        for _ in range(args.kills):
            time.sleep(killer.uniform(0.3, 1.5))
            server.kill()
            time.sleep(killer.uniform(0.0, 0.3))
            server.start()
        say(f"{args.kills} kills and restarts done in {time.monotonic() - started:.0f} s; letting the last sends finish")
        load.stop.set()
        for thread in threads:
            thread.join(timeout=max(1, give_up_at - time.monotonic()))
            if thread.is_alive():
                raise SystemExit("crash-test: a client never got its 2xx before the time limit")
        deferred = len(load.deferred)
        load.send_deferred(give_up_at)
        server.stop()

        failures = []
        db = sqlite3.connect(os.path.join(data, "support.db"))
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            failures.append(f"integrity_check: {integrity}")
        for subject, attachment in load.acked_tickets.items():
            rows = db.execute("SELECT id FROM tickets WHERE subject = ?", (subject,)).fetchall()
            if len(rows) != 1:
                failures.append(f"ticket {subject!r} stored {len(rows)} times")
            elif attachment is not None:
                found = db.execute(
                    "SELECT COUNT(*) FROM attachments WHERE id = ? AND ticket_id = ?", (attachment, rows[0][0])
                ).fetchone()[0]
                if found != 1:
                    failures.append(f"ticket {subject!r} lost its attachment {attachment}")
        for text in load.acked_comments:
            count = db.execute(
                "SELECT COUNT(*) FROM ticket_activity WHERE kind = 'comment' AND body = ?", (text,)
            ).fetchone()[0]
            if count != 1:
                failures.append(f"comment {text!r} stored {count} times")
        crash_rows = db.execute("SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Crash %'").fetchone()[0]
        if crash_rows != len(load.acked_tickets):
            # A ticket stored but never acknowledged would be one the client sent again under another key.
            failures.append(f"{crash_rows} crash tickets stored, {len(load.acked_tickets)} acknowledged")

        folder = os.path.join(data, "attachments")
        attached = db.execute("SELECT stored_name, size FROM attachments WHERE ticket_id IS NOT NULL").fetchall()
        for stored_name, size in attached:
            path = os.path.join(folder, stored_name)
            if not os.path.isfile(path) or os.path.getsize(path) != size:
                failures.append(f"attached file {stored_name} missing or of the wrong size")
        db.close()

        sweep = subprocess.run(
            server.args() + ["attachments", "sweep", "--min-age-secs", "0"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        db = sqlite3.connect(os.path.join(data, "support.db"))
        rows = {name for (name,) in db.execute("SELECT stored_name FROM attachments")}
        unclaimed = db.execute("SELECT COUNT(*) FROM attachments WHERE ticket_id IS NULL").fetchone()[0]
        db.close()
        on_disk = set(os.listdir(folder)) if os.path.isdir(folder) else set()
        if unclaimed:
            failures.append(f"{unclaimed} unclaimed uploads left after the sweep")
        if on_disk - rows:
            failures.append(f"files without a row after the sweep: {sorted(on_disk - rows)[:5]}")
        if rows - on_disk:
            failures.append(f"rows without a file: {sorted(rows - on_disk)[:5]}")

        say(
            f"{args.kills} kills survived; acknowledged {len(load.acked_tickets)} tickets "
            f"({sum(1 for a in load.acked_tickets.values() if a)} with a file) and {len(load.acked_comments)} "
            f"comments, {load.uploads} uploads; {load.retries} retries ({load.waiting_on_claims} refused with 409 "
            f"while a killed request held the key; {deferred} such sends finished at the end); sweep: {sweep}; {time.monotonic() - started:.0f} s"
        )
        if failures:
            for failure in failures[:20]:
                say(f"FAILED: {failure}")
            return 1
        say("every acknowledged request stored exactly once, integrity ok, no file lost or left over")
        return 0
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
