# SPDX-License-Identifier: Apache-2.0
"""Crash test: basketd killed with SIGKILL while clients stream inserts loses nothing
acknowledged.

Each round starts basketd on the same data directory, lets several writers stream
multi-row INSERTs (each batch tagged with its writer and number, the client remembering
every batch the server acknowledged and the one it had in flight), kills the server with
SIGKILL at a random moment, restarts it and checks:

  - every acknowledged batch is present, with exactly its rows and its sum;
  - a batch in flight at the kill (sent, not acknowledged) is there entirely or not at all
    (the server may have made it durable just before the kill: no database can promise
    more, since the acknowledgement itself can be lost);
  - nothing else is there: no batch that was never sent, no partial batch, no duplicate.

Checkpoints run during the rounds (--checkpoint-mb 1), so kills land in checkpoints too.

    test_crash.py BASKETD            # quick: 150 rounds (make test)
    BASKET_CRASH_ROUNDS=2000 test_crash.py BASKETD   # the long mode
"""

import os
import random
import shutil
import sys
import tempfile
import threading
import time
import unittest
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import psycopg  # noqa: E402

from basket_server import BasketServer, free_port  # noqa: E402

BASKETD = None
ROUNDS = int(os.environ.get("BASKET_CRASH_ROUNDS", "150"))
WRITERS = 4
EPOCH = int(os.environ.get("BASKET_CRASH_EPOCH", "30"))
SEED = int(os.environ.get("BASKET_TEST_SEED", "20261125"))


