#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the seed corpora of tests/fuzz/corpus/<target>/ (files named seed-*).

Usage: gen_seeds.py [--clients DIR]

The seeds follow each target's input format (see the comment at the top of fuzz_<target>.c):
  startup   selector byte, then the connection's bytes
  messages  selector byte, high-water byte, then messages after a valid start-up
  csv       selector byte, options byte, then CSV text
  sql       SQL text
--clients names ../shared/clients: its plain SELECT statements become sql seeds (they are
copied into the corpus, so the tests never read that directory). Crash files (crash-*) found by
fuzzing are kept as they are; only seed-* files are rewritten.
"""
import argparse
import glob
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

SSL = 80877103
GSS = 80877104
CANCEL = 80877102


def be32(v):
    return struct.pack("!I", v & 0xFFFFFFFF)


def startup(params, version=0x00030000):
    body = be32(version)
    for k, v in params:
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return be32(len(body) + 4) + body


def code(c, length=8):
    return be32(length) + be32(c)


def msg(t, body=b""):
    return t.encode() + be32(len(body) + 4) + body


def query(sql):
    if isinstance(sql, str):
        sql = sql.encode()
    return msg("Q", sql + b"\0")


USER = [("user", "fuzz"), ("database", "basket")]


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def clear(target):
    for p in glob.glob(os.path.join(HERE, "corpus", target, "seed-*")):
        os.remove(p)


def startup_seeds():
    ok = startup(USER)
    seeds = {
        "valid": b"\x00" + ok,
        "valid-bytewise": b"\x80" + ok,
        "valid-random-chunks": b"\x17" + ok,
        "ssl-then-startup": b"\x00" + code(SSL) + ok,
        "gss-ssl-startup": b"\x05" + code(GSS) + code(SSL) + ok,
        "ssl-twice": b"\x00" + code(SSL) + code(SSL) + ok,
        "ssl-with-body": b"\x00" + code(SSL, 12) + be32(0),
        "ssl-then-plaintext-query": b"\x00" + code(SSL) + query("select 1"),
        "cancel": b"\x00" + code(CANCEL, 16) + be32(1234) + be32(0x5EC12E7),
        "cancel-short": b"\x00" + code(CANCEL, 12) + be32(1),
        "cancel-split": b"\x87" + code(CANCEL, 16) + be32(7) + be32(8),
        "v3.2-pq-options": b"\x00" + startup(USER + [("_pq_.foo", "1"), ("_pq_.bar", "")], 0x00030002),
        "v3.0-pq-option": b"\x00" + startup(USER + [("_pq_.x", "y")]),
        "v2.0": b"\x00" + startup(USER, 0x00020000),
        "v4.0": b"\x00" + startup(USER, 0x00040000),
        "v1234.0": b"\x00" + startup(USER, 0x04D20000),
        "no-user": b"\x00" + startup([("database", "basket")]),
        "empty-user": b"\x00" + startup([("user", ""), ("database", "basket")]),
        "unknown-db": b"\x00" + startup([("user", "fuzz"), ("database", "nope")]),
        "db-postgres": b"\x00" + startup([("user", "fuzz"), ("database", "postgres")]),
        "db-defaults-to-user": b"\x00" + startup([("user", "basket")]),
        "options": b"\x00" + startup(USER + [("options", "-c extra_float_digits=3 --statement-timeout=5s -cDateStyle=ISO,\\ DMY")]),
        "options-bad": b"\x00" + startup(USER + [("options", "-X")]),
        "options-no-value": b"\x00" + startup(USER + [("options", "-c datestyle")]),
        "params": b"\x00" + startup(USER + [("application_name", "psql"), ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"), ("TimeZone", "UTC"), ("extra_float_digits", "2")]),
        "param-unknown": b"\x00" + startup(USER + [("no_such", "1")]),
        "param-custom": b"\x00" + startup(USER + [("my.setting", "1")]),
        "param-bad-encoding": b"\x00" + startup(USER + [("client_encoding", "LATIN1")]),
        "replication": b"\x00" + startup(USER + [("replication", "database")]),
        "long-application-name": b"\x00" + startup(USER + [("application_name", "a" * 300)]),
        "len-0": b"\x00" + be32(0),
        "len-7": b"\x00" + be32(7) + b"\0\0\0",
        "len-10001": b"\x00" + be32(10001),
        "len-max": b"\x00" + be32(0xFFFFFFFF),
        "len-negative": b"\x00" + be32(0x80000000),
        "unterminated-value": b"\x00" + be32(14) + be32(0x00030000) + b"user\0x",
        "no-final-terminator": b"\x00" + be32(15) + be32(0x00030000) + b"user\0x\0",
        "truncated": b"\x00" + ok[:-5],
        "tls-client-hello": b"\x00" + bytes.fromhex("160301020001000001fc0303") + b"\xaa" * 32,
        "startup-query-terminate": b"\x00" + ok + query("select 1") + msg("X"),
        "startup-queries-chunked": b"\x0b" + ok + query("select k, y from t order by k") + query("show DateStyle") + query("selec"),
        "startup-bad-type": b"\x00" + ok + msg("z", b"abc"),
        "query-before-startup": b"\x00" + query("select 1"),
    }
    clear("startup")
    for name, data in seeds.items():
        write("startup", name, data)


def messages_seeds():
    def m(stream, selector=0, hw=0):
        return bytes([selector, hw]) + stream

    seeds = {
        "select-1": m(query("select 1")),
        "select-1-bytewise": m(query("select 1"), 0x80),
        "table": m(query("select k, x, y, z from t order by k")),
        "multi": m(query("select 1; select 'a' as b; select 2.50, null")),
        "multi-error": m(query("select 1; select nope; select 3")),
        "empty": m(query("") + query(";") + query("-- c")),
        "syntax-error": m(query("selec 1") + query("select 2")),
        "no-nul": m(msg("Q", b"select 1") + query("select 3")),
        "embedded-nul": m(msg("Q", b"select 1\0x\0")),
        "bad-utf8": m(query(b"select '\xff'") + query(b"select '\xed\xa0\x80'") + query("select 'h\u00e9'")),
        "unknown-type": m(msg("z", b"abc")),
        "unknown-type-header-only": m(b"z" + be32(1000)),
        "len-3": m(b"Q" + be32(3)),
        "len-huge": m(b"Q" + be32(0x7FFFFFFF)),
        "terminate": m(msg("X") + query("select 1")),
        "extended": m(msg("P", b"\0select 1\0\0\0") + msg("B", b"\0" * 10) + msg("D", b"P\0") + msg("E", b"\0\0\0\0\0") + msg("C", b"S\0") + msg("H") + msg("S") + query("select 1")),
        "extended-query-sync": m(msg("P", b"\0select 1\0\0\0") + query("select 1") + msg("S")),
        "fastpath": m(msg("F", b"\0" * 10) + msg("S")),
        "sync-flush-copy": m(msg("H") + msg("d", b"abc") + msg("c") + msg("f", b"x\0") + msg("S")),
        "big-backpressure": m(query("select id, s from big") + query("select 1"), 0, 1),
        "big-backpressure-chunked": m(query("select * from big where id < 3000 order by id desc") + query("select count(*) from big"), 0x21, 2),
        "set-show-reset": m(query("set application_name = 'x'") + query("show application_name") + query("SET DateStyle = 'ISO, DMY'") + query("reset all") + query("show datestyle")),
        "set-errors": m(query("set nope = 1") + query("set DateStyle = 'German'") + query("set server_version = '1'")),
        "set-same-twice": m(query("set application_name = 'a'") + query("set application_name = 'a'")),
        "transactions": m(query("select country, count(*), sum(revenue) from transactions group by country order by 2 desc limit 5")),
        "errors-runtime": m(query("select 10 / x from t") + query("select k from t limit -1") + query("select 2147483647 + k from t")),
        "case-coalesce": m(query("select k, case when x = 0 then 0 else 10 / x end, coalesce(y, 'none') from t order by k nulls first")),
        "coalesced-20": m(b"".join(query("select %d" % i) if i % 3 else query("select nope%d" % i) for i in range(20)), 0x13),
        "unsupported": m(query("insert into t values (1)") + query("select * from t join e using (k)") + query("begin")),
    }
    clear("messages")
    for name, data in seeds.items():
        write("messages", name, data)


def csv_seeds():
    torture = (b'id,"name",note\r\n'
               b'1,"Smith, J","said ""hi"""\r\n'
               b'2,,""\n'
               b'3,"multi\r\nline\nfield",x\r'
               b'4,"""","a,b"\r\n'
               b'\r\n'
               b'5,mid"dle,q"uote\n'
               b'6,end')
    retail = (b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
              b"536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
              b'536370,22728,"ALARM CLOCK BAKELIKE PINK, ""RED""",24,12/1/2010 8:45,3.75,12583.0,France\n'
              b"C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527.0,United Kingdom\n"
              b"536400,POST,,5,2010-12-31 23:59:00,1,,EIRE\n")
    seeds = {
        "torture": b"\x00\x00" + torture,
        "torture-bytewise": b"\x80\x00" + torture,
        "torture-chunks": b"\x2a\x00" + torture,
        "torture-small-fields": b"\x00\x20" + torture,
        "retail": b"\x00\x00" + retail,
        "retail-chunked": b"\x85\x00" + retail,
        "retail-bom-crlf": b"\x00\x00\xef\xbb\xbf" + retail.replace(b"\n", b"\r\n"),
        "cr-only": b"\x00\x00" + b'"a\rb",x\rnext\r',
        "empty-fields": b"\x00\x00" + b',"",\n\n""\n,,\n',
        "unterminated": b"\x00\x00" + b'ok\na,"bc\n',
        "unterminated-escape": b"\x00\x04" + b'"ab\\',
        "escape-backslash": b"\x00\x04" + b'"a\\"b","c\\\\d","e\\xf",g\\h\n"a""b"\n',
        "semicolon": b"\x00\x01" + b'a;"b;c";d,e\n',
        "tab": b"\x00\x02" + b'a\t"b\tc"\n',
        "pipe-single-quote": b"\x00\x0b" + b"a|'b|c'|'it''s'\n",
        "binary": b"\x00\x00" + b'a\0b,"\xff\x00"\n',
        "max-field-2": b"\x00\x10" + b"ab,cd\nabc\n",
        "max-field-64-long": b"\x00\x60" + b"x" * 100 + b"\n",
        "many-fields": b"\x00\x00" + b",".join(str(i).encode() for i in range(300)) + b"\n",
        "quote-closes-at-eof": b"\x00\x00" + b'"a,b"',
        "crlf-split": b"\x81\x00" + b"a\r\nb\r\n\r\nc",
    }
    clear("csv")
    for name, data in seeds.items():
        write("csv", name, data)


