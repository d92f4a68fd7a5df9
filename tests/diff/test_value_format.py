#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test of Basket's value parsers and formatters against PostgreSQL 15.

For every (type, input text) below, PostgreSQL's text-format answer to `SELECT '<text>'::<type>`
(the type's output function, as sent on the wire, with DateStyle ISO, IntervalStyle postgres,
TimeZone UTC, extra_float_digits 1) must equal Basket's bk_format_<type>(bk_parse_<type>(text)) byte for
byte; for inputs PostgreSQL rejects, Basket must give the same SQLSTATE and primary message.
The same holds for numeric + - * / (result scales).

Usage: test_value_format.py <path to value_tool>   (ctest passes it; label diff)
Exit 77 (skip) when PostgreSQL 15 or psycopg is not installed. BASKET_TEST_SEED seeds the
random values (default fixed; printed).

Inputs where Basket deliberately differs from PostgreSQL (documented limits) are listed in
KNOWN_LIMITS with the answer Basket must give instead; they are checked against that answer.
"""

import math
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

try:
    import psycopg
    from psycopg.adapt import Loader
    from pg_oracle import PgOracle
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e} (run with /usr/bin/python3; make deps installs python3-psycopg)")
    sys.exit(77)

if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
    print("SKIP: PostgreSQL 15 is not installed (make deps)")
    sys.exit(77)

SEED = int(os.environ.get("BASKET_TEST_SEED", "20261125"), 0)

# ---- the corpus ------------------------------------------------------------------------------

INTS = {
    "int2": ["0", "1", "-1", "32767", "-32768", "32768", "-32769", "+7", "-0", "0042",
             " 12 ", "\\t12\\n", "", " ", "abc", "12abc", "1.5", "1e3", "- 1", "--1", "+",
             "-", "99999999999999999999"],
    "int4": ["0", "2147483647", "-2147483648", "2147483648", "-2147483649", "abc",
             "99999999999", " -17 ", "+0", "00000000000000000000042", "4 2", "1,000", ""],
    "int8": ["0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
             "-9223372036854775809", "123456789012", " -1 ", "1e2", "x",
             "99999999999999999999999"],
    "oid": ["0", "4294967295", "4294967296", "-1", "-2147483648", "-2147483649", "16384",
            "abc", ""],
}

BOOLS = ["t", "f", "true", "false", "TRUE", "False", " yes ", "no", "y", "n", "on", "off",
         "ON", "of", "o", "1", "0", "tr", "fals", "x", "", "2", "truee", "yess", " t", "\\tf\\n"]

FLOAT8 = ["0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.2", "0.30000000000000004", "1e15",
          "1e16", "1e-5", "1e-4", "0.001", "123456789012345", "1234567890123456",
          "12345678901234567", "123456789012345678", "1.7976931348623157e308",
          "2.2250738585072014e-308", "4.9e-324", "1e-320", "1e400", "-1e400", "1e-400",
          "NaN", "nan", "NAN", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "+inf",
          " infinity ", " NaN ", "1e", "e1", ".5", "5.", "-.5e-3", "abc", "", "1,5", "3.14abc",
          "1e+308", "100", "1000000", "0.000001", "123.456", "-2.5e-7", "9007199254740993",
          "1.5e300", "6.02214076e23", "2.718281828459045", "3.141592653589793", "1E5", " 1 ",
          " 1e400 ", " -infinity", "+nan", "-NaN", "infinityx", "in", "  ", "1e308000",
          "1.0000000596046447755", "2.2250738585072011e-308", "-4.9e-324",
          "5.0492429832090976e+16", "9007199254740993", "4503599627370497.5", "1e23",
          "8.41e21", "5e-324", "9.5e-322", "2.2250738585072009e-308"]

FLOAT4 = ["0", "-0", "0.1", "1e-5", "3.4028235e38", "3.4028236e38", "3.5e38", "1e-45",
          "1e-46", "1.17549435e-38", "NaN", "Infinity", "-Infinity", "123456789", "1e15",
          "16777217", "1.5", "100", "1e6", "1e-4", "0.3", "abc", "", "2.5e-40", "-1e39",
          "3.14159265", "1234567", "12345678", "0.000123", "1.00000005960464477550",
          " 1e-400 ", "7e-46", "3.40282357e38", "1.4e-45", "-1e-45", "8388609.5", "0.1e-5"]

NUMERIC = ["0", "-0", "0.000", "12.340", "-12.340", "1e3", "1E-3", ".5", "5.", "-.5",
           "+1.50", "00012.5000", "1.23456789012345678901234567890123456",
           "99999999999999999999999999999999999999", "-99999999999999999999999999999999999999",
           "0.00000000000000000000000000000000000001", "1e-20", " 3.14 ", "abc", "1.2.3", "",
           "1e", "12e-2", "0.1e1", "1.5e+2", "-0.0", "1e0", "123456789.123456789", ".", "-",
           "1 000", "0x10", "1.5e-3", "2.50e1", "100e-2"]

DATES = ["2011-12-09", "2000-01-01", "1999-12-31", "2000-02-29", "1900-02-29", "2004-02-29",
         "2100-02-29", "2400-02-29", "0001-01-01", "0001-01-01 BC", "0001-12-31 BC",
         "0044-03-15 BC", "0004-02-29 BC", "0005-02-29 BC", "4713-01-01 BC",
         "4714-11-24 BC", "4714-11-23 BC", "5874897-12-31", "5874898-01-01", "12/9/2011",
         "1/2/2011", "2011/12/09", "2011-13-01", "2011-12-32", "2011-02-30", "2011-00-10",
         "2011-10-00", "0000-01-01", "abc", "", "2011-12-09 12:34", " 2011-12-09 ",
         "1970-01-01", "2038-01-19", "9999-12-31", "10000-01-01", "2011-12-09 BC",
         "1582-10-10", "2011-1-5", "2011-12-9x", "12/31/1999", "4714-10-01 BC",
         "4715-11-24 BC", "99999999-01-01", "2011-12-09x", "2011-12-09 25:00"]

TIMESTAMPS = ["2011-12-09 12:50", "2011-12-09 12:50:00", "2011-12-09 12:50:00.5",
              "2011-12-09 12:50:00.123456", "2011-12-09 12:50:00.1234565",
              "2011-12-09 12:50:00.1234564", "2011-12-09 12:50:59.9999995",
              "2011-12-31 23:59:59.9999999", "2011-12-09T12:50:00", "2000-01-01 00:00:00",
              "1999-12-31 23:59:59.999999", "2011-12-09 24:00:00", "2011-12-09 24:00:01",
              "2011-12-09 25:00", "2011-12-09 12:60", "2011-12-09 12:59:60",
              "2011-12-09 12:59:61", "0001-01-01 00:00:00 BC", "0001-01-01 00:00:00",
              "294276-12-31 23:59:59.999999", "294277-01-01 00:00:00", "12/9/2011 12:50",
              "12/9/2011 8:05:01", "2011-12-09 12:50:00+02", "abc", "2011-12-09 ab",
              "2011-12-09", "1970-01-01 00:00:00.000001", "1969-12-31 23:59:59.999999",
              "4713-01-01 00:00:00 BC", "2011-12-09 1:2:3", "2011-12-09 01:02:03.",
              "2011-12-09 12:50:00.000000", "2011-12-09 12:50:00.10", " 2011-12-09 12:50 ",
              "1900-03-01 00:00:00.5 BC", "2011-12-09 12:5:3", "2011-12-09 12:123",
              "2011-12-09 123:00", "2011-12-09 1:02", "2011-12-09 12:05:3.5",
              "2011-12-09 12:05:03.", "2011-12-09 12:05:60.5", "2011-12-09 23:59:60",
              "2011-12-09 24:00:00.5", "4714-11-24 00:00:00 BC", "4714-11-23 23:59:59 BC",
              "294276-12-31 23:59:59.9999999", "2011-12-09 12:50:00.0000005",
              "2011-12-09 12:50:00.0000015", "2011-12-09 12:50:00.0000025",
              "2011-12-09 12:50:00.12345650000000001", "2011-12-09 12:50:.5",
              "2011-12-09 12:50:00.12345678901234567890123", "2011-12-09 12:50+16",
              "2011-12-09 12:50+01:60", "2011-12-09 12:05.", "2011-12-09 12:5x"]

TIMESTAMPTZS = ["2011-12-09 12:50:00+02", "2011-12-09 12:50:00-05:30", "2011-12-09 12:50:00Z",
                "2011-12-09 12:50:00+0530", "2011-12-09 12:50:00 +02", "2011-12-09 12:50",
                "2011-12-09T12:50:00.25+01:00", "2000-01-01 00:30:00+01",
                "0001-01-01 00:00:00+00 BC", "2011-12-09 12:50:00+14", "2011-12-09 12:50:00-12",
                "abc", "2011-12-09 12:50:00.999999-00:01", "1999-12-31 23:00:00-01",
                "2011-12-09 12:50 +02", "2011-12-09 12:50+02:30", "2011-12-09 12:50+2",
                "2011-12-09 12:50+15", "2011-12-09 12:50+16", "2011-12-09 12:50-15:59",
                "2011-12-09 12:50+01:60", "2011-12-09 12:50:00+02 BC",
                "2011-12-09 12:50:00 BC +02", "2011-12-09 12:50+02:30:15",
                "4714-11-24 00:30:00+01 BC", "294276-12-31 23:30:00-01",
                "294276-12-31 23:30:00+01"]

INTERVALS = ["1 day", "2 hours 30 minutes", "1 year 2 mons", "1 year 2 months", "01:02:03",
             "-01:02:03", "1 day -02:00:00", "1 year -1 mons", "-1 year -2 mons +3 days",
             "1.5 days", "1.5 months", "1.5 years", "0.5 seconds", "1 week", "2 weeks",
             "1 millisecond", "1 microsecond", "100 hours", "1 day ago", "-1 day ago",
             "1 year 2 days 03:04:05 ago", "@ 1 day", "1 decade", "1 century", "1 millennium",
             "3 days 04:05:06.789", "-3 days -04:05:06", "0", "00:00:00", "", "abc",
             "1 fortnight", "2147483647 days", "2147483648 days", "1 mon -1 day",
             "-1 mon +1 day", "+1 day", "1 d 2 h", "1 y 2 mon", "1:2", "1:02", "10:00",
             "1.25", "1 year 2 months 3 days 4 hours 5 minutes 6 seconds", "-0.5 days",
             "0.1 mons", "1.999999 seconds", "1.9999999 seconds", "1 hour 60 minutes",
             "25 hours", "36 months", "-36 months", "100:00:00", "-100:00:00.5",
             "1 day 1 day", "5 secs", "5 sec", "3 mins", "2 hrs", "2 yrs", "1 min",
             "1 second", "1 minute", "1 hour", "1 month", "1 year", "-1 second", "1.5 hours",
             "0.001 seconds", "1 ms", "1 us", "7 days", "-7 days", "1 day 00:00:00.000001",
             "12 hours ago", "1 mon 2 days 03:04:05.678901", "-1 mon -2 days -03:04:05.678901",
             "178000000 years", "1 days", "1 DAY", " 1 day ", "1day", "1 day 2", "1 2",
             "1:2", "1:2:3", "1:2:3.5", "1:60", "1:59:60", "1:59:61", "100:70", "1 02:03:04",
             "-1 02:03:04", "1 +02:03", "1 week 1 day", "1 hour 01:00:00",
             "1 day 01:00:00 1 hour", "1.5 seconds 1 millisecond", "1 second 1 millisecond",
             "1 ms 1 us", "179000000 years", "2147483647 months 1 year",
             "2147483647 days 1 week", "100000000000 hours", "2562047788 hours",
             "2562047789 hours", "2147483648 months", "-2147483648 days", "-2147483649 days",
             "1.5 days 2 hours", "1 day 1.5 hours ago", "1 2 day", "1 days ago ago", "ago",
             "1 year ago 2 days", "1e3 seconds", "0.0000005 seconds", "0.0000015 seconds",
             "1.0000005 days", "1.1 years", "1.01 months", "0.3 months", "1.5 weeks",
             "1.5 decades", "-1.5 days", "- 1 day", "+ 1 day", "1 +day", ".5 days", "5. days",
             "1 mon 1 month", "1 year 12 months", "1 day -1", "10:00 1 day",
             "01:02:03 04:05:06", "1 day 2 days", "@ 1 day ago", "1 2:03:04", "1 12:00",
             "12:00:00.123456789", "-0.5 seconds", "0.5 seconds ago", "1 millennium 1 century",
             "1 hr", "1 mins", "3 D", "1 h 1 m 1 s", "1 weeks", "1 microseconds",
             "1 seconds 1 secs", "1 ago", "1 5 hours", "1 5 minutes", "1 ago day", "1 day day",
             "day", "1 qtr", "1 c", "1 cent", "1 dec", "1 decs", "1 mil", "1 mils",
             "1 microsecon", "1 millisecondsxyz", "1 msecond", "1 mseconds", "1 usecond",
             "1 useconds", "1 timezone", "1 day,2 hours", "1 day; 2 hours", "1.5.5 days",
             "1:2:3:4", "1::2", "1:2.5", "-1:2", "+1:02:03.5", "1 -1:02", "1 day -1:02 ago",
             "9223372036854775807 us", "9223372036854775808 us", "-9223372036854775808 us",
             "2147483647 hours 2147483647 hours", "0.5 ms", "1.5 us", "2.5 us", "-2.5 us",
             "1.0000005 seconds", "1.0000015 hours", "100000000000000000000 days",
             "1 centuries 1 century", "1 y 1 yr", "1 week 1 weeks", "2147483647 weeks",
             "12 day 3 hour", "3 hour 12 day", "1 hour 1 day 1 minute", "1.5 minutes 1 second",
             "1.5 hours 30 minutes", "1 day 1.5 seconds ago", "1:2 1 second",
             "1 second 1:02", "24:00:00", "1:60:00", "1:00:60.5", "1:00:59.9999999",
             "2562047788:00:00", "2562047789:00:00", "1.5 mons 1 day", "0.5 years",
             "0.04 years", "0.05 years", "-0.5 years", "1.5 millennium", "0.001 millennium",
             "1 decade 1.5 century", "@1 day", "1 day @", "  ", "-", "1.", ".", "1 2 3"]

NUMERIC_OPS = [
    ("div", "1", "3"), ("div", "10", "4"), ("div", "20.551", "3"), ("div", "2", "3"),
    ("div", "-7", "2"), ("div", "1", "7"), ("div", "100", "8"), ("div", "1", "1000000"),
    ("div", "123456.789", "0.001"), ("div", "0.001", "3"), ("div", "1", "0"),
    ("div", "0", "5"), ("div", "-1", "3"), ("div", "1.000", "3.0"), ("div", "9999", "0.0001"),
    ("div", "12345678901234567890", "3"), ("div", "1", "12345678"), ("div", "0.5", "-0.25"),
    ("div", "1", "-3"), ("div", "2.5", "1"), ("div", "1e-10", "3"),
    ("mul", "1.5", "2.25"), ("mul", "-0.1", "0.1"), ("mul", "123.45", "0"),
    ("mul", "99999999999", "99999999999"), ("mul", "-2.50", "4.0"),
    ("add", "1.5", "2.25"), ("add", "0.1", "0.2"), ("add", "-1", "1.000"),
    ("add", "99999999999999999999", "1"),
    ("sub", "0.1", "0.30"), ("sub", "1", "1"), ("sub", "-5.5", "4.55"),
]

# Inputs where Basket deliberately gives another answer than PostgreSQL, and that answer.
KNOWN_LIMITS = {
    # numeric is a 128-bit decimal: no NaN / infinity, at most 38 significant digits.
    ("numeric", "NaN"): "ERROR\t0A000\tnumeric NaN and infinity are not supported by Basket",
    ("numeric", "Infinity"): "ERROR\t0A000\tnumeric NaN and infinity are not supported by Basket",
    ("numeric", "123456789012345678901234567890123456789"):
        "ERROR\t22003\tvalue overflows numeric format",
    # Syntax Basket's parsers do not accept (yet): PostgreSQL answers with a value.
    ("float8", "0x10"):  # glibc strtod hex floats, which PostgreSQL inherits
        'ERROR\t22P02\tinvalid input syntax for type double precision: "0x10"',
    ("date", "20111209"):  # ISO 8601 basic format
        'ERROR\t22007\tinvalid input syntax for type date: "20111209"',
    ("date", "epoch"): 'ERROR\t22007\tinvalid input syntax for type date: "epoch"',
    ("date", "infinity"): 'ERROR\t22007\tinvalid input syntax for type date: "infinity"',
    ("timestamptz", "2011-12-09 12:50 UTC"):  # zone names
        'ERROR\t22007\tinvalid input syntax for type timestamp with time zone: '
        '"2011-12-09 12:50 UTC"',
    ("interval", "P1Y2M3DT4H5M6S"):  # ISO 8601 durations
        'ERROR\t22007\tinvalid input syntax for type interval: "P1Y2M3DT4H5M6S"',
    ("interval", "1-2"):  # SQL year-month literal
        'ERROR\t22007\tinvalid input syntax for type interval: "1-2"',
}

# ---- helpers -------------------------------------------------------------------------------

def random_doubles(rng, n):
    out = []
    while len(out) < n:
        kind = rng.randrange(4)
        if kind == 0:  # any bit pattern: every exponent
            d = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        elif kind == 1:  # everyday magnitudes
            d = rng.uniform(-1e6, 1e6)
        elif kind == 2:  # short decimals, the common case in data files
            d = round(rng.uniform(-1000, 1000), rng.randrange(0, 6))
        else:  # large integers: shortest digits often fall on a rounding midpoint
            d = float(rng.randrange(2 ** 53, 2 ** 64))
        if math.isfinite(d):
            out.append(repr(d))
    return out


def random_floats(rng, n):
    out = []
    while len(out) < n:
        kind = rng.randrange(3)
        if kind == 0:
            f = struct.unpack("<f", rng.getrandbits(32).to_bytes(4, "little"))[0]
        elif kind == 1:
            f = struct.unpack("<f", struct.pack("<f", float(rng.randrange(2 ** 24, 2 ** 40))))[0]
        else:
            f = struct.unpack("<f", struct.pack("<f", rng.uniform(-1e4, 1e4)))[0]
        if math.isfinite(f):
            out.append("%.9g" % f)
    return out


def random_numerics(rng, n):
    out = []
    for _ in range(n):
        digits = rng.randrange(1, 30)
        scale = rng.randrange(0, min(digits, 20) + 1)
        s = "".join(rng.choice("0123456789") for _ in range(digits))
        if scale:
            s = s[:-scale] + "." + s[-scale:] if scale < digits else "0." + s
        if rng.randrange(3) == 0:
            s = "-" + s
        out.append(s)
    return out


def random_intervals(rng, n):
    units = ["years", "mons", "days", "hours", "minutes", "seconds"]
    out = []
    for _ in range(n):
        parts = []
        for u in units:
            if rng.randrange(2):
                parts.append("%d %s" % (rng.randrange(-400, 400), u))
        if not parts:
            parts.append("%d:%02d:%02d" % (rng.randrange(0, 100), rng.randrange(60),
                                           rng.randrange(60)))
        out.append(" ".join(parts))
    return out


def random_timestamps(rng, n):
    out = []
    for _ in range(n):
        y = rng.randrange(1, 9999)
        s = "%04d-%02d-%02d %02d:%02d:%02d" % (y, rng.randrange(1, 13), rng.randrange(1, 29),
                                               rng.randrange(24), rng.randrange(60),
                                               rng.randrange(60))
        if rng.randrange(2):
            s += ".%0*d" % (w := rng.randrange(1, 7), rng.randrange(10 ** w))
        if rng.randrange(4) == 0:
            s += " BC"
        out.append(s)
    return out


def pg_unescape(text):
    return (text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r"))


TYPES = ["bool", "int2", "int4", "int8", "oid", "float4", "float8", "numeric", "date",
         "timestamp", "timestamptz", "interval"]


class RawText(Loader):
    """Returns the server's text output untouched (no conversion to Python values)."""

    def load(self, data):
        return bytes(data).decode()


