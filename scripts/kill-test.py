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
(`postgres://...`; then it must be empty and `psql` on PATH). Attachments follow the server's own configuration
(`SUPPORT_ATTACHMENTS`, else the shared data folder; an `s3://` bucket is listed at `AWS_ENDPOINT_URL` without
signing, as moto allows): the sweep check also looks there, so the orphan's file or object must be gone too.

Usage: scripts/kill-test.py SERVER_BINARY [--seed N]. Loopback only; bounded in requests (--operations, default
120) and time (120 s; a run took 20 s on SQLite and 37 s on PostgreSQL + S3 at load 9-12 on 2 cores, more under
heavier load). Python's standard library only.
"""

import argparse
import http.client
import os
import random
import shutil
import signal
import socketserver
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from xml.etree import ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402 (found through the path above)

NAME = "kill-test"
# A bound, not the duration: on PostgreSQL under a loaded machine (load 10+) a run passed 60 s.
TIME_LIMIT_SECS = 120
# Short, so a takeover happens within the test: the holder renews every second, another instance takes an expired
# lease within about 4 s.
LEASE_SECS = 3
# A create whose key the killed instance still held is taken over 10 s after this (rules::idempotency).
REQUEST_TIMEOUT_SECS = 2
DRAIN_SECS = 2
JOBS = ("outbox", "sweeper", "purge")
say = harness.sayer(NAME)


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


class Stored:
    """Where the instances keep the files: the data folder's `attachments`, or the bucket `SUPPORT_ATTACHMENTS`
    names (`s3://bucket/prefix`, objects at `prefix/<stored name>`, as crates/server/src/files.rs stores them)."""

    def __init__(self, data):
        self.location = os.environ.get("SUPPORT_ATTACHMENTS") or os.path.join(data, "attachments")

    def __str__(self):
        return self.location

    def exists(self, stored_name):
        if not self.location.startswith("s3://"):
            return os.path.isfile(os.path.join(self.location, stored_name))
        bucket, _, prefix = self.location.removeprefix("s3://").partition("/")
        key = "/".join(part for part in (prefix.strip("/"), stored_name) if part)
        # A listing of the key as a prefix (ListObjectsV2), which moto answers unsigned; a HEAD of the object
        # itself it refuses unsigned (403) whether or not the object is there.
        endpoint = urllib.parse.urlsplit(os.environ["AWS_ENDPOINT_URL"])
        query = urllib.parse.urlencode({"list-type": "2", "prefix": key})
        connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=5)
        try:
            connection.request("GET", f"/{bucket}?{query}")
            response = connection.getresponse()
            status, listing = response.status, response.read()
        finally:
            connection.close()
        if status != 200:
            raise harness.Failed(f"{NAME}: listing {key} in {bucket} answered {status}: {listing[:200]!r}")
        names = (element for element in ElementTree.fromstring(listing).iter() if element.tag.endswith("}Key"))
        return key in [element.text for element in names]


def quoted(text):
    return "'" + text.replace("'", "''") + "'"


class Server(harness.Server):
    """One instance: its own port, the shared database, data folder and SMTP sink."""

    def __init__(self, name, binary, data, database, smtp):
        super().__init__(
            f"{NAME}: instance {name}",
            [
                binary, "--database", database, "--data-dir", data, "--demo", "--smtp-url", smtp,
                "--outbox-interval-secs", "1", "--lease-secs", str(LEASE_SECS),
                "--request-timeout-secs", str(REQUEST_TIMEOUT_SECS), "--drain-secs", str(DRAIN_SECS),
            ] + harness.raised_limits(),
            os.path.join(data, f"server-{name}.log"),
            env={"RUST_LOG": "warn,support_server::jobs=info"},
        )

    def pid_tag(self):
        """How this process shows in a lease's holder, `<host>:<pid>:<random>`."""
        return f":{self.process.pid}:"


