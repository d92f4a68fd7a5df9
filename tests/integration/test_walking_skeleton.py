# SPDX-License-Identifier: Apache-2.0
"""The walking skeleton through the real psql binary: basketd on the built-in sample answers
the foundation queries exactly as PostgreSQL 15 does on the same rows, reports errors with
PostgreSQL's SQLSTATE, message and cursor, survives them, refuses a busy port with one clear
line, and serves 200 psql sessions connected at once.

Usage: test_walking_skeleton.py BASKETD BASKET_GEN
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from basket_server import BasketServer  # noqa: E402
from pg_oracle import PgOracle  # noqa: E402

BASKETD = None
BASKET_GEN = None

SCHEMA = """
create table transactions (
    invoice_no text not null, stock_code text not null, description text,
    quantity integer not null, invoice_date timestamp not null, unit_price numeric not null,
    customer_id integer, country text not null, revenue numeric not null,
    is_cancellation boolean not null);
"""

# Each query is run on both servers; outputs (psql unaligned, with headers) must be identical.
QUERIES = [
    "select 1",
    "select count(*) from transactions",
    "select sum(quantity), min(invoice_date), max(invoice_date) from transactions",
    "select country, count(*) from transactions group by country order by 2 desc limit 5",
    "select country, count(*) as n, sum(revenue) as revenue, avg(unit_price), "
    "min(description), max(customer_id) from transactions group by country "
    "order by revenue desc, country",
    "select invoice_no, stock_code, description, quantity, invoice_date, unit_price, "
    "customer_id, country, revenue, is_cancellation from transactions "
    "order by invoice_date, invoice_no, stock_code, quantity, unit_price limit 20",
    "select count(*), count(customer_id), count(description) from transactions "
    "where customer_id is null or description is null",
    "select is_cancellation, count(*), sum(quantity), sum(revenue) from transactions "
    "group by is_cancellation order by 1",
    "select quantity * 2 + 1 as q, unit_price / 3 as third, revenue - unit_price "
    "from transactions where country = 'France' and quantity between 10 and 12 "
    "order by invoice_date, stock_code, q, third limit 10",
    "select count(*) from transactions where stock_code like '22%' and country <> 'United Kingdom'",
    "select case when quantity < 0 then 'return' when quantity > 100 then 'bulk' "
    "else 'normal' end as kind, count(*) from transactions group by 1 order by 1",
    "select coalesce(customer_id, -1) as c, count(*) from transactions group by 1 "
    "order by 2 desc, 1 limit 3",
    "select 'abc' || 1, 1.5 + 2, 10 / 4, 10.0 / 4, 7 % 3, -5 + 2",
    "select 0.1::float8 + 0.2, 1e15::float8, 1.5e-7::float8, '2011-01-01'::date, "
    "'2011-01-01 10:00'::timestamp, true, null::int",
    "select lower(country), upper(description), length(stock_code) from transactions "
    "order by invoice_date, invoice_no, stock_code, quantity limit 5",
]

# WHERE clauses storage evaluates itself (predicate pushdown, zone maps): each runs also with
# both optimisations off, and all three answers must equal PostgreSQL's.
PUSHDOWN_QUERIES = [
    "select count(*), sum(quantity) from transactions where quantity > 10",
    "select count(*) from transactions where quantity <> 1 and quantity <= 3",
    "select count(*), sum(revenue) from transactions where unit_price > 2.5",
    "select count(*) from transactions where unit_price between 1 and 2.125",
    "select count(*) from transactions where revenue = 15.30 or revenue = 0",
    "select count(*) from transactions where country in ('France', 'Germany', 'Nowhere')",
    "select count(*) from transactions where country not in ('United Kingdom', 'EIRE')",
    "select count(*) from transactions where country < 'F' and country >= 'B'",
    "select count(*) from transactions where description like 'WHITE%'",
    "select count(*) from transactions where description not like 'W%'",
    "select count(*) from transactions where customer_id is null",
    "select count(*), min(customer_id) from transactions where customer_id is not null "
    "and customer_id between 13000 and 14000",
    "select count(*) from transactions where invoice_date >= '2011-06-01' "
    "and invoice_date < '2011-07-01 00:00'",
    "select count(*) from transactions where is_cancellation = true",
    "select country, count(*) from transactions where stock_code = 'POST' group by country "
    "order by 2 desc, 1 limit 5",
    "select invoice_no, quantity from transactions where customer_id = 14688 "
    "order by invoice_date, invoice_no, stock_code, quantity limit 5",
    "select count(*) from transactions where quantity > 1000000",
    "select count(*) from transactions where 5 < quantity and 'France' = country",
]

ERRORS = [
    ("selec 1", "42601"),
    ("select 'abc'::int4", "22P02"),
    ("select foo from transactions", "42703"),
    ("select * from nosuch", "42P01"),
    ("select 1/0", "22012"),
    ("select nosuchfn(1)", "42883"),
    ("select country, count(*) from transactions", "42803"),
    ("select 2147483647 + 1", "22003"),
    ("select count(*) from transactions where sum(quantity) > 1", "42803"),
]


def psql(port, sql, host="127.0.0.1", user="basket", db="basket", extra=()):
    cmd = ["psql", "-X", "-A", "-q", "-h", host, "-p", str(port), "-U", user, "-d", db,
           "-v", "VERBOSITY=verbose"] + list(extra) + ["-c", sql]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class WalkingSkeleton(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="basket-skel-")
        csv = os.path.join(cls.tmp, "sample.csv")
        subprocess.run([BASKET_GEN, "--rows", "541909", "--seed", "42", "--out", csv],
                       check=True)
        cls.server = BasketServer(BASKETD, args=["--sample"]).start()
        cls.pg = PgOracle().start()
        with cls.pg.connect() as conn:
            conn.execute(SCHEMA)
            # The generator's CSV is the UCI layout; derive revenue and is_cancellation the
            # way DESIGN.md defines them.
            conn.execute("create temp table raw (invoice_no text, stock_code text, "
                         "description text, quantity integer, invoice_date timestamp, "
                         "unit_price numeric, customer_id numeric, country text)")
            with open(csv, "rb") as f, conn.cursor().copy(
                    "copy raw from stdin with (format csv, header true)") as cp:
                while chunk := f.read(1 << 20):
                    cp.write(chunk)
            conn.execute("insert into transactions select invoice_no, stock_code, description, "
                         "quantity, invoice_date, unit_price, customer_id::integer, country, "
                         "quantity * unit_price, invoice_no like 'C%' from raw")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.pg.stop()
        subprocess.run(["rm", "-rf", cls.tmp])

    def test_sample_has_541909_rows(self):
        r = psql(self.server.port, "select count(*) from transactions", extra=["-t"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "541909")

    def test_queries_match_postgresql(self):
        for q in QUERIES:
            with self.subTest(q=q):
                mine = psql(self.server.port, q)
                theirs = psql(self.pg.port, q, host=self.pg.host, user="postgres", db="postgres")
                self.assertEqual(theirs.returncode, 0, theirs.stderr)
                self.assertEqual(mine.returncode, 0, mine.stderr)
                self.assertEqual(mine.stdout, theirs.stdout)

    def test_pushdown_matches_postgresql_with_and_without_optimisations(self):
        # The switches exist (a dotted name would otherwise be accepted as a custom setting).
        r = psql(self.server.port, "show basket.pushdown", extra=["-t", "-c",
                                                                   "set basket.pushdown = off"])
        self.assertEqual(r.stdout.strip(), "off", r.stderr)
        r = psql(self.server.port, "show basket.zone_maps", extra=["-t"])
        self.assertEqual(r.stdout.strip(), "on", r.stderr)
        for q in PUSHDOWN_QUERIES:
            with self.subTest(q=q):
                theirs = psql(self.pg.port, q, host=self.pg.host, user="postgres", db="postgres")
                self.assertEqual(theirs.returncode, 0, theirs.stderr)
                for settings in ([], ["set basket.pushdown = off"], ["set basket.zone_maps = off"]):
                    extra = []
                    for st in settings:
                        extra += ["-c", st]
                    mine = psql(self.server.port, q, extra=extra)
                    self.assertEqual(mine.returncode, 0, mine.stderr)
                    self.assertEqual(mine.stdout, theirs.stdout, settings)

    def test_errors_match_postgresql(self):
        for q, code in ERRORS:
            with self.subTest(q=q):
                mine = psql(self.server.port, q)
                theirs = psql(self.pg.port, q, host=self.pg.host, user="postgres", db="postgres")
                self.assertNotEqual(mine.returncode, 0)
                self.assertIn(f"ERROR:  {code}:", theirs.stderr)
                # Same SQLSTATE, message and cursor (psql's LINE/caret lines); PostgreSQL's
                # LOCATION line names its own source files, so it is left out.
                strip = lambda s: [l for l in s.splitlines() if not l.startswith("LOCATION:")]
                self.assertEqual(strip(mine.stderr), strip(theirs.stderr))

    def test_syntax_error_then_same_connection_answers(self):
        r = subprocess.run(["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p",
                            str(self.server.port), "-U", "basket", "-c", "selec 1", "-c",
                            "select 1"], capture_output=True, text=True, timeout=60)
        self.assertIn('ERROR:  syntax error at or near "selec"', r.stderr)
        self.assertEqual(r.stdout.strip(), "1")

    def test_postgres_database_reaches_basket_and_others_are_refused(self):
        r = psql(self.server.port, "select 1", db="postgres", extra=["-t"])
        self.assertEqual(r.stdout.strip(), "1", r.stderr)
        r = psql(self.server.port, "select 1", db="nosuchdb")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('FATAL:  database "nosuchdb" does not exist', r.stderr)

    def test_second_server_on_busy_port_exits_with_one_line(self):
        data = tempfile.mkdtemp(prefix="basket-busy-")
        try:
            r = subprocess.run([BASKETD, "--port", str(self.server.port), "--data-dir",
                                os.path.join(data, "d")], capture_output=True, text=True,
                               timeout=60)
        finally:
            subprocess.run(["rm", "-rf", data])
        self.assertNotEqual(r.returncode, 0)
        lines = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("could not bind", lines[0])
        self.assertIn("Address already in use", lines[0])

    def test_200_psql_sessions_at_once(self):
        procs = []
        errors = {}
        try:
            for _ in range(200):
                p = subprocess.Popen(["psql", "-X", "-A", "-t", "-q", "-h", "127.0.0.1", "-p",
                                      str(self.server.port), "-U", "basket"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
                procs.append(p)
            # Every session answers while all 200 are connected (stdin still open).
            for i, p in enumerate(procs):
                p.stdin.write(f"select {i} + 0;\n")
                p.stdin.flush()
            for i, p in enumerate(procs):
                self.assertEqual(p.stdout.readline().strip(), str(i))
            for p in procs:
                p.stdin.write("select count(*) from transactions;\n")
                p.stdin.flush()
            for p in procs:
                self.assertEqual(p.stdout.readline().strip(), "541909")
        finally:
            # communicate() closes stdin (psql then exits) and collects stderr.
            for i, p in enumerate(procs):
                _, err = p.communicate(timeout=60)
                if p.returncode != 0:
                    errors[i] = err
        self.assertEqual(errors, {})


if __name__ == "__main__":
    BASKETD, BASKET_GEN = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
