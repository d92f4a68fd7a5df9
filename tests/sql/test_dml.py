# SPDX-License-Identifier: Apache-2.0
"""CREATE TABLE and INSERT compared with PostgreSQL 15.

dml.sql runs through psql on Basket and on a private PostgreSQL 15; the two transcripts
(results, command tags, errors with SQLSTATE, message, DETAIL and cursor) must be identical.
Then Basket is restarted on the same data directory and the tables read again: what INSERT
acknowledged comes back from the log and the checkpoint. Statements PostgreSQL accepts but
Basket does not support yet must answer 0A000.

    test_dml.py BASKETD
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from basket_server import BasketServer  # noqa: E402
from pg_oracle import PgOracle  # noqa: E402

BASKETD = None
SCRIPT = os.path.join(HERE, "dml.sql")

# Valid in PostgreSQL 15, not supported by Basket yet: each must fail with 0A000.
UNSUPPORTED = [
    "create table u1 (a int primary key)",
    "create table u2 (a int default 1)",
    "create table u3 (a int check (a > 0))",
    "create table u4 (a int unique)",
    "create temp table u5 (a int)",
    "create unlogged table u6 (a int)",
    "create table u7 (a int, primary key (a))",
    "create table u8 (a char(3))",
    "create table u9 (a int generated always as identity)",
    "create table u10 (like items)",
    "insert into items (id) values (100) returning id",
    "insert into items (id) values (100) on conflict do nothing",
    "with x as (select 1) insert into items (id) select 100",
]

# ErrorResponse fields Basket does not send yet (psql prints them with VERBOSITY verbose), and
# PostgreSQL's own source locations.
IGNORED_PREFIXES = ("LOCATION:", "SCHEMA NAME:", "TABLE NAME:", "COLUMN NAME:")


def run_psql(port, host, user, db, script=None, command=None):
    cmd = ["psql", "-X", "-a", "-h", host, "-p", str(port), "-U", user, "-d", db,
           "-v", "VERBOSITY=verbose"]
    cmd += ["-f", script] if script else ["-c", command]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    lines = (r.stdout + r.stderr).splitlines()
    return [l for l in lines if not l.startswith(IGNORED_PREFIXES)], r


class Dml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="basket-dml-")
        cls.server = BasketServer(BASKETD, data_dir=cls.dir).start()
        cls.pg = PgOracle().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.pg.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def basket(self, **kw):
        return run_psql(self.server.port, "127.0.0.1", "basket", "basket", **kw)

    def postgres(self, **kw):
        return run_psql(self.pg.port, self.pg.host, "postgres", "postgres", **kw)

    def test_1_script_matches_postgresql_then_survives_restart(self):
        # psql interleaves stdout and stderr differently per run: compare each stream's lines
        # in order, which is what a reader of either transcript sees.
        mine, mr = self.basket(script=SCRIPT)
        theirs, tr = self.postgres(script=SCRIPT)
        self.assertIn("INSERT 0 3", tr.stdout)  # the oracle really ran the script
        strip = lambda s: [l for l in s.splitlines() if not l.startswith(IGNORED_PREFIXES)]
        self.assertEqual(strip(mr.stdout), strip(tr.stdout))
        self.assertEqual(strip(mr.stderr), strip(tr.stderr))

        # Everything acknowledged is there after a restart on the same directory.
        query = ("select id, qty, big, price, ratio, f4, name, code, ok, day, at, atz, span, n "
                 "from items order by id")
        gen_query = "select * from gen order by a, b, e"
        before, _ = self.basket(command=query)
        gen_before, _ = self.basket(command=gen_query)
        self.server.stop()
        self.server.start()
        after, _ = self.basket(command=query)
        pg, _ = self.postgres(command=query)
        self.assertEqual(after, before)
        self.assertEqual(after, pg)
        # Generation expressions survive too: a new row still derives its columns.
        self.basket(command="insert into gen (a, b, e) values (10, 0.5, 'z')")
        self.postgres(command="insert into gen (a, b, e) values (10, 0.5, 'z')")
        gen_after, _ = self.basket(command=gen_query)
        gen_pg, _ = self.postgres(command=gen_query)
        self.assertEqual(gen_after, gen_pg)
        self.assertNotEqual(gen_after, gen_before)
        self.assertIn("recovered", self.server.log())

    def test_2_unsupported_statements_answer_0A000(self):
        for sql in UNSUPPORTED:
            with self.subTest(sql=sql):
                theirs, tr = self.postgres(command=sql)
                self.assertEqual(tr.returncode, 0, tr.stderr)
                mine, mr = self.basket(command=sql)
                self.assertIn("ERROR:  0A000:", mr.stderr)

    def test_3_create_if_not_exists_and_duplicate(self):
        for sql, ok in [("create table dup (a int)", True),
                        ("create table if not exists dup (b text)", True),
                        ("create table dup (c int)", False)]:
            with self.subTest(sql=sql):
                mine, mr = self.basket(command=sql)
                theirs, tr = self.postgres(command=sql)
                self.assertEqual(mr.returncode == 0, ok, mr.stderr)
                self.assertEqual(tr.returncode == 0, ok, tr.stderr)
        mine, _ = self.basket(command="insert into dup values (1)")
        self.assertIn("INSERT 0 1", mine)

    def test_4_failed_insert_leaves_nothing(self):
        self.basket(command="create table atomic (a int not null, b varchar(2))")
        # The third row fails: none of the three may appear, on Basket as on PostgreSQL.
        _, r = self.basket(command="insert into atomic values (1, 'a'), (2, 'b'), (null, 'c')")
        self.assertIn("23502", r.stderr)
        _, r = self.basket(command="insert into atomic select 5, 'toolong'")
        self.assertIn("22001", r.stderr)
        rows, _ = self.basket(command="select count(*) from atomic")
        self.assertIn("     0", rows)


if __name__ == "__main__":
    BASKETD = sys.argv.pop(1)
    unittest.main()