class Load(harness.Sender):
    """Creates and comments from a few threads, bounded in count; records what the instances acknowledged.
    Through a round-robin client, so a create sent again after a connection error goes to the other instance."""

    def __init__(self, client, org, ticket, operations, give_up_at):
        super().__init__(NAME, client)
        self.org, self.ticket = org, ticket
        self.give_up_at = give_up_at
        self.remaining = operations
        self.acked_tickets = []
        self.acked_comments = []

    def take(self):
        with self.lock:
            self.remaining -= 1
            return self.remaining

    def worker(self):
        while (n := self.take()) >= 0:
            if n % 2 == 0:
                subject = f"Kill {uuid.uuid4().hex}"
                self.send("POST", f"/api/v1/organizations/{self.org}/tickets",
                          harness.ticket(subject, f"Ticket {n} of the kill test."), str(uuid.uuid4()),
                          give_up_at=self.give_up_at)
                with self.lock:
                    self.acked_tickets.append(subject)
            else:
                text = f"Kill comment {n} {uuid.uuid4().hex}"
                self.send("POST", f"/api/v1/organizations/{self.org}/tickets/{self.ticket}/comments",
                          {"cc": [], "body": text, "attachment_ids": []}, str(uuid.uuid4()),
                          give_up_at=self.give_up_at)
                with self.lock:
                    self.acked_comments.append(text)
            time.sleep(0.02)


def wait_until(what, check, give_up_at):
    harness.wait_until(NAME, what, check, give_up_at)


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
    files = Stored(data)
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
        client = harness.Client([a, b])
        org = client.sign_in(NAME)
        load = Load(client, org, None, args.operations, give_up_at)
        load.ticket = load.send(
            "POST", f"/api/v1/organizations/{org}/tickets",
            harness.ticket("Comments of the kill test", "Comments of the kill test go here."), str(uuid.uuid4()),
            give_up_at=give_up_at,
        )["id"]

        threads = [threading.Thread(target=load.worker, daemon=True) for _ in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(1.0, 2.0))

        # Work only a later sweep and purge can do: an upload never attached, made a day old, and an expired
        # session. A ran both jobs when it took their leases, seconds ago; they run hourly after that.
        upload, content_type = harness.png_upload("orphan.png")
        orphan = load.send("POST", f"/api/v1/organizations/{org}/attachments", upload,
                           content_type=content_type, give_up_at=give_up_at)["id"]
        db.rows(f"UPDATE attachments SET created_at = '2000-01-01T00:00:00Z' WHERE id = {int(orphan)}")
        orphan_name = db.value(f"SELECT stored_name FROM attachments WHERE id = {int(orphan)}")
        if not files.exists(orphan_name):
            raise harness.Failed(f"{NAME}: the uploaded file {orphan_name} is not in {files}")
        user = db.value(f"SELECT id FROM users WHERE email = {quoted(harness.EMAIL)}")
        expired = f"kill-test-{uuid.uuid4().hex}"
        db.rows(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
            f"VALUES ({quoted(expired)}, {int(user)}, '2000-01-01T00:00:00Z', 946688400)"
        )
        held_before = lease_holders(db)
        if not all(a.pid_tag() in held_before.get(job, "") for job in JOBS):
            raise harness.Failed(f"{NAME}: instance a no longer holds every lease before the kill: {held_before}")

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
                raise harness.Failed(f"{NAME}: a client never got its 2xx before the time limit")

        wait_until("the outbox being delivered", lambda: db.value(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == "0", give_up_at)
        wait_until("the sweep of the aged upload", lambda: db.value(
            f"SELECT COUNT(*) FROM attachments WHERE id = {int(orphan)}") == "0", give_up_at)
        # The sweep deletes the row, then the file: a moment apart.
        wait_until(f"the sweep of the aged upload's file in {files}", lambda: not files.exists(orphan_name),
                   give_up_at)
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

        say(f"database {'PostgreSQL' if database.startswith('postgres') else 'SQLite'}, files in {files}")
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
