#!/usr/bin/env python3
"""Kill test (issue 14): two server instances on one database under a steady load; the one holding the background
jobs' leases is killed with SIGKILL mid-load and restarted. Clients behave like the SPA behind a round-robin
balancer: ticket creations and comments alternate between the instances, each create and comment carries an
Idempotency-Key and is sent again with the same key (to the other instance) on a connection error. At the end:

- every request that got a 2xx is stored exactly once, and nothing else of the load is stored (no duplicate
  ticket: one per Idempotency-Key);
- every email the outbox recorded was sent to the test's SMTP sink (one holder of the `outbox` lease at a time;
  an email sent twice must be one whose first attempt the kill cut short, same Message-ID);
- the sweep and the purge ran after the kill: the other instance took their leases over (an unattached upload
  made a day old and an expired session, both arranged after the killed instance's runs, are gone);
- SIGTERM on an instance: `/readyz` answers 503 at once while `/healthz` and the API still answer, and the
  process exits after the drain.

The database is a SQLite file in a temporary folder, or the one `SUPPORT_KILL_TEST_DATABASE_URL` names
(`postgres://...`, once the server takes it in `--database`; then it must be empty and `psql` on PATH). Attachments
follow the server's own configuration (`SUPPORT_ATTACHMENTS`, else the shared data folder).

Usage: scripts/kill-test.py SERVER_BINARY [--seed N]. Loopback only; bounded in requests (--operations, default
120) and time (60 s). Python's standard library only.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import socketserver
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

EMAIL = "dev@acme.example"
PASSWORD = "support-demo"
TIME_LIMIT_SECS = 60
# The load passes the abuse limits' defaults: raised.
RAISED_LIMITS = [
    f"--{what}-per-{who}-hour" for what in ("tickets", "comments", "uploads", "external-emails") for who in ("user", "org")
]
# Short, so a takeover happens within the test: the holder renews every second, another instance takes an expired
# lease within about 4 s.
LEASE_SECS = 3
# A create whose key the killed instance still held is taken over 10 s after this (rules::idempotency).
REQUEST_TIMEOUT_SECS = 2
DRAIN_SECS = 2
JOBS = ("outbox", "sweeper", "purge")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf50000002870180eb47ba92"
    "0000000049454e44ae426082"
)


def say(message):
    print(f"kill-test: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP for lettre; records the Message-ID of every email it accepts."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.lock = threading.Lock()
        self.message_ids = []

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return f"smtp://127.0.0.1:{self.server_address[1]}"


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        try:
            self.converse()
        except OSError:
            # The instance sending was killed mid-conversation: its email was not accepted.
            pass

    def converse(self):
        self.reply("220 kill-test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "QUIT":
                self.reply("221 bye")
                return
            if verb != "DATA":
                self.reply("250 ok")
                continue
            self.reply("354 go on")
            message_id = None
            while True:
                data = self.rfile.readline()
                if not data or data in (b".\r\n", b".\n"):
                    break
                text = data.decode(errors="replace")
                if message_id is None and text.lower().startswith("message-id:"):
                    message_id = text.split(":", 1)[1].strip()
            with self.server.lock:
                self.server.message_ids.append(message_id)
            self.reply("250 queued")


class Database:
    """What the checks read and arrange: SQLite with Python's module, PostgreSQL through psql. The statements are
    written once for both; values are test-made (numbers, hex), quoted here."""

    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith(("postgres://", "postgresql://")):
            out = subprocess.run(
                ["psql", self.url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                capture_output=True, text=True, check=True,
            ).stdout
            return [tuple(line.split("\t")) for line in out.splitlines() if line]
        path = self.url.removeprefix("sqlite://")
        with sqlite3.connect(path, timeout=10) as db:
            return [tuple("" if v is None else str(v) for v in row) for row in db.execute(sql).fetchall()]

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None


def quoted(text):
    return "'" + text.replace("'", "''") + "'"


class Server:
    """One instance: its own port, the shared database, data folder and SMTP sink."""

    def __init__(self, name, binary, data, database, smtp):
        self.name, self.binary, self.data, self.database, self.smtp = name, binary, data, database, smtp
        self.port = free_port()
        self.process = None
        self.log = open(os.path.join(data, f"server-{name}.log"), "ab")

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary, "--database", self.database, "--data-dir", self.data,
                "--listen", f"127.0.0.1:{self.port}", "--demo", "--smtp-url", self.smtp,
                "--outbox-interval-secs", "1", "--lease-secs", str(LEASE_SECS),
                "--request-timeout-secs", str(REQUEST_TIMEOUT_SECS), "--drain-secs", str(DRAIN_SECS),
            ]
            + [arg for flag in RAISED_LIMITS for arg in (flag, "100000")],
            stdout=self.log, stderr=self.log,
            env={**os.environ, "RUST_LOG": "warn,support_server::jobs=info"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"kill-test: instance {self.name} exited at start (see {self.log.name})")
            if self.status("/healthz") == 200:
                return
            time.sleep(0.05)
        raise SystemExit(f"kill-test: instance {self.name} did not answer within 30 s")

    def status(self, path):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            return status
        except OSError:
            return None

    def pid_tag(self):
        """How this process shows in a lease's holder, `<host>:<pid>:<random>`."""
        return f":{self.process.pid}:"

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


