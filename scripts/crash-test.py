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
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402 (found through the path above)

NAME = "crash-test"
# A retry whose key is still claimed by a request the kill cut short waits for the server to take the claim
# over (rules::idempotency::in_flight_timeout: --request-timeout-secs + 10 s, 40 s by default), so the run
# allows for that once at the end.
TIME_LIMIT_SECS = 240
say = harness.sayer(NAME)


def server_args(binary, data):
    """The server on the test's database and data folder (also what the sweep subcommand is run with)."""
    return [binary, "--database", os.path.join(data, "support.db"), "--data-dir", data]


class Load(harness.Sender):
    """Steady creates and comments from several threads; records what the server acknowledged."""

    def __init__(self, client, org, ticket, seed):
        super().__init__(NAME, client)
        self.org, self.ticket = org, ticket
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.acked_tickets = {}  # subject -> attachment stored on it (or None)
        self.acked_comments = []
        self.uploads = 0
        self.deferred = []

    def upload(self, give_up_at):
        body, content_type = harness.png_upload(f"screen-{uuid.uuid4().hex[:8]}.png")
        # Not idempotent: an upload whose answer is lost is sent again, and the lost one is an orphan the sweep
        # removes. That is what the end of the test checks.
        uploaded = self.send(
            "POST", f"/api/v1/organizations/{self.org}/attachments", body,
            content_type=content_type, give_up_at=give_up_at,
        )
        with self.lock:
            self.uploads += 1
        return uploaded["id"]

    def create_ticket(self, n, give_up_at):
        attachment = self.upload(give_up_at) if n % 3 == 0 else None
        subject = f"Crash {uuid.uuid4().hex}"
        body = harness.ticket(subject, f"Ticket {n} of the crash test.", [attachment] if attachment else [])
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
    args_of_server = server_args(os.path.abspath(args.server), data)
    server = harness.Server(
        f"{NAME}: the server", args_of_server + ["--demo"] + harness.raised_limits(),
        os.path.join(data, "server.log"), env={"RUST_LOG": "warn"},
    )
    try:
        server.start()
        client = harness.Client([server])
        org = client.sign_in(NAME)
        load = Load(client, org, None, args.seed)
        load.ticket = load.send(
            "POST", f"/api/v1/organizations/{org}/tickets",
            harness.ticket("Comments of the crash test", "Comments of the crash test go here."), str(uuid.uuid4()),
        )["id"]

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
                raise harness.Failed(f"{NAME}: a client never got its 2xx before the time limit")
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
            args_of_server + ["attachments", "sweep", "--min-age-secs", "0"],
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
            f"comments, {load.uploads} uploads; {load.retries} retries ({load.waited_for_claims} refused with 409 "
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
