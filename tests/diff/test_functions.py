#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test of Basket's scalar functions and operators against PostgreSQL 15.

Every query below runs on a private PostgreSQL 15 (tests/support/pg_oracle.py) and on basketd
serving its built-in sample (2,000 rows of `transactions`); PostgreSQL gets the same rows from
basket-gen's CSV. For each query the result column type OIDs and the text of every value must
be equal (rows compared as a multiset), or both servers must fail with the same SQLSTATE and
primary message.

Covered: math (round, trunc, abs, ceil, floor, sign, mod, div, power, sqrt, cbrt, exp, ln,
log, log10, degrees, radians, pi, scale), numeric transcendental functions on random inputs
(seeded: BASKET_TEST_SEED), strings (substring, position, strpos, trim family, left, right,
replace, split_part, starts_with, upper, lower, initcap, lpad, rpad, repeat, reverse,
translate, md5, to_hex, chr, ascii, concat, concat_ws, lengths), date/time (date_trunc,
date_part, EXTRACT, age, make_date, justify_*, to_timestamp, date/timestamp/interval
arithmetic), to_char for timestamps, intervals and numbers, to_date and to_timestamp.

Usage: test_functions.py BASKETD BASKET_GEN   (ctest passes both; label diff)
Exit 77 (skip) when PostgreSQL 15 or psycopg is not installed.
"""

import math
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

try:
    import psycopg
    from psycopg.adapt import Loader
    from pg_oracle import PgOracle
    from basket_server import BasketServer
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e} (run with /usr/bin/python3; make deps installs python3-psycopg)")
    sys.exit(77)

if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
    print("SKIP: PostgreSQL 15 is not installed (make deps)")
    sys.exit(77)

SEED = int(os.environ.get("BASKET_TEST_SEED", "20261125"), 0)
ROWS = 2000

SCHEMA = """
create table transactions (
    invoice_no text not null, stock_code text not null, description text,
    quantity integer not null, invoice_date timestamp not null, unit_price numeric not null,
    customer_id integer, country text not null, revenue numeric not null,
    is_cancellation boolean not null);