class Balancer:
    """Round-robin over the instances, as a load balancer does; a client keeps its session cookie on both."""

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
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            connection.close()


class Load:
    """Creates and comments from a few threads, bounded in count; records what the instances acknowledged."""

    def __init__(self, balancer, org, ticket, operations, give_up_at):
        self.balancer, self.org, self.ticket = balancer, org, ticket
        self.give_up_at = give_up_at
        self.lock = threading.Lock()
        self.remaining = operations
        self.acked_tickets = []
        self.acked_comments = []
        self.retries = 0
        self.waited_for_claims = 0

    def send(self, method, path, body, key=None, content_type="application/json"):
        """Sends until a 2xx: again with the same key after a connection error (to the next instance); after a 409
        (the key is still claimed by a request the kill cut short) once the claim can be taken over."""
        headers = {"idempotency-key": key} if key else {}
        while True:
            try:
                status, data = self.balancer.request(method, path, body, headers, content_type)
            except (OSError, http.client.HTTPException):
                status, data = None, b""
            if status is not None and 200 <= status < 300:
                return json.loads(data)
            if status is not None and 400 <= status < 500 and status != 409:
                raise SystemExit(f"kill-test: {method} {path} refused with {status}: {data[:300]!r}")
            with self.lock:
                self.retries += 1
                self.waited_for_claims += status == 409
            if time.monotonic() > self.give_up_at:
                raise SystemExit(f"kill-test: {method} {path} got no 2xx before the time limit")
            time.sleep(0.5 if status == 409 else 0.05)

    def take(self):
        with self.lock:
            self.remaining -= 1
            return self.remaining

    def worker(self):
        while (n := self.take()) >= 0:
            if n % 2 == 0:
                subject = f"Kill {uuid.uuid4().hex}"
                self.send("POST", f"/api/v1/organizations/{self.org}/tickets", {
                    "cc": [], "subject": subject, "severity": "low", "product": "billing", "reason": "invoice",
                    "description": f"Ticket {n} of the kill test.", "attachment_ids": [],
                }, str(uuid.uuid4()))
                with self.lock:
                    self.acked_tickets.append(subject)
            else:
                text = f"Kill comment {n} {uuid.uuid4().hex}"
                self.send("POST", f"/api/v1/organizations/{self.org}/tickets/{self.ticket}/comments",
                          {"cc": [], "body": text, "attachment_ids": []}, str(uuid.uuid4()))
                with self.lock:
                    self.acked_comments.append(text)
            time.sleep(0.02)


def wait_until(what, check, give_up_at):
    while not check():
        if time.monotonic() > give_up_at:
            raise SystemExit(f"kill-test: {what} did not happen before the time limit")
        time.sleep(0.1)


