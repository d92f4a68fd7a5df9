# SPDX-License-Identifier: Apache-2.0
"""The extended query protocol through real clients, against a private PostgreSQL 15 on the
same rows: basketd must answer exactly as PostgreSQL does.

  - psycopg 3: every type Basket serves, text and binary results (conn.cursor(binary=True)),
    with and without server-side prepared statements (prepare=True), and server-side
    parameters in text (%t), binary (%b) and automatic (%s) formats. Values are compared as
    the raw bytes each server sent, not as decoded Python objects.
  - Raw protocol conversations (pgwire.py): named and unnamed statements and portals, row
    limits and PortalSuspended, Describe, Close, errors and the skip until Sync, malformed
    messages, binary parameters of every type: the decoded message sequences must be equal.
  - pgbench -M simple, -M extended and -M prepared on a custom script.
  - The message flow of Npgsql 4.0 (Power BI): a three-statement command in one write, and
    its type-loading command, which Basket cannot run yet (no catalogs) and must refuse with
    one ErrorResponse and one ReadyForQuery; the pool reset (DISCARD ALL) in the same write
    as the next batch.

Usage: test_clients_extended.py BASKETD BASKET_GEN
"""

import datetime
import decimal
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))

import psycopg  # noqa: E402
from psycopg.adapt import Loader  # noqa: E402
from psycopg.pq import Format  # noqa: E402

from basket_server import BasketServer  # noqa: E402
from pg_oracle import PgOracle  # noqa: E402
from pgwire import (WireConn, bind, close, describe, execute, flush, msg, parse,  # noqa: E402
                    query, render, sync)

BASKETD = None
BASKET_GEN = None
ROWS = 3000

SCHEMA = """
create table transactions (
    invoice_no text not null, stock_code text not null, description text,
    quantity integer not null, invoice_date timestamp not null, unit_price numeric not null,
    customer_id integer, country text not null, revenue numeric not null,
    is_cancellation boolean not null);
"""


# ---- psycopg with raw values ---------------------------------------------------------------

class RawText(Loader):
    format = Format.TEXT

    def load(self, data):
        return ("text", bytes(data))


class RawBinary(Loader):
    format = Format.BINARY

    def load(self, data):
        return ("binary", bytes(data))


# Every type OID Basket puts in a RowDescription.
OIDS = [16, 18, 19, 20, 21, 23, 24, 25, 26, 700, 701, 1042, 1043, 1082, 1114, 1184, 1186, 1700,
        2205, 2206]


def raw_values(conn):
    for oid in OIDS:
        conn.adapters.register_loader(oid, RawText)
        conn.adapters.register_loader(oid, RawBinary)
    return conn


ORDER = (" order by invoice_no, stock_code, quantity, unit_price, invoice_date,"
         " description nulls first")

# Every type, from table columns and from literals.
TYPE_QUERIES = [
    "select quantity::int2 as q2, quantity as q4, quantity::int8 as q8, is_cancellation as b "
    "from transactions" + ORDER + " limit 60",
    "select unit_price::float4 as f4, unit_price::float8 as f8, unit_price as num, revenue, "
    "unit_price * 3 / 7 as div from transactions" + ORDER + " limit 60",
    "select description as txt, description::varchar as vc, country::name as nm, "
    "stock_code::bpchar as bp, invoice_no::varchar(3) as v3 from transactions" + ORDER +
    " limit 60",
    "select customer_id::oid as o, invoice_date::date as d, invoice_date as ts, "
    "invoice_date::timestamptz as tstz from transactions" + ORDER + " limit 60",
    "select '1 day 02:00'::interval as i, '-1 year -2 mons 3 days 04:05:06.789'::interval as i2, "
    "null::int4 as n, 1.5::float4 as f, 'NaN'::float8 as nan, '-0'::float8 as mz, "
    "'Infinity'::float4 as inf, 0.00::numeric as z, -0.00001::numeric as small, "
    "123456789012345678901234567890.12345678 as big, 'h\u00e9llo \U0001F600'::text as utf8, "
    "'1999-12-31'::date as before_epoch, '1066-10-14 12:00'::timestamp as old, "
    "true as t, false as f2",
    "select country, count(*), sum(quantity), sum(revenue), avg(unit_price), "
    "min(invoice_date), max(description) from transactions group by country order by country",
    "select avg(quantity), min(unit_price::float4), max(customer_id), count(customer_id) "
    "from transactions",
    "select quantity, count(*) from transactions where quantity < 0 group by quantity "
    "order by quantity",
]