def pg_answer(conn, typ, text):
    try:
        row = conn.execute(f"SELECT %s::{typ}", [pg_unescape(text)]).fetchone()
        return "OK\t" + row[0]
    except psycopg.Error as e:
        return "ERROR\t%s\t%s" % (e.sqlstate, e.diag.message_primary)


def pg_numeric_op(conn, op, a, b):
    sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op]
    try:
        row = conn.execute(f"SELECT %s::numeric {sym} %s::numeric", [a, b]).fetchone()
        return "OK\t" + row[0]
    except psycopg.Error as e:
        return "ERROR\t%s\t%s" % (e.sqlstate, e.diag.message_primary)


def run_tool(tool, requests):
    data = "".join("\t".join(r) + "\n" for r in requests)
    out = subprocess.run([tool], input=data, stdout=subprocess.PIPE, check=True, text=True)
    lines = out.stdout.split("\n")[:-1]
    if len(lines) != len(requests):
        raise SystemExit(f"value_tool answered {len(lines)} lines for {len(requests)} requests")
    return lines


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: test_value_format.py <value_tool>")
    tool = sys.argv[1]
    rng = random.Random(SEED)
    print(f"seed: BASKET_TEST_SEED={SEED}")

    cases = []
    for typ, values in INTS.items():
        cases += [(typ, v) for v in values]
    cases += [("bool", v) for v in BOOLS]
    cases += [("float8", v) for v in FLOAT8 + random_doubles(rng, 200)]
    cases += [("float4", v) for v in FLOAT4 + random_floats(rng, 100)]
    cases += [("numeric", v) for v in NUMERIC + random_numerics(rng, 60)]
    cases += [("date", v) for v in DATES]
    cases += [("timestamp", v) for v in TIMESTAMPS + random_timestamps(rng, 30)]
    cases += [("timestamptz", v) for v in TIMESTAMPS[:8] + TIMESTAMPTZS]
    cases += [("interval", v) for v in INTERVALS + random_intervals(rng, 40)]
    ops = [("numeric_" + op, a, b) for op, a, b in NUMERIC_OPS]
    limits = list(KNOWN_LIMITS)

    basket = run_tool(tool, cases + ops + limits)
    failures = []
    with PgOracle() as pg, pg.connect() as conn:
        for typ in TYPES:
            conn.adapters.register_loader(typ, RawText)
        conn.execute("SET DateStyle = 'ISO, MDY'")
        conn.execute("SET IntervalStyle = 'postgres'")
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET extra_float_digits = 1")
        conn.execute("SET lc_messages = 'C'")
        for (typ, text), got in zip(cases, basket):
            want = pg_answer(conn, typ, text)
            if got != want:
                failures.append((f"'{text}'::{typ}", want, got))
        for (op, a, b), got in zip(ops, basket[len(cases):]):
            want = pg_numeric_op(conn, op[len("numeric_"):], a, b)
            if got != want:
                failures.append((f"{op}({a}, {b})", want, got))
    for (typ, text), got in zip(limits, basket[len(cases) + len(ops):]):
        want = KNOWN_LIMITS[(typ, text)]
        if got != want:
            failures.append((f"'{text}'::{typ} (known limit)", want, got))

    total = len(cases) + len(ops) + len(limits)
    for what, want, got in failures:
        print(f"MISMATCH {what}\n  postgres: {want!r}\n  basket:   {got!r}")
    print(f"{total - len(failures)}/{total} values agree with PostgreSQL 15"
          f" ({len(failures)} mismatches)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