def lease_holders(db):
    return dict(db.rows("SELECT name, holder FROM leases"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server")
    parser.add_argument("--operations", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    started = time.monotonic()
    give_up_at = started + TIME_LIMIT_SECS
    rng = random.Random(args.seed)
    data = tempfile.mkdtemp(prefix="support-kill-")
    database = os.environ.get("SUPPORT_KILL_TEST_DATABASE_URL") or os.path.join(data, "support.db")
    db = Database(database)
    sink = SmtpSink()
    smtp = sink.start()
    a = Server("a", os.path.abspath(args.server), data, database, smtp)
    b = Server("b", os.path.abspath(args.server), data, database, smtp)
    try:
        # A first, so it takes every lease; then B, which only tries.
        a.start()
        wait_until("instance a taking the jobs' leases", lambda: all(
            a.pid_tag() in lease_holders(db).get(job, "") for job in JOBS), give_up_at)
        b.start()
        balancer = Balancer([a, b])
        status, body = balancer.request("POST", "/api/v1/session", {"email": EMAIL, "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"kill-test: sign-in answered {status}: {body[:200]!r}")
        status, body = balancer.request("GET", "/api/v1/me")
        org = json.loads(body)["organization"]["id"]
        load = Load(balancer, org, None, args.operations, give_up_at)
        load.ticket = load.send("POST", f"/api/v1/organizations/{org}/tickets", {
            "cc": [], "subject": "Comments of the kill test", "severity": "low", "product": "billing",
            "reason": "invoice", "description": "Comments of the kill test go here.", "attachment_ids": [],
        }, str(uuid.uuid4()))["id"]

        threads = [threading.Thread(target=load.worker, daemon=True) for _ in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(1.0, 2.0))

        # Work only a later sweep and purge can do: an upload never attached, made a day old, and an expired
        # session. A ran both jobs when it took their leases, seconds ago; they run hourly after that.
        boundary = uuid.uuid4().hex
        upload = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"orphan.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n"
        ).encode() + PNG + f"\r\n--{boundary}--\r\n".encode()
        orphan = load.send("POST", f"/api/v1/organizations/{org}/attachments", upload,
                           content_type=f"multipart/form-data; boundary={boundary}")["id"]
        db.rows(f"UPDATE attachments SET created_at = '2000-01-01T00:00:00Z' WHERE id = {int(orphan)}")
        user = db.value(f"SELECT id FROM users WHERE email = {quoted(EMAIL)}")
        expired = f"kill-test-{uuid.uuid4().hex}"
        db.rows(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
            f"VALUES ({quoted(expired)}, {int(user)}, '2000-01-01T00:00:00Z', 946688400)"
        )
        held_before = lease_holders(db)
        if not all(a.pid_tag() in held_before.get(job, "") for job in JOBS):
            raise SystemExit(f"kill-test: instance a no longer holds every lease before the kill: {held_before}")

        time.sleep(rng.uniform(0.2, 0.8))
        killed_tag = a.pid_tag()
        a.kill()
        killed_at = time.monotonic()
        say(f"killed instance a (the jobs' lease holder) after {killed_at - started:.1f} s, mid-load")
        wait_until("instance b taking the leases over", lambda: all(
            b.pid_tag() in lease_holders(db).get(job, "") for job in JOBS), give_up_at)
        took_over = time.monotonic() - killed_at
        time.sleep(rng.uniform(0.0, 0.5))
        a.start()
        say(f"instance b took every lease over {took_over:.1f} s after the kill; a restarted")

        for thread in threads:
            thread.join(timeout=max(1, give_up_at - time.monotonic()))
            if thread.is_alive():
                raise SystemExit("kill-test: a client never got its 2xx before the time limit")

        wait_until("the outbox being delivered", lambda: db.value(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == "0", give_up_at)
        wait_until("the sweep of the aged upload", lambda: db.value(
            f"SELECT COUNT(*) FROM attachments WHERE id = {int(orphan)}") == "0", give_up_at)
        wait_until("the purge of the expired session", lambda: db.value(
            f"SELECT COUNT(*) FROM sessions WHERE token_hash = {quoted(expired)}") == "0", give_up_at)

        failures = []
        for subject in load.acked_tickets:
            count = db.value(f"SELECT COUNT(*) FROM tickets WHERE subject = {quoted(subject)}")
            if count != "1":
                failures.append(f"ticket {subject!r} stored {count} times")
        stored = db.value("SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Kill %'")
        if stored != str(len(load.acked_tickets)):
            failures.append(f"{stored} kill-test tickets stored, {len(load.acked_tickets)} acknowledged")
        for text in load.acked_comments:
            count = db.value(f"SELECT COUNT(*) FROM ticket_activity WHERE kind = 'comment' AND body = {quoted(text)}")
            if count != "1":
                failures.append(f"comment {text!r} stored {count} times")
        comments = db.value("SELECT COUNT(*) FROM ticket_activity WHERE kind = 'comment' AND body LIKE 'Kill comment %'")
        if comments != str(len(load.acked_comments)):
            failures.append(f"{comments} kill-test comments stored, {len(load.acked_comments)} acknowledged")

        outbox = db.rows("SELECT message_id, attempts FROM outbox")
        with sink.lock:
            received = list(sink.message_ids)
        resent = 0
        for unique, attempts in outbox:
            times = sum(1 for m in received if m and m.startswith(f"<{unique}@"))
            if times == 0:
                failures.append(f"email {unique} recorded but never sent")
            elif times > 1:
                resent += 1
                if int(attempts) < 2:
                    failures.append(f"email {unique} sent {times} times on its first attempt")
        if not outbox:
            failures.append("the load recorded no email")

        holders = lease_holders(db)
        for job in JOBS:
            if killed_tag in holders.get(job, ""):
                failures.append(f"the killed instance still holds {job}")

        # The drain: SIGTERM on b; it stops being ready at once but still serves, then exits.
        b.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        wait_until("instance b reporting not ready", lambda: b.status("/readyz") == 503, give_up_at)
        if b.status("/healthz") != 200 or b.status("/api/v1/me") != 401:
            failures.append("instance b stopped serving at once on SIGTERM instead of draining")
        if time.monotonic() - signalled > DRAIN_SECS:
            failures.append("instance b took the drain period to report not ready")
        try:
            b.process.wait(timeout=DRAIN_SECS + 10)
        except subprocess.TimeoutExpired:
            failures.append("instance b did not exit after the drain")
        drained = time.monotonic() - signalled
        if drained < DRAIN_SECS:
            failures.append(f"instance b exited {drained:.1f} s after SIGTERM, before the drain ended")
        a.stop()

        say(
            f"acknowledged {len(load.acked_tickets)} tickets and {len(load.acked_comments)} comments across two "
            f"instances; {load.retries} retries ({load.waited_for_claims} answered 409 while a killed request held "
            f"the key); {len(outbox)} emails, all sent ({resent} sent again after the kill); leases taken over in "
            f"{took_over:.1f} s; sweep and purge ran after the kill; drain {drained:.1f} s; "
            f"{time.monotonic() - started:.0f} s"
        )
        if failures:
            for failure in failures[:20]:
                say(f"FAILED: {failure}")
            return 1
        say("every acknowledged request stored exactly once, every email sent, the jobs taken over, the drain kept")
        return 0
    finally:
        a.stop()
        b.stop()
        sink.shutdown()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