D = decimal.Decimal

# (query with {p} for each parameter, parameter values)
PARAM_QUERIES = [
    ("select count(*), sum(quantity) from transactions where quantity > {p}", [10]),
    ("select invoice_no, quantity, unit_price from transactions where country = {p} and "
     "quantity between {p} and {p}" + ORDER + " limit 20", ["France", 5, 12]),
    ("select {p}::int2, {p}::int4, {p}::int8", [7, -70000, 2 ** 40]),
    ("select {p}, {p}, {p}", [7, -70000, 2 ** 40]),
    ("select {p}::numeric, {p} + 1", [D("12345.678"), D("-0.00001")]),
    ("select {p}::float8, {p}::float4", [1.25, 2.5]),
    ("select {p}::text, {p}::varchar, {p}::name", ["h\u00e9llo", "x", "nm"]),
    ("select {p}::bool, {p}::bool", [True, False]),
    ("select {p}::date, {p}::timestamp, {p}::timestamptz",
     [datetime.date(2011, 12, 9), datetime.datetime(2011, 12, 9, 8, 26, 0, 500000),
      datetime.datetime(2011, 12, 9, 8, 26, tzinfo=datetime.timezone.utc)]),
    ("select {p}::interval", [datetime.timedelta(days=3, seconds=4, microseconds=7)]),
    ("select {p}::int4 is null, {p}::text", [None, None]),
    ("select count(*) from transactions where invoice_date >= {p} and customer_id = {p}",
     [datetime.datetime(2011, 1, 1), 12583]),
    ("select sum(revenue) from transactions where unit_price > {p}", [D("2.5")]),
    ("select description from transactions where stock_code like {p}" + ORDER + " limit 5",
     ["22%"]),
]


def fetch(conn, sql, params=None, binary=False, prepare=False):
    cur = conn.cursor(binary=binary)
    try:
        cur.execute(sql, params, prepare=prepare)
        desc = [(d.name, d.type_code, d.internal_size) for d in cur.description]
        return desc, cur.fetchall()
    except psycopg.Error as e:
        return ("error", e.sqlstate, e.diag.message_primary)


# ---- raw conversations ---------------------------------------------------------------------

def num(ndigits, weight, sign, dscale, digits):
    return struct.pack("!HhHH", ndigits, weight, sign, dscale) + b"".join(
        struct.pack("!h", d) for d in digits)


TX_ROWS = ("select invoice_no, quantity, unit_price, invoice_date from transactions "
           "where quantity between 2 and 4" + ORDER + " limit 7")
LONG = "a" * 63