"""

# ---- queries on constants ---------------------------------------------------------------------

MATH = [
    "select round(2.5), round(-2.5), round(2.5::float8), round(-0.5::float8), round(1.49)",
    "select round(3.14159, 2), round(1234.5, -2), round(1.5, 5), round(-1.005, 2), round(0.5, 0)",
    "select round(1234.5678, -1), round(5, -1), round(4.9, -1), round(-15, -1), round(1, 2)",
    "select round(99.995, 2), round(123.456, 34), round(1e-30, 30), round(1::int2), round(7::int8)",
    "select trunc(-3.7), trunc(3.789, 1), trunc(3.7::float8), trunc(-3.7::float8), trunc(1234.5, -2)",
    "select trunc(12.3456, 10), trunc(-0.0001, 2), trunc(5), trunc(5.5::float4)",
    "select abs(-3), abs(-3.5), abs(-2.5::float8), abs(-7::int2), abs(-7::int8), abs(-1.5::float4)",
    "select abs(0.0), abs(-0::float8), abs(3)",
    "select ceil(2.1), ceil(-2.1), ceil(2.0), ceiling(2.000001), ceil(-0.5::float8), ceil(5)",
    "select floor(-2.1), floor(2.9::float8), floor(-0.5), floor(7), floor(1e20::float8)",
    "select sign(-3.2), sign(0::numeric), sign(5::float8), sign(0.0001), sign(-8), sign(0::float8)",
    "select mod(7, 3), mod(-7, 3), mod(7, -3), mod(-7.5, 2), mod(10::int8, 4), mod(5::int2, 3::int2)",
    "select mod(5.5, 0.25), mod(9, 2.5), mod(-1, 1)",
    "select div(7.5, 2), div(-7, 2), div(9, 3), div(1, 3), div(-0.5, 0.3), div(10::int8, 3)",
    "select power(2, 10), power(2.0, 0.5), power(2, -2), pow(9, 0.5), power(-8, 3), power(0, 0)",
    "select power(2::numeric, 3), power(2.5, 2), power(2, 2.0), power(0::numeric, 0), "
    "power(2::numeric, -2), power(1.5, 10)",
    "select power(2::numeric, 0.5), power(0.5::numeric, 3), power(-2::numeric, 3), "
    "power(100::numeric, 0.5), power(10::numeric, 0.3), power(1.0001, 10000)",
    "select power(1.1::numeric, 20), power(0.9::numeric, -5), power(-1.5::numeric, -3), "
    "power(3::numeric, 40), power(12.34::numeric, 1.5)",
    "select power(2::float8, 0.5), power(-2::float8, 3), power(0::float8, 0), "
    "power(10::float8, -3), power(1.5::float8, 2.5)",
    "select sqrt(2), sqrt(0), sqrt(1e-10::float8), sqrt(2::numeric), sqrt(100::numeric), "
    "sqrt(0::numeric), sqrt(1e-10), sqrt(1234567.891), sqrt(0.0001), sqrt(16)",
    "select cbrt(27), cbrt(-8), cbrt(2), pi(), degrees(1), radians(90), degrees(pi())",
    "select exp(1), exp(0), exp(-1), exp(1::numeric), exp(50::numeric), exp(-50::numeric), "
    "exp(2.5), exp(0.001)",
    "select ln(2), ln(10.5), ln(0.001), ln(2::numeric), ln(1::numeric), ln(1.0000001), ln(1e30)",
    "select log(100), log(2::numeric), log(100::numeric), log10(2::numeric), log10(1000), "
    "log(2, 8), log(1.5, 100), log(10, 0.001)",
    "select log(2::float8), log10(0.5::float8), log(0.5::numeric), log(123456789.123)",
    "select scale(1.2300), scale(5), min_scale(1.2300), min_scale(0.000), trim_scale(1.2300), "
    "trim_scale(-0.10), trim_scale(100)",
    "select 7 % 3, -7 % 3, 7.5 % 2, round(10 / 4), 10 / 4.0",
    "select round(1), sqrt(4), abs(1::int2), mod(1, 2::int8), power(2, 3), ln(1)",
]

MATH_ERRORS = [
    "select sqrt(-1)",
    "select sqrt(-1::numeric)",
    "select ln(0)",
    "select ln(-1)",
    "select ln(0::numeric)",
    "select ln(-2.5)",
    "select log(0::numeric)",
    "select log10(-1::float8)",
    "select log(1, 10)",
    "select log(0, 10)",
    "select power(0, -1)",
    "select power(0::numeric, -1)",
    "select power(-8, 1.0/3)",
    "select power(-8::float8, 0.5)",
    "select exp(1000::float8)",
    "select exp(-1000::float8)",
    "select power(10::float8, 400)",
    "select mod(1, 0)",
    "select mod(1.5, 0)",
    "select div(1, 0)",
    "select abs(-2147483647 - 1)",
    "select abs((-32768)::int2)",
    "select abs((-9223372036854775808)::int8)",
    "select round(1.5, 'x')",
    "select sqrt('abc')",
    "select nosuch_math(1)",
]

STRINGS = [
    "select lower('ÉCOLE ΑΒΓ Hello'), upper('héllo ñ αβγ'), initcap('héllo wörld ñu ÉCOLE o''neil x-ray 3rd')",
    "select initcap('hello_world foo.bar 1st 2ND'), initcap(''), upper(''), lower('ABC')",
    "select length('héllo'), char_length('héllo'), character_length(''), octet_length('héllo'), "
    "bit_length('ab')",
    "select substring('hello' from 2 for 3), substring('hello', 0, 3), substring('hello', -5, 7), "
    "substring('hello' for 2), substr('héllo', 2), substr('hello', 10), substr('hello', 2, 0)",
    "select substring('hello', 3), substr('hello', -1), substring('héllo' from 2 for 1), "
    "substr('', 1, 1), substring('abc', 2147483647, 10)",
    "select position('l' in 'hello'), strpos('hello', ''), strpos('', ''), strpos('héllo', 'l'), "
    "position('xyz' in 'hello'), strpos('abcabc', 'ca')",
    "select trim(both 'x' from 'xxhixx'), trim('  a  '), ltrim('  a  '), rtrim('xya', 'ay'), "
    "btrim('xyzhixyz', 'zyx'), trim(leading 'ab' from 'ababc'), trim(trailing from '  a  ')",
    "select btrim(''), ltrim('aaa', 'a'), rtrim('héé', 'é'), trim(both from 'x'), btrim('abc', '')",
    "select left('héllo', 2), left('hello', -2), right('hello', 2), right('hello', -2), "
    "left('hi', 10), right('hi', -10), left('', 1), left('abc', 0)",
    "select replace('abcabc', 'b', 'XX'), replace('abc', '', 'x'), replace('aaa', 'aa', 'b'), "
    "replace('', 'a', 'b'), replace('héllo', 'é', 'e')",
    "select split_part('a,b,c', ',', 2), split_part('a,b,c', ',', -1), split_part('a,b,c', ',', -3), "
    "split_part('a,b,c', ',', -4), split_part('a,b,c', ',', 4), split_part('abc', '', 1)",
    "select split_part('', ',', 1), split_part('a,,b', ',', 2), split_part('a::b::c', '::', 3), "
    "split_part('abc', 'x', -1), split_part('abc', '', -2)",
    "select starts_with('hello', 'he'), starts_with('hello', ''), starts_with('he', 'hello'), "
    "starts_with('', '')",
    "select lpad('hi', 5), lpad('hi', 5, 'xy'), lpad('hello', 3), rpad('hi', 6, 'ab'), "
    "rpad('héllo', 7, 'é'), lpad('x', -1), lpad('ab', 4, ''), rpad('abc', 0)",
    "select repeat('ab', 3), repeat('x', -1), repeat('', 5), repeat('é', 2), reverse('héllo'), "
    "reverse('')",
    "select translate('12345', '143', 'ax'), translate('héllo', 'é', 'e'), translate('abc', '', 'x')",
    "select md5('abc'), md5(''), md5('The quick brown fox jumps over the lazy dog'), "
    "md5(repeat('x', 1000))",
    "select to_hex(-1), to_hex(-1::int8), to_hex(255), to_hex(0), to_hex(2147483647), "
    "to_hex(9223372036854775807)",
    "select chr(65), chr(233), chr(128512), chr(127), ascii('é'), ascii(''), ascii('A'), "
    "ascii('😀x')",
    "select concat('a', 1, null, true), concat_ws('-', 'a', null, 3), concat_ws(null, 'a'), "
    "concat(null), concat(2.50, 1.5::float8, date '2011-01-01')",
    "select concat_ws(',', 1), concat('x'), concat(null, null), concat_ws('', 'a', 'b', 'c')",
    "select 'abc' || 'def', 'a' || 1 || 'b', 1.5 || 'x', null || 'a'",
]

STRING_ERRORS = [
    "select substr('abc', 1, -1)",
    "select substring('abc' from 1 for -2)",
    "select split_part('a,b', ',', 0)",
    "select chr(0)",
    "select chr(-1)",
    "select chr(1114112)",
    "select chr(55296)",
    "select lpad('x', 1000000000)",
    "select left('abc', 'x')",
    "select repeat(1, 2)",
    "select concat()",
]

DATETIME = [
    "select date_trunc('month', timestamp '2011-03-15 10:11:12'), "
    "date_trunc('week', date '2011-01-01'), date_trunc('hour', interval '1 day 3:04:05'), "
    "date_trunc('year', timestamptz '2011-06-30 23:59:59+00')",
    "select date_trunc('quarter', timestamp '2011-08-15'), date_trunc('decade', timestamp '2011-08-15'), "
    "date_trunc('century', timestamp '2001-01-01'), date_trunc('millennium', timestamp '2000-12-31'), "
    "date_trunc('second', timestamp '2011-01-01 10:11:12.5'), "
    "date_trunc('milliseconds', timestamp '2011-01-01 10:11:12.123456')",
    "select date_trunc('MONTH', timestamp '2011-03-15'), date_trunc('mon', timestamp '2011-03-15'), "
    "date_trunc('minutes', timestamp '2011-03-15 10:11:12'), date_trunc('day', date '2011-03-15'), "
    "date_trunc('microseconds', timestamp '2011-03-15 10:11:12.654321')",
    "select date_trunc('week', timestamp '2011-01-02'), date_trunc('week', timestamp '2012-12-31'), "
    "date_trunc('week', timestamp '2010-01-03'), date_trunc('week', timestamp '2009-12-31')",
    "select date_trunc('year', interval '13 months 5 days'), date_trunc('quarter', interval '8 months'), "
    "date_trunc('decade', interval '25 years'), date_trunc('minute', interval '-1 day -03:04:05.5')",
    "select extract(year from timestamp '2011-03-15'), extract(month from date '2011-03-15'), "
    "extract(day from timestamp '2011-03-15 10:00'), extract(hour from timestamp '2011-03-15 10:11:12'), "
    "extract(minute from timestamp '2011-03-15 10:11:12'), extract(second from timestamp '2011-03-15 10:11:12.5')",
    "select extract(epoch from timestamp '2011-03-15 10:11:12.5'), extract(epoch from date '2011-03-15'), "
    "extract(epoch from interval '1 year 2 mons 3 days 04:05:06.5'), extract(epoch from timestamptz '1970-01-01 00:00:01+00')",
    "select extract(quarter from timestamp '2011-08-15'), extract(week from date '2011-01-01'), "
    "extract(isoyear from date '2011-01-01'), extract(dow from date '2011-03-13'), "
    "extract(isodow from date '2011-03-13'), extract(doy from date '2011-12-31')",
    "select extract(decade from date '2011-01-01'), extract(century from date '2000-12-31'), "
    "extract(century from date '2001-01-01'), extract(millennium from date '2001-01-01'), "
    "extract(julian from date '2011-02-03'), extract(julian from timestamp '2011-01-01 12:00')",
    "select extract(microseconds from timestamp '2011-01-01 10:11:12.123456'), "
    "extract(milliseconds from timestamp '2011-01-01 10:11:12.123456'), "
    "extract(timezone from timestamptz '2011-01-01'), extract(timezone_hour from timestamptz '2011-01-01'), "
    "extract(julian from timestamp '2011-01-01 00:00')",
    "select extract(year from interval '3 years 14 months'), extract(month from interval '14 months'), "
    "extract(day from interval '40 days'), extract(hour from interval '-25:30:00'), "
    "extract(quarter from interval '7 mons'), extract(century from interval '250 years'), "
    "extract(second from interval '1 minute 7.25 seconds')",
    "select date_part('year', timestamp '2011-03-15'), date_part('dow', date '2011-03-15'), "
    "date_part('epoch', interval '1 year 2 mons 3 days 04:05:06.5'), date_part('hour', date '2011-01-01'), "
    "date_part('second', timestamp '2011-01-01 10:11:12.5'), date_part('julian', timestamp '2011-01-01 06:00')",
    "select date_part('epoch', timestamp '2011-03-04 05:06:07.123456'), date_part('j', date '2011-03-04'), "
    "date_part('mm', timestamp '2011-03-04 05:06:07'), date_part('microsecondsxyz', timestamp '2011-03-04 05:06:07.5'), "
    "date_part('millisecond', timestamptz '2011-03-04 05:06:07.25+00'), date_part('timezone', timestamptz '2011-01-01')",
    "select extract(year from date '0001-01-01' - 1), extract(century from date '0100-01-01' - 36500), "
    "extract(decade from date '0005-01-01' - 10000), extract(isoyear from date '0001-01-01' - 1), "
    "date_trunc('century', timestamp '0050-01-01 BC'), date_trunc('decade', timestamp '0015-06-01 BC')",
    "select date '2011-01-01' + 30, 30 + date '2011-01-01', date '2011-03-01' - 1, "
    "date '2011-03-01' - date '2011-01-01', date '2011-01-01' - date '2011-03-01'",
    "select date '2011-01-31' + interval '1 month', date '2011-03-31' - interval '1 month', "
    "interval '1 day' + date '2011-01-01', timestamp '2011-01-31' + interval '1 month', "
    "timestamp '2012-02-29' + interval '1 year', timestamp '2011-03-01' - interval '1 day 2 hours'",
    "select timestamp '2011-03-01' - timestamp '2010-01-01 12:00', timestamp '2010-01-01' - timestamp '2011-03-01 12:00', "
    "timestamptz '2011-03-01 00:00+00' - timestamptz '2011-02-28 23:00+00', timestamp '2011-01-01' - date '2010-12-25'",
    "select interval '1 day' + interval '2 hours', interval '1 mon' - interval '3 days', -interval '1 year 2 days 03:00', "
    "interval '1 hour' * 2.5, 2 * interval '1 day 1 hour', interval '1 month' / 3, interval '1 day' / 7",
    "select interval '1 month' * 0.5, interval '1 mon 1 day' * 1.5, interval '10 days' / 4, "
    "interval '-1 month' * 1.1, interval '1 year' * 0",
    "select timestamptz '2011-01-31 10:00+00' + interval '1 month', interval '2 days' + timestamptz '2011-01-01 00:00+00', "
    "timestamptz '2011-01-01 00:00+00' - interval '1 hour'",
    "select age(timestamp '2011-03-15', timestamp '2010-01-20'), age(timestamp '2010-01-20', timestamp '2011-03-15'), "
    "age(timestamp '2011-03-01 10:00', timestamp '2011-02-28 12:00'), age(timestamptz '2012-02-29 00:00+00', timestamptz '2011-03-31 00:00+00')",
    "select age(timestamp '2011-01-31', timestamp '2010-12-31 23:59:59.5'), age(timestamp '2000-01-01', timestamp '2000-01-01')",
    "select make_date(2011, 3, 15), make_date(-44, 3, 15), make_date(2012, 2, 29), make_date(1, 1, 1)",
    "select justify_hours(interval '27 hours'), justify_hours(interval '-1 day 25:00'), "
    "justify_days(interval '35 days'), justify_days(interval '-1 mon 45 days'), "
    "justify_interval(interval '1 mon -1 hour'), justify_interval(interval '-1 mon 35 days 27:00')",
    "select to_timestamp(1293840000), to_timestamp(1293840000.5), to_timestamp(0), to_timestamp(-1.5)",
    "select isfinite(date '2011-01-01'), isfinite(timestamp '2011-01-01'), isfinite(interval '1 day')",
    "select date_trunc('month', date '2011-03-15') + interval '1 month' - interval '1 day'",
]

DATETIME_ERRORS = [
    "select date_trunc('foo', timestamp '2011-01-01')",
    "select date_trunc('dow', timestamp '2011-01-01')",
    "select date_trunc('week', interval '1 day')",
    "select date_trunc('epoch', timestamptz '2011-01-01')",
    "select extract(foo from timestamp '2011-01-01')",
    "select extract(hour from date '2011-01-01')",
    "select extract(timezone from timestamp '2011-01-01')",
    "select extract(dow from interval '1 day')",
    "select extract(now from timestamp '2011-01-01')",
    "select date_part('jan', timestamp '2011-01-01')",
    "select date_part('infinity', date '2011-01-01')",
    "select make_date(2011, 2, 30)",
    "select make_date(0, 1, 1)",
    "select make_date(2011, 13, 1)",
    "select make_date(-5, 2, 30)",
    "select to_timestamp('NaN'::float8)",
    "select to_timestamp(1e20::float8)",
    "select date '5874897-12-31' + 1",
    "select date '4714-11-24 BC' - 1",
    "select timestamp '294276-12-31 23:00' + interval '1 day'",
    "select interval '1 day' / 0",
    "select interval '2147483647 days' + interval '1 day'",
    "select -interval '-2147483648 days'",
    "select timestamp '2011-01-01' - '1 day'",
    "select date '2011-01-01' + 1.5",
]

TO_CHAR = [
    "select to_char(timestamp '2011-03-04 15:06:07.123456', 'YYYY-MM-DD HH24:MI:SS.MS US'), "
    "to_char(timestamp '2011-03-04 15:06:07', 'Day, DD Month YYYY HH12:MI AM')",
    "select to_char(timestamp '2011-03-04 15:06:07', 'FMDay, FMDDth FMMonth Y,YYY q Q WW IW D J CC'), "
    "to_char(date '2011-01-01', 'IYYY-IW-ID IDDD TZ'), to_char(timestamp '2011-03-04', '') is null",
    "select to_char(timestamp '2011-03-04 15:06:07', 'TMMonth|TMDay|FMMonth|Month|FMDDth|DDTH|Dth|HH12th|rm|RM|FMRM|W|WW|J|CC|Y,YYY|\"YYYY\"|YYYY\"')",
    "select to_char(timestamp '2011-03-04 00:06:07', 'HH HH12 HH24 AM am A.M. a.m. PM pm'), "
    "to_char(timestamp '2011-03-04 12:00:00', 'HH12 PM'), to_char(timestamp '2011-03-04 23:59:59.999999', 'HH:MI:SS.FF1 FF2 FF3 FF4 FF5 FF6')",
    "select to_char(timestamp '2011-03-04 15:06:07', 'MON Mon mon MONTH month DY Dy dy DAY day'), "
    "to_char(timestamp '2011-03-04', 'SSSS SSSSS OF TZH TZM tz'), to_char(timestamptz '2011-03-04 05:00+00', 'TZ tz OF TZH:TZM')",
    "select to_char(timestamp '0044-03-15 BC', 'YYYY BC B.C. AD ad a.d. CC Y,YYY YY Y'), "
    "to_char(date '2011-12-31', 'DDD IDDD WW IW W'), to_char(date '2011-01-01', 'I IY IYY IYYY')",
    "select to_char(date '2011-03-04', 'YYYY-MM-DD'), to_char(date '2011-03-04', 'DD/MM/YY'), "
    "to_char(timestamp '2011-03-04 15:06:07', 'YYYYMMDDHH24MISS'), to_char(timestamp '2011-03-04 15:06:07', 'FX YYYY fmMM fmdd')",
    "select to_char(interval '1 year 2 mons 3 days 04:05:06', 'YYYY MM DD HH24 MI SS HH12 AM'), "
    "to_char(interval '-1 year -2 mons 03:04:05', 'YYYY MM HH24 MI SS'), to_char(interval '100 hours 30 minutes', 'HH24:MI FMHH24')",
    "select to_char(interval '15 months', 'Y YY YYY CC RM Q'), to_char(interval '0', 'RM Q DDD WW'), to_char(interval '1 day 2 hours', 'SSSS')",
    "select to_char(1234.567, '9999.99'), to_char(-1234.567, '9,999.9'), to_char(0.5, '9.99'), "
    "to_char(0.5, 'FM9.99'), to_char(12, '0000'), to_char(-12, 'S9999'), to_char(12, '9999MI')",
    "select to_char(-12, '9999PR'), to_char(3, 'FM9th'), to_char(1234567.891::float8, '9,999,999.999'), "
    "to_char(1.5::float4, '9.9'), to_char(1234, 'RN'), to_char(1234, 'FMRN'), to_char(12345.6789, '9.99EEEE')",
    "select to_char(123, '99'), to_char(123.45, 'FM999.990'), to_char(0, 'FM9.99'), to_char(5, '9V99'), "
    "to_char(-0.1, 'FM90.9'), to_char(1e10::int8, 'L999,999,999,999'), to_char(0.001, '0.99')",
    "select to_char(12.3, 'SG999.99'), to_char(-12.3, '999.99SG'), to_char(12.3, 'PL999.99'), "
    "to_char(12.3, 'S999.99'), to_char(12.3, '999.99S'), to_char(-12.3, 'FM999.99PR')",
    "select to_char(1234.5::float8, '9.99EEEE'), to_char(-1234::int4, '9.99EEEE'), to_char(99.999, '99.99'), "
    "to_char(9.999, '9.99EEEE'), to_char(0, '9.99EEEE'), to_char(123456789012::int8, '9.9999EEEE')",
    "select to_char(1234567, '999G999G999D99'), to_char(-5, 'FM9990'), to_char(1, 'FM0.00'), "
    "to_char(21, 'FM99TH'), to_char(12, 'FM99th'), to_char(3.5, '9th'), to_char(-3, '9TH')",
    "select to_char(0.123456789::float8, '0.9999999999'), to_char(1e20::float8, '999'), "
    "to_char(123.456::float4, '999.999'), to_char(1234567890123456789::float8, '9999999999999999999')",
    "select to_char(4000, 'RN'), to_char(0, 'RN'), to_char(3999, 'rn'), to_char(2.5::float8, 'FMRN'), "
    "to_char(1.5, 'RN'), to_char(12, 'FMRN')",
    "select to_char(485, '999'), to_char(-485, '999'), to_char(485, '9 9 9'), to_char(1485, '9,999'), "
    "to_char(485, '\"Val: \"999'), to_char(148.5, '999.999'), to_char(-0.01, '99.99')",
    "select to_char(12, ''), to_char(12.5, 'x'), to_char(7, 'FM999999999999999999999999999.99999')",
]

TO_CHAR_ERRORS = [
    "select to_char(1, '9.9.9')",
    "select to_char(1, 'SS9')",
    "select to_char(1, 'S9MI')",
    "select to_char(1, '9EEEEEEEE')",
    "select to_char(1, 'EEEE9')",
    "select to_char(1, 'FM9.9EEEE')",
    "select to_char(1, '9V.9')",
    "select to_char(1, '9PR9')",
    "select to_char(interval '1 day', 'Day')",
    "select to_char(interval '1 day', 'TZ')",
    "select to_char(interval '1 day', 'Mon')",
]

TO_DATE = [
    "select to_date('20110304', 'YYYYMMDD'), to_date('4 Mar 2011', 'DD Mon YYYY'), "
    "to_date('11-03-04', 'YY-MM-DD'), to_date('2011/3/4', 'YYYY/MM/DD'), to_date('March 4, 2011', 'Month DD, YYYY')",
    "select to_timestamp('2011-03-04 10:11:12.5', 'YYYY-MM-DD HH24:MI:SS.MS'), "
    "to_timestamp('04.03.2011 3:05 PM', 'DD.MM.YYYY HH:MI AM'), to_timestamp('2011-03-04 +05:30', 'YYYY-MM-DD TZH:TZM')",
    "select to_date('2011 063', 'YYYY DDD'), to_date('2011-10-1', 'IYYY-IW-ID'), to_date('12', 'MM'), "
    "to_timestamp('1.123456', 'SS.US'), to_timestamp('2011-03-04 10:11:12.123456', 'YYYY-MM-DD HH24:MI:SS.FF3')",
    "select to_date('', 'YYYY'), to_date('2011', ''), to_date('2011', 'YYYYMM'), to_date('1 1 1', 'DDD YYYY')",
    "select to_date('  2011   03  04', 'YYYY MM DD'), to_date('2011-03-04', 'YYYY MM DD'), "
    "to_date('2011mar04', 'YYYYmonDD'), to_date('20-11-03', 'CC-YY-MM'), to_date('21', 'CC')",
    "select to_timestamp('2011-03-04 12:00 AM', 'YYYY-MM-DD HH12:MI AM'), to_timestamp('2011 12 am', 'YYYY HH am'), "
    "to_timestamp('86399', 'SSSSS'), to_timestamp('2011-03-04 -03', 'YYYY-MM-DD TZH')",
    "select to_date('2011-03-04', 'FXYYYY-MM-DD'), to_date('44 BC', 'YYYY BC'), to_date('2,011 5', 'Y,YYY MM'), "
    "to_date('2454000', 'J'), to_date('1st 2011', 'DDth YYYY')",
    "select to_date('2011 10 3', 'YYYY WW D'), to_date('2011 2', 'YYYY W'), to_date('XII 2011', 'RM YYYY'), "
    "to_timestamp('2011-03-04T10:11', 'YYYY-MM-DD\"T\"HH24:MI')",
]

TO_DATE_ERRORS = [
    "select to_date('2011-13-01', 'YYYY-MM-DD')",
    "select to_date('2011-02-30', 'YYYY-MM-DD')",
    "select to_date('abc', 'YYYY')",
    "select to_date('2011-Foo-01', 'YYYY-Mon-DD')",
    "select to_timestamp('13:00 PM', 'HH:MI AM')",
    "select to_date('2011-10', 'YYYY-IW')",
    "select to_timestamp('2011 UTC', 'YYYY TZ')",
    "select to_date('2011 2012', 'YYYY YYYY')",
    "select to_date('2011 366', 'YYYY DDD')",
    "select to_date('20113', 'YYYYMMDD')",
    "select to_date('2011-1x-01', 'YYYY-MM-DD')",
    "select to_timestamp('25:00', 'HH24:MI')",
    "select to_date('10', 'DDD')",
    "select to_date('99999999999', 'YYYY')",
    "select to_timestamp('2011 +20', 'YYYY TZH')",
]

# ---- queries on the shared table --------------------------------------------------------------

T = "from transactions"
TABLE = [
    f"select round(unit_price, 1), trunc(revenue), abs(quantity), sign(quantity), mod(quantity, 7) {T}",
    f"select ceil(unit_price), floor(revenue), round(unit_price::float8), abs(revenue), div(revenue, 3) {T}",
    f"select sqrt(unit_price), power(unit_price, 2), exp(unit_price / 100) {T} "
    f"where unit_price > 0 and unit_price < 100",
    f"select ln(unit_price), log(unit_price), log10(unit_price * 10), power(unit_price, 0.5) {T} where unit_price > 0",
    f"select sqrt(unit_price::float8), ln(quantity::float8), cbrt(quantity) {T} where quantity > 0",
    f"select round(revenue / nullif(quantity, 0), 2), round(avg(unit_price), 3) {T} group by 1",
    f"select lower(description), upper(country), initcap(description), length(description) {T}",
    f"select substring(description, 2, 5), left(stock_code, 3), right(invoice_no, 2), strpos(description, 'A') {T}",
    f"select split_part(description, ' ', 2), split_part(description, ' ', -1), replace(country, ' ', '_') {T}",
    f"select lpad(stock_code, 8, '0'), rpad(country, 15, '.'), reverse(stock_code), md5(invoice_no) {T}",
    f"select trim(description), btrim(stock_code, '0123456789'), starts_with(invoice_no, 'C') {T}",
    f"select concat(invoice_no, '-', stock_code), concat_ws('/', country, customer_id, quantity) {T}",
    f"select coalesce(customer_id::text, 'none'), to_hex(customer_id), ascii(country) {T}",
    f"select date_trunc('month', invoice_date), date_trunc('week', invoice_date), date_trunc('hour', invoice_date) {T}",
    f"select extract(year from invoice_date), extract(month from invoice_date), extract(dow from invoice_date), "
    f"extract(epoch from invoice_date), extract(quarter from invoice_date) {T}",
    f"select date_part('doy', invoice_date), date_part('week', invoice_date), date_part('hour', invoice_date) {T}",
    f"select invoice_date + interval '1 month', invoice_date - interval '2 days 3 hours', "
    f"invoice_date - timestamp '2010-12-01', invoice_date::date - date '2010-12-01' {T}",
    f"select age(invoice_date, timestamp '2010-01-01'), age(timestamp '2012-01-01', invoice_date) {T}",
    f"select to_char(invoice_date, 'YYYY-MM'), to_char(invoice_date, 'Dy DD Mon YYYY HH12:MI AM'), "
    f"to_char(invoice_date, 'IYYY-IW') {T}",
    f"select to_char(unit_price, 'FM999990.00'), to_char(revenue, '999,999.99'), to_char(quantity, 'S99999') {T}",
    f"select to_char(invoice_date::date, 'YYYY-MM-DD'), date_trunc('month', invoice_date::date) {T}",
    # Power BI's year-month key: extract as numeric, cast to varchar, left(..., 4000).
    f"select left(cast(extract(year from invoice_date) as varchar), 4000) || '-' || "
    f"left(cast(extract(month from invoice_date) as varchar), 4000) {T}",
    f"select extract(year from invoice_date) as y, extract(month from invoice_date) as m, count(*), "
    f"sum(revenue) {T} group by 1, 2",
    f"select date_trunc('month', invoice_date) as m, round(sum(revenue), 2) {T} group by 1",
    f"select country {T} where strpos(lower(description), 'heart') > 0",
    f"select description {T} where starts_with(description, 'WHITE') and length(description) > 20",
    f"select quantity, power(quantity::numeric, 2), mod(quantity, -3), abs(quantity::int8) {T} where quantity < 0",
    f"select invoice_date {T} where extract(hour from invoice_date) between 9 and 10 and date_part('dow', invoice_date) = 3",
    f"select to_char(sum(revenue), 'FM999,999,990.00'), to_char(avg(quantity), '99990.999') {T}",
    # Pictures and units that change from row to row.
    f"select to_char(invoice_date, case when quantity > 5 then 'YYYY' else 'FMMM-DD' end), "
    f"date_trunc(case when quantity > 5 then 'month' else 'year' end, invoice_date), "
    f"date_part(case when quantity % 2 = 0 then 'dow' else 'doy' end, invoice_date) {T}",
    f"select to_char(quantity, case when quantity < 0 then 'S999' else 'FM999th' end), "
    f"to_char(unit_price, case when unit_price > 5 then '9990.9' else 'FM0.000' end), "
    f"to_date(to_char(invoice_date, case when quantity > 5 then 'YYYYMMDD' else 'DD Mon YYYY' end), "
    f"case when quantity > 5 then 'YYYYMMDD' else 'DD Mon YYYY' end) {T}",
]

TABLE_ERRORS = [
    f"select sqrt(quantity::numeric) {T}",
    f"select ln(quantity::float8) {T}",
    f"select mod(quantity, quantity - quantity) {T}",
    f"select split_part(country, ' ', quantity - quantity) {T}",
]


def numeric_text(rng, max_int_digits, max_scale):
    i = rng.randint(0, max_int_digits)
    s = rng.randint(0, max_scale)
    ip = str(rng.randint(0, 10 ** i - 1)) if i > 0 else "0"
    fp = "".join(rng.choice("0123456789") for _ in range(s))
    return ip + ("." + fp if s else "")


def random_numeric_queries(rng):
    """Numeric transcendental functions on random inputs: the last digit must match too."""
    qs = []
    for _ in range(40):
        x = numeric_text(rng, 8, 10)
        if float(x) == 0:
            x = "1.5"
        qs.append(f"select sqrt({x}::numeric), ln({x}::numeric), log({x}::numeric), "
                  f"exp(({x}::numeric) / 10000000)")
    n = 0
    while n < 40:
        b = numeric_text(rng, 3, 6)
        e = numeric_text(rng, 1, 4)
        k = rng.randint(-6, 12)
        sign = rng.choice(["", "-"])
        if float(b) == 0:
            continue
        # Keep results within Basket's 38 digits: |log10(result)| < 20.
        w = math.log10(float(b))
        if abs(w * float(e)) >= 20 or abs(w * k) >= 20:
            continue
        n += 1
        qs.append(f"select power({b}::numeric, {sign}{e}::numeric), "
                  f"power({b}::numeric, {k}), log({b}::numeric + 1, {e}::numeric + 2)")
    for _ in range(20):
        # |x| < 50: exp(-x) needs at most 37 decimals (Basket numerics keep 38 digits).
        x = "%d.%d" % (rng.randint(0, 49), rng.randint(0, 999))
        qs.append(f"select exp({x}::numeric), exp(-{x}::numeric), exp({x}::float8), "
                  f"round({x}::numeric, {rng.randint(-2, 4)}), trunc({x}::numeric, {rng.randint(-2, 4)})")
    for _ in range(20):
        x = numeric_text(rng, 6, 6)
        qs.append(f"select to_char({x}::numeric, '999,999.999'), to_char(-{x}::numeric, 'FM9999990.0999'), "
                  f"to_char({x}::float8, '9999999.99'), to_char({x}::numeric, '0000000.00S')")
    return qs


# ---- running ----------------------------------------------------------------------------------

class RawText(Loader):
    """The server's text output, untouched."""

    def load(self, data):
        return bytes(data).decode()