class Ledger:
    """What the clients know: acknowledged batches and the ones in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}      # (writer, batch) -> (rows, sum, round)
        self.inflight = {}   # writer -> (batch, rows, sum, round)
        self.next_batch = {w: 0 for w in range(WRITERS)}


def make_batch(rng, round_no, writer, batch):
    n = rng.randint(1, 200)
    rows, total = [], Decimal(0)
    for i in range(n):
        v = Decimal(rng.randint(-1_000_000, 1_000_000)).scaleb(-2)
        total += v
        # ~150 bytes a row, so each round logs a few MB and checkpoints run mid-round.
        pad = "x" * rng.randint(60, 160)
        rows.append(f"({round_no}, {writer}, {batch}, {i}, {v}, 'w{writer}-b{batch}-{i}-{pad}')")
    sql = "insert into crash (r, w, b, i, v, s) values " + ", ".join(rows)
    return sql, n, total


def writer_main(port, round_no, writer, ledger, rng, stop):
    try:
        conn = psycopg.connect(host="127.0.0.1", port=port, user="basket", dbname="basket",
                               autocommit=True, connect_timeout=10)
    except psycopg.Error:
        return
    try:
        while not stop.is_set():
            with ledger.lock:
                batch = ledger.next_batch[writer]
                ledger.next_batch[writer] += 1
            sql, n, total = make_batch(rng, round_no, writer, batch)
            with ledger.lock:
                ledger.inflight[writer] = (batch, n, total, round_no)
            try:
                conn.execute(sql)
            except psycopg.Error:
                return  # the server is gone: this batch stays in flight
            with ledger.lock:
                ledger.acked[(writer, batch)] = (n, total, round_no)
                del ledger.inflight[writer]
    finally:
        try:
            conn.close()
        except Exception:
            pass


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="basket-crash-")
        self.port = free_port()

    def tearDown(self):
        if os.environ.get("BASKET_KEEP_CRASH") == "1":
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def server(self):
        return BasketServer(BASKETD, args=["--checkpoint-mb", "1"], port=self.port,
                            data_dir=self.dir)

    def verify(self, srv, ledger, round_no):
        """Batch by batch for this round's rows; totals for the whole table (earlier rounds
        were checked batch by batch when they ran, and must not change)."""
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="basket",
                             dbname="basket", autocommit=True) as conn:
            found = {}
            for w, b, n, total, lo, hi in conn.execute(
                    f"select w, b, count(*), sum(v), min(i), max(i) from crash "
                    f"where r = {round_no} group by w, b"):
                found[(w, b)] = (n, total, lo, hi)
            count, total_sum = conn.execute("select count(*), sum(v) from crash").fetchone()
        for key, (n, total, r) in ledger.acked.items():
            if r != round_no:
                continue
            self.assertIn(key, found, f"round {round_no}: acknowledged batch {key} lost")
            got_n, got_total, lo, hi = found[key]
            self.assertEqual((got_n, got_total, lo, hi), (n, total, 0, n - 1),
                             f"round {round_no}: acknowledged batch {key} altered")
        for key, (got_n, got_total, lo, hi) in found.items():
            if key in ledger.acked:
                continue
            w, b = key
            flight = ledger.inflight.get(w)
            self.assertTrue(flight is not None and flight[0] == b,
                            f"round {round_no}: batch {key} was never acknowledged nor "
                            f"in flight, yet is present")
            self.assertEqual((got_n, got_total, lo, hi), (flight[1], flight[2], 0, flight[1] - 1),
                             f"round {round_no}: in-flight batch {key} is partial")
            # It committed before the kill: from now on it counts as acknowledged.
            ledger.acked[key] = (flight[1], flight[2], round_no)
        ledger.inflight.clear()
        want_count = sum(n for n, _, _ in ledger.acked.values())
        want_sum = sum((t for _, t, _ in ledger.acked.values()), Decimal(0))
        self.assertEqual(count, want_count, f"round {round_no}: row count of the table")
        if want_count > 0:
            self.assertEqual(total_sum, want_sum, f"round {round_no}: sum of the table")

    def start_epoch(self, srv):
        """A fresh data directory and table: keeps each recovery small, so the quick mode
        stays quick (BASKET_CRASH_EPOCH=0 keeps one directory for the whole run)."""
        if srv is not None:
            srv.kill()
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = tempfile.mkdtemp(prefix="basket-crash-")
        srv = self.server().start()
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="basket", dbname="basket",
                             autocommit=True) as conn:
            conn.execute("create table crash (r int not null, w int not null, b int not null, "
                         "i int not null, v numeric(12,2), s text)")
        return srv, Ledger()

    def test_kill_during_inserts_loses_nothing_acknowledged(self):
        rng = random.Random(SEED)
        srv, ledger = self.start_epoch(None)
        recovered_checkpoint = batches = rows = 0
        for round_no in range(ROUNDS):
            if EPOCH > 0 and round_no > 0 and round_no % EPOCH == 0:
                batches += len(ledger.acked)
                rows += sum(n for n, _, _ in ledger.acked.values())
                srv, ledger = self.start_epoch(srv)
            elif round_no % 10 == 5:
                # A clean restart writes a shutdown checkpoint: later kills then recover from
                # a checkpoint plus the log, whatever the machine's speed (the checkpoints
                # that --checkpoint-mb triggers mid-round depend on how much gets written).
                srv.stop()
                srv = self.server().start()
            stop = threading.Event()
            threads = [threading.Thread(target=writer_main,
                                        args=(srv.port, round_no, w, ledger,
                                              random.Random(rng.random()), stop))
                       for w in range(WRITERS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.02, 0.4))
            srv.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            srv = self.server().start()
            log = srv.log()
            self.assertIn("recovered", log)
            if "checkpoint 0," not in log:
                recovered_checkpoint += 1
            self.verify(srv, ledger, round_no)
        srv.stop()
        batches += len(ledger.acked)
        rows += sum(n for n, _, _ in ledger.acked.values())
        print(f"{ROUNDS} rounds (seed {SEED}), {batches} batches, {rows} rows acknowledged "
              f"and recovered; {recovered_checkpoint} recoveries started from a checkpoint")
        self.assertGreater(batches, ROUNDS, "the writers made too little progress")
        if ROUNDS >= 10:
            self.assertGreater(recovered_checkpoint, 0, "no recovery started from a checkpoint")


if __name__ == "__main__":
    BASKETD = sys.argv.pop(1)
    unittest.main()