# Conversations each server must answer identically (each ends in Sync or a Query). A tuple
# gives the number of ReadyForQuery to wait for when a Query is skipped after an error.
CONVERSATIONS = {
    "unnamed flow": parse("", "select $1::int4 + 1, $2") + describe("S", "") +
    bind("", "", params=["5", "x"]) + describe("P", "") + execute("") + sync(),
    "row limit": parse("s1", TX_ROWS) + bind("p1", "s1") + execute("p1", 3) + execute("p1", 3) +
    execute("p1", 3) + execute("p1", 3) + sync() + execute("p1") + sync(),
    "exact row limit": parse("", TX_ROWS) + bind("", "") + execute("", 7) + execute("", 7) + sync(),
    "binary row limit": parse("", TX_ROWS) + bind("", "", rformats=[1]) + execute("", 2) +
    describe("P", "") + execute("", 0) + sync(),
    "mixed formats": parse("", TX_ROWS) + bind("", "", rformats=[1, 0, 1, 0]) +
    describe("P", "") + execute("") + sync(),
    "describe statements": parse("a", "select $1 + $2", [0, 23]) + describe("S", "a") +
    parse("b", "select $1", [23, 25, 16]) + describe("S", "b") +
    parse("c", "select quantity from transactions where quantity > $1 and country = $2") +
    describe("S", "c") + parse("d", "show DateStyle") + describe("S", "d") +
    parse("e", "set DateStyle = 'ISO'") + describe("S", "e") + sync(),
    "empty query": parse("", "") + bind("", "") + describe("S", "") + describe("P", "") +
    execute("") + execute("") + parse("", " ; ") + bind("", "") + execute("") + sync(),
    "utility once": parse("", "set extra_float_digits = 2") + bind("", "") + describe("P", "") +
    execute("", 1) + sync() + parse("", "show DateStyle") + bind("", "") + execute("", 1) +
    execute("", 1) + execute("") + sync(),
    "lifetimes": parse("", "select 21") + bind("", "") + parse("", "select 22") + execute("") +
    bind("", "") + execute("") + parse("q", "select 11") + bind("qp", "q") + close("S", "q") +
    execute("qp") + describe("P", "qp") + sync() + describe("S", "q") + sync() +
    close("S", "nope") + close("P", "nope") + sync(),
    "missing objects": describe("S", "nos") + sync() + describe("P", "nop") + sync() +
    execute("nop") + sync() + bind("", "nos") + sync() + close("S", "") + bind("", "") + sync() +
    describe("S", "") + sync() + execute("") + sync(),
    "duplicates": parse("s", "select 1") + parse("s", "select 2") + sync() +
    parse("s", "selec") + sync() + bind("pp", "s") + bind("pp", "s") + sync() +
    bind("", "s") + bind("", "s") + execute("") + sync() + close("S", "s") + sync(),
    "long names": parse(LONG + "XYZ", "select 1") + parse(LONG + "QQ", "select 2") + sync() +
    bind("", LONG + "QQQQ") + execute("") + describe("S", LONG) + bind(LONG + "P1", LONG) +
    execute(LONG + "P2") + bind(LONG + "P3", LONG) + sync() + close("S", LONG + "ZZ") +
    describe("S", LONG) + sync(),
    "errors skip to sync": (parse("", "select 1") + bind("", "nosuch") + execute("") +
                            parse("", "select 2") + query("select 3") + flush() + sync() +
                            parse("", "select 4") + bind("", "") + execute("") + sync(), 2),
    "query inside a sequence": parse("", "select 1") + parse("n1", "select 2") + bind("", "") +
    bind("np", "n1") + query("select 5") + execute("") + sync() + execute("np") + sync() +
    bind("", "") + sync() + bind("", "n1") + execute("") + sync() + close("S", "n1") + sync(),
    "set coalesced before a batch": query("SET application_name = 'pool'") +
    parse("", TX_ROWS) + bind("", "", rformats=[1]) + describe("P", "") + execute("") + sync(),
    "multiple commands": parse("", "select 1; select 2") + sync(),
    "bind errors": parse("p2", "select $1::int") + sync() +
    bind("", "p2", params=[]) + sync() +
    bind("", "p2", params=["1", "2"]) + sync() +
    bind("", "p2", pformats=[0, 0], params=["1"]) + sync() +
    bind("", "p2", pformats=[2], params=["1"]) + sync() +
    bind("", "p2", pformats=[1], params=[b"\0\0\x05"]) + sync() +
    bind("", "p2", pformats=[1], params=[b"\0\0\0\0\x05"]) + sync() +
    bind("", "p2", params=["abc"]) + sync() +
    bind("", "p2", params=[b"1\xff"]) + sync() +
    bind("", "p2", params=["1"], rformats=[0, 1]) + sync() +
    bind("", "p2", params=["1"], rformats=[2]) + describe("P", "") + execute("") + sync() +
    msg("B", b"\0p2\0\0\0\0\x01\0\0\0\x011\0\0XX") + sync() +
    msg("B", b"\0p2\0\0\0\0\x01\0\0") + sync() +
    msg("B", b"\0p2\0\0\0\0\x01\xff\xff\xff\xfe\0\0") + sync() +
    bind("", "p2", pformats=[1], params=[b"\0\0\0\x05"]) + execute("") + sync(),
    "parse and other message errors": msg("P", b"\0select 1\0\0\0XX") + sync() +
    msg("P", b"\0select 1\0\xff\xff") + sync() + msg("P", b"\0select 1") + sync() +
    parse("", b"select '\xe2\x82'") + sync() + parse(b"\xff", "select 1") + sync() +
    msg("D", b"Xfoo\0") + sync() + msg("C", b"Xfoo\0") + sync() + msg("D", b"") + sync() +
    msg("E", b"\0\0\0\0\0x") + sync() + msg("S", b"x") + msg("H", b"x") + sync() +
    query("select 1"),
    "binary parameters": parse("all", "select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                                      "$12, $13, $14, $15, $16, $17",
                               [16, 21, 23, 20, 700, 701, 1700, 25, 1043, 1042, 19, 26, 1082,
                                1114, 1184, 1186, 23]) + describe("S", "all") +
    bind("", "all", pformats=[1], params=[
        b"\x01", b"\x00\x01", b"\xff\xff\xff\xfe", b"\0" * 7 + b"\x03", struct.pack("!f", 1.5),
        struct.pack("!d", -0.0), num(3, 1, 0, 3, [1, 2345, 6780]), "h\u00e9llo", "ab", "xy ",
        "nm", struct.pack("!I", 4000000000), struct.pack("!i", 4360),
        bytes.fromhex("000156a34dbb7720"), bytes.fromhex("000156a1a08c8e00"),
        struct.pack("!qii", 1, 2, 3), None]) + execute("") + sync(),
    "binary numeric parameters": parse("n", "select $1::numeric") + sync() + b"".join(
        bind("", "n", pformats=[1], params=[v]) + execute("") + sync() for v in [
            num(3, 1, 0, 3, [1, 2345, 6780]), num(2, 0, 0, 1, [1, 5678]),
            num(1, -2, 0, 5, [1000]), num(2, 0, 0x4000, 2, [100, 1000]),
            num(2, 3, 0, 0, [0, 0]), num(1, -100, 0, 0, [1]), num(0, 0, 0, 2, []),
            num(1, 0, 0x1000, 0, [1]), num(1, 0, 0, 0, [10000]), num(1, 0, 0, 0, [-1]),
            num(1, 0, 0, 0x4000, [1]), num(2, 0, 0, 0, [1]), num(1, 0, 0, 0, [1, 2])]),
    "binary parameter edges": b"".join(
        parse("", "select $1", [oid]) + bind("", "", pformats=[1], params=[v]) + execute("") +
        sync() for oid, v in [
            (16, b"\x02"), (16, b""), (16, b"\x01\x01"), (21, b"\x01"), (20, b"\0\0\0\x01"),
            (701, bytes.fromhex("7ff0000000000000")), (700, b"\0" * 5), (26, b"\xff" * 4),
            (1186, b"\0" * 12), (1082, struct.pack("!i", 0x7FFFFFF0)),
            (1082, struct.pack("!i", -2451546)), (1082, struct.pack("!i", -2451545)),
            (1082, struct.pack("!i", 2145031948)), (1082, struct.pack("!i", 2145031949)),
            (1114, struct.pack("!q", -211813488000000000)),
            (1114, struct.pack("!q", -211813488000000001)),
            (1184, struct.pack("!q", 9223371331200000000 - 1)),
            (1184, struct.pack("!q", 9223371331200000000)), (1114, struct.pack("!q", 2 ** 62)),
            (25, b"a\xff"), (25, b"a\0b"), (1043, b"\xe2\x82"), (25, b""), (19, b"x" * 64),
            (19, b"x" * 63), (18, b"xy"), (18, b""), (18, b"\0"), (18, b"x")]),
    "binary results of every type": parse(
        "", "select 0::numeric, 0.00::numeric, 1::numeric, -1::numeric, 10000::numeric, "
            "12345.678::numeric, 0.0001::numeric, 0.00001::numeric, 1e20::numeric, "
            "123456789012345678901234567890.12345678::numeric, -0.5::numeric, 100.10::numeric, "
            "1.000000::numeric, true, false, 1::int2, -2::int4, 3::int8, 1.5::float4, "
            "'-0'::float8, 'NaN'::float8, 'Infinity'::float4, 'abc'::text, 'ab'::varchar, "
            "'nm'::name, 26::oid, '2011-12-09'::date, '1999-12-31'::date, "
            "'2011-12-09 08:26:00.5'::timestamp, '2011-12-09 08:26:00+02'::timestamptz, "
            "'1 year 2 mons 3 days 04:05:06.7'::interval, '-1 day'::interval, null::int4") +
    bind("", "", rformats=[1]) + describe("P", "") + execute("") + bind("", "") + execute("") +
    sync(),
    "runtime error in execute": parse("", "select 1 / (quantity - quantity) from transactions") +
    bind("", "") + execute("") + execute("") + sync() + query("select 1"),
}