TYPES = ["bool", "int2", "int4", "int8", "oid", "float4", "float8", "numeric", "date",
         "timestamp", "timestamptz", "interval", "text", "varchar", "name", "bpchar"]


def run(conn, sql):
    try:
        cur = conn.execute(sql)
        oids = [d.type_code for d in cur.description]
        rows = cur.fetchall()
        key = lambda r: tuple("\x00NULL" if v is None else v for v in r)
        return ("ok", oids, sorted(rows, key=key))
    except psycopg.Error as e:
        return ("error", e.sqlstate, e.diag.message_primary)


def load_pg(pg, gen, tmp):
    csv = os.path.join(tmp, "sample.csv")
    subprocess.run([gen, "--rows", str(ROWS), "--seed", "42", "--out", csv], check=True,
                   stdout=subprocess.DEVNULL)
    with pg.connect() as conn:
        conn.execute(SCHEMA)
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


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: test_functions.py BASKETD BASKET_GEN")
    basketd, gen = sys.argv[1], sys.argv[2]
    rng = random.Random(SEED)
    print(f"seed: BASKET_TEST_SEED={SEED}")
    ok_queries = MATH + STRINGS + DATETIME + TO_CHAR + TO_DATE + TABLE + random_numeric_queries(rng)
    error_queries = (MATH_ERRORS + STRING_ERRORS + DATETIME_ERRORS + TO_CHAR_ERRORS +
                     TO_DATE_ERRORS + TABLE_ERRORS)
    failures = []
    tmp = tempfile.mkdtemp(prefix="basket-fn-")
    srv = BasketServer(basketd, args=["--sample", "--sample-rows", str(ROWS)])
    try:
        with PgOracle() as pg:
            load_pg(pg, gen, tmp)
            srv.start()
            with pg.connect() as pgc, psycopg.connect(
                    f"host=127.0.0.1 port={srv.port} user=basket dbname=basket",
                    autocommit=True) as bkc:
                for c in (pgc, bkc):
                    for t in TYPES:
                        c.adapters.register_loader(t, RawText)
                pgc.execute("SET lc_messages = 'C'")
                sanity = ("select count(*), sum(quantity), sum(unit_price), min(invoice_date), "
                          "max(invoice_date), count(customer_id), count(description) from transactions")
                if run(pgc, sanity) != run(bkc, sanity):
                    raise SystemExit("the sample and basket-gen's CSV differ:\n%s\n%s"
                                     % (run(pgc, sanity), run(bkc, sanity)))
                for q in ok_queries + error_queries:
                    want, got = run(pgc, q), run(bkc, q)
                    if q in error_queries and want[0] != "error":
                        failures.append((q, "PostgreSQL did not fail", want))
                    elif q in ok_queries and want[0] != "ok":
                        failures.append((q, "PostgreSQL failed", want))
                    elif want != got:
                        failures.append((q, want, got))
    finally:
        srv.stop()
        subprocess.run(["rm", "-rf", tmp])
    n = len(ok_queries) + len(error_queries)
    for q, want, got in failures:
        print(f"FAIL: {q}\n  postgres: {str(want)[:2000]}\n  basket:   {str(got)[:2000]}")
    print(f"{n - len(failures)}/{n} queries match PostgreSQL")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