SQL = [
    "select 1",
    "select 1; select 2;; select 3",
    "",
    ";",
    "select k, x, y, z from t order by k",
    "select * from t where x > 1 or y = 'a' order by k",
    "select k from t where not (x > 1 and y = 'a') order by k",
    "select k, x = null, x is null, x is not null from t",
    "select k, case when x = 0 then 0 else 10 / x end from t where x is not null order by k",
    "select coalesce(x, -1), coalesce(y, 'none'), nullif(x, 0) from t",
    "select x, count(*) from t group by x order by x nulls first",
    "select y, count(*), sum(k), avg(z), min(y), max(z) from t group by y having count(*) > 1 order by y desc",
    "select count(*), sum(x), avg(x), min(y), max(z) from t where false",
    "select count(*), sum(z) from e",
    "select x from t order by x desc nulls last limit 2 offset 1",
    "select k from t limit -1",
    "select k from t offset -1",
    "select k from t limit null",
    "select k % 2 as m, sum(k) from t group by m order by m",
    "select x + 1 from t group by x + 1 order by 1",
    "select id, s from big where id % 1000 = 0 order by id desc",
    "select s, count(*), sum(id) from big group by s order by 1",
    "select count(*) from big where id between 100 and 200",
    "select country, count(*), sum(revenue), avg(unit_price) from transactions group by country order by 3 desc limit 10",
    "select invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country, revenue, is_cancellation from transactions order by invoice_date limit 20",
    "select count(*) from transactions where is_cancellation and customer_id is null",
    "select 'abc', 1::text, 1.5::float8, 1.0 / 3, -7, 2.50, null, true",
    "select lower(y), upper(y), length(y), char_length(y) from t",
    "select version(), current_database(), current_schema()",
    "select 1 / 0",
    "select 2147483647 + 1",
    "select 'abc'::int4",
    "select '2011-12-09'::date, '2011-12-09 12:50'::timestamp, '1 day 2 hours'::interval",
    "select 12345678901234567890123456789012345678::numeric * 10",
    "select nope from t",
    "select * from nope",
    "select nofunc(1)",
    "select x, count(*) from t",
    "select count(*) from t where count(*) > 1",
    "select sum(sum(x)) from t",
    "select y + 1 from t",
    "select k from t order by 5",
    "selec 1",
    "select 'abc",
    "select (((((((((((1)))))))))))",
    "select $1",
    "insert into t values (1)",
    "select * from t join e using (k)",
    "select (select 1)",
    "select 1 union select 2",
    "with w as (select 1) select * from w",
    "select distinct k from t",
    "set application_name = 'x'; show application_name; reset all; show DateStyle",
    "set DateStyle = 'ISO, DMY'; select '2011-12-09 12:50'::timestamp",
    "set extra_float_digits = 0; select 1.5::float8 / 3",
    "show all",
    "set time zone 'UTC'",
    "select k as \"Key\", \"y\" from public.t as \"T\" where \"T\".k < 3",
]


def sql_seeds(clients):
    clear("sql")
    for i, s in enumerate(SQL):
        write("sql", "%03d" % i, s.encode())
    if clients is None:
        return
    n = 0
    for fn in sorted(glob.glob(os.path.join(clients, "*.sql"))):
        base = os.path.splitext(os.path.basename(fn))[0]
        cur = []
        stmts = []
        for line in open(fn, encoding="utf-8"):
            line = line.rstrip("\n")
            if line.startswith("--"):
                if cur:
                    stmts.append("\n".join(cur))
                    cur = []
                continue
            if not cur and not line.strip():
                continue
            cur.append(line)
            if line.rstrip().endswith(";"):
                stmts.append("\n".join(cur))
                cur = []
        if cur:
            stmts.append("\n".join(cur))
        k = 0
        for s in stmts:
            s = s.strip().rstrip(";").strip()
            if not re.match(r"(?is)^select\b", s) or ":'" in s or ":\"" in s:
                continue
            if base == "schema":
                continue
            write("sql", "%s-%02d" % (base, k), s.encode())
            k += 1
            n += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", default=None)
    a = ap.parse_args()
    startup_seeds()
    messages_seeds()
    csv_seeds()
    sql_seeds(a.clients)


if __name__ == "__main__":
    main()