class ClientsExtended(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="basket-ext-")
        csv = os.path.join(cls.tmp, "rows.csv")
        subprocess.run([BASKET_GEN, "--rows", str(ROWS), "--seed", "11", "--out", csv],
                       check=True)
        cls.server = BasketServer(BASKETD, args=["--load", csv]).start()
        cls.pg = PgOracle().start()
        with cls.pg.connect() as conn:
            conn.execute(SCHEMA)
            conn.execute("create temp table raw (invoice_no text, stock_code text, "
                         "description text, quantity integer, invoice_date timestamp, "
                         "unit_price numeric, customer_id numeric, country text)")
            with open(csv, "rb") as f, conn.cursor().copy(
                    "copy raw from stdin with (format csv, header true)") as cp:
                cp.write(f.read())
            conn.execute("insert into transactions select invoice_no, stock_code, description, "
                         "quantity, invoice_date, unit_price, customer_id::integer, country, "
                         "quantity * unit_price, invoice_no like 'C%' from raw")
        cls.basket_info = f"host=127.0.0.1 port={cls.server.port} user=basket dbname=basket"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.pg.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def connections(self):
        pg = raw_values(self.pg.connect())
        bk = raw_values(psycopg.connect(self.basket_info, autocommit=True))
        return pg, bk

    def wire(self):
        pg = WireConn.unix(self.pg.dir, self.pg.port, "postgres", "postgres")
        bk = WireConn.tcp("127.0.0.1", self.server.port, "basket", "basket")
        return pg, bk

    # ---- psycopg ------------------------------------------------------------------------

    def test_psycopg_every_type_text_and_binary(self):
        pg, bk = self.connections()
        with pg, bk:
            for sql in TYPE_QUERIES:
                for binary in (False, True):
                    for prepare in (False, True):
                        with self.subTest(sql=sql, binary=binary, prepare=prepare):
                            want = fetch(pg, sql, binary=binary, prepare=prepare)
                            got = fetch(bk, sql, binary=binary, prepare=prepare)
                            self.assertNotEqual(want[0], "error", want)
                            self.assertEqual(got, want)

    def test_psycopg_server_side_parameters(self):
        pg, bk = self.connections()
        with pg, bk:
            for sql, params in PARAM_QUERIES:
                for fmt in ("%s", "%t", "%b"):
                    q = sql.replace("{p}", fmt)
                    for binary in (False, True):
                        for prepare in (False, True):
                            with self.subTest(sql=q, binary=binary, prepare=prepare):
                                want = fetch(pg, q, params, binary, prepare)
                                got = fetch(bk, q, params, binary, prepare)
                                self.assertNotEqual(want[0], "error", want)
                                self.assertEqual(got, want)

    def test_psycopg_parameter_errors(self):
        cases = [
            ("select %t::int4", ["abc"]),
            ("select %t::int2", ["70000"]),
            ("select %t::date", ["2011-13-45"]),
            ("select %t::numeric", ["1.2.3"]),
            ("select %b::int4 + 2147483647", [1]),
        ]
        pg, bk = self.connections()
        with pg, bk:
            for sql, params in cases:
                for prepare in (False, True):
                    with self.subTest(sql=sql, prepare=prepare):
                        want = fetch(pg, sql, params, prepare=prepare)
                        got = fetch(bk, sql, params, prepare=prepare)
                        self.assertEqual(want[0], "error")
                        self.assertEqual(got, want)
            # Both sessions carry on.
            self.assertEqual(fetch(bk, "select %s::int4", [3])[1], [(("text", b"3"),)])

    def test_psycopg_prepared_statements_are_reused(self):
        # psycopg prepares a statement on the server after it ran it a few times; the named
        # statement then serves every later execution.
        with psycopg.connect(self.basket_info, autocommit=True, prepare_threshold=2) as conn:
            for i in range(10):
                cur = conn.execute("select count(*) from transactions where quantity > %s", [i])
                self.assertIsInstance(cur.fetchone()[0], int)
            cur = conn.cursor(binary=True)
            for i in range(10):
                cur.execute("select sum(revenue), max(invoice_date) from transactions "
                            "where quantity > %b", [i])
                total, last = cur.fetchone()
                self.assertIsInstance(total, decimal.Decimal)
                self.assertIsInstance(last, datetime.datetime)

    # ---- raw conversations ---------------------------------------------------------------

    def test_raw_conversations_match_postgresql(self):
        pg, bk = self.wire()
        try:
            for name, data in CONVERSATIONS.items():
                n_ready = None
                if isinstance(data, tuple):
                    data, n_ready = data
                with self.subTest(conversation=name):
                    want = render(pg.roundtrip(data, n_ready))
                    got = render(bk.roundtrip(data, n_ready))
                    self.assertEqual(got, want)
        finally:
            pg.close()
            bk.close()

    def test_raw_message_bytes_are_postgresqls(self):
        # Beyond the decoded form: the same bytes, RowDescription's table OIDs aside.
        data = (parse("", "select $1::int4 * 2, $2::text, $3::numeric", [0, 25, 0]) +
                describe("S", "") + bind("", "", pformats=[1, 0, 0],
                                         params=[b"\0\0\0\x15", "x", "-1.50"], rformats=[1]) +
                describe("P", "") + execute("", 0) + close("P", "") + close("S", "") + sync())
        pg, bk = self.wire()
        try:
            want = pg.roundtrip(data)
            got = bk.roundtrip(data)
        finally:
            pg.close()
            bk.close()
        self.assertEqual([t for t, _ in got], [t for t, _ in want])
        self.assertEqual(got, want)

    # ---- pgbench ---------------------------------------------------------------------------

    def test_pgbench_modes(self):
        script = os.path.join(self.tmp, "select.sql")
        with open(script, "w") as f:
            f.write("\\set q random(1, 50)\n"
                    "SELECT count(*) FROM transactions WHERE quantity > :q;\n")
        for mode in ("simple", "extended", "prepared"):
            with self.subTest(mode=mode):
                r = subprocess.run(
                    ["pgbench", "-n", "-f", script, "-M", mode, "-c", "4", "-j", "2", "-t",
                     "250", "-h", "127.0.0.1", "-p", str(self.server.port), "-U", "basket",
                     "basket"], capture_output=True, text=True, timeout=300)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("number of transactions actually processed: 1000/1000", r.stdout)
                self.assertIn("number of failed transactions: 0 ", r.stdout)

    # ---- Npgsql (Power BI) ---------------------------------------------------------------

    def test_npgsql_command_answers_in_postgresqls_order(self):
        # Npgsql 4.0: per statement Parse (unnamed), Bind (one result format code: binary),
        # Describe (portal), Execute; one Sync for the command.
        sqls = [TX_ROWS, "set extra_float_digits = 3",
                "select country, sum(revenue), avg(unit_price), max(invoice_date) "
                "from transactions group by country order by country"]
        data = b"".join(parse("", s) + bind("", "", rformats=[1]) + describe("P", "") +
                        execute("") for s in sqls) + sync()
        pg, bk = self.wire()
        try:
            want = render(pg.roundtrip(data))
            got = render(bk.roundtrip(data))
        finally:
            pg.close()
            bk.close()
        self.assertEqual(got, want)
        kinds = [line.split(" ")[0] for line in got.splitlines()]
        self.assertEqual(kinds[:3], ["1", "2", "T"])
        self.assertEqual(kinds[-1], "Z")

    def test_npgsql_type_loading_is_refused_in_order(self):
        # The catalogs it reads do not exist yet: one ErrorResponse (0A000) for the first
        # statement, the rest skipped up to the Sync, one ReadyForQuery. Npgsql reports the
        # error instead of hanging or misreading the stream.
        with open(os.path.join(HERE, "npgsql-4.0-type-loading.json")) as f:
            statements = json.load(f)["statements"][:3]
        data = b"".join(parse("", s["sql"]) + bind("", "", rformats=[0]) + describe("P", "") +
                        execute("") for s in statements) + sync()
        pg, bk = self.wire()
        try:
            want = pg.roundtrip(data)
            got = bk.roundtrip(data)
            # The session is usable afterwards.
            after = render(bk.roundtrip(parse("", "select 1") + bind("", "") + execute("") +
                                        sync()))
        finally:
            pg.close()
            bk.close()
        kinds = [t for t, _ in want]
        self.assertEqual(kinds[:3], ["1", "2", "T"])
        self.assertEqual(kinds.count("C"), 3)
        self.assertEqual(kinds[-1], "Z")
        self.assertEqual([t for t, _ in got], ["E", "Z"])
        self.assertRegex(render(got[:1]), r"^E ERROR ERROR 0A000 ")
        self.assertEqual(after, "1\n2\nD 31\nC SELECT 1\nZ I")

    def test_npgsql_pool_reset_before_a_batch(self):
        # DISCARD ALL as a simple Query in the same write as the next batch: CommandComplete
        # and ReadyForQuery for it, then the batch; prepared statements are gone after it.
        data = (parse("kept", "select 1") + sync() + query("DISCARD ALL") + parse("", TX_ROWS) +
                bind("", "", rformats=[1]) + describe("P", "") + execute("") + sync() +
                describe("S", "kept") + sync())
        pg, bk = self.wire()
        try:
            probe = bk.roundtrip(query("DISCARD ALL"))
            if probe[0][0] == "E" and b"0A000" in probe[0][1]:
                self.skipTest("DISCARD ALL is not implemented yet (0A000)")
            want = render(pg.roundtrip(data))
            got = render(bk.roundtrip(data))
        finally:
            pg.close()
            bk.close()
        self.assertEqual(got, want)


if __name__ == "__main__":
    BASKETD, BASKET_GEN = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
