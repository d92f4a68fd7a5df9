-- CREATE TABLE and INSERT, run by psql on Basket and on PostgreSQL 15: the outputs must be
-- identical (tests/sql/test_dml.py). Every statement here is one PostgreSQL runs the same way
-- on any version-15 server; NOTICE-producing statements live in test_dml.py.
create table items (id int not null, qty smallint, big bigint, price numeric(10,2),
                    ratio double precision, f4 real, name text, code varchar(5), ok boolean,
                    day date, at timestamp, atz timestamptz, span interval, n numeric);
insert into items values (1, 2, 3, 4.5, 0.25, 1.5, 'one', 'a', true, '2011-01-02',
                          '2011-01-02 03:04:05', '2011-01-02 03:04:05+00', '1 day', 1.25);
insert into items (id, name) values (2, 'two'), (3, 'three'), (4, null);
insert into items (name, id) values ('five', 5);
insert into items values (6);
insert into items values (7, default, default, 9.999);
insert into items (id, price) values (8, 12.345), (9, -0.005), (10, 99999999.994);
insert into items (id, price) values (11, 123456789.5);
insert into items (id, qty) values (12, 32767), (13, -32768);
insert into items (id, qty) values (14, 32768);
insert into items (id, qty) values (15, 2.5), (16, 3.5), (17, -2.5);
insert into items (id, big) values (18, 9223372036854775807), (19, 1e18);
insert into items (id, big) values (20, 9223372036854775808);
insert into items (id, ratio, f4) values (21, 1, 2), (22, 1.5e30, 3.25), (23, '-0.5', '7');
insert into items (id, name) values (24, 42), (25, 1.5), (26, true), (27, '2011-01-01'::date);
insert into items (id, code) values (28, 'abcde'), (29, 'abc  '), (30, 'abcdef  ');
insert into items (id, code) values (31, 'abcdef');
insert into items (id, code) values (32, 'ÄÖÜäö'), (33, 'ÄÖÜäöü');
insert into items (id, ok) values (34, 'yes'), (35, 'f'), (36, null);
insert into items (id, ok) values (37, 1);
insert into items (id, day, at) values (38, '2011-12-09 12:50:00', '2011-12-09'),
                                      (39, '2011-12-09 12:50:00'::timestamp, '2010-12-01'::date);
insert into items (id, day) values (40, 20110101);
insert into items (id, atz) values (41, '2011-06-01 10:00:00'::timestamp);
insert into items (id, span) values (42, '1 year 2 months 3 days 04:05:06');
insert into items (id, n) values (43, 123456789012.123456), (44, -0.000001);
insert into items (id) values (45, 46);
insert into items (id, name) values (47);
insert into items (id, id) values (48, 49);
insert into items (id, nosuch) values (50, 1);
insert into items values (51), (52, 'x');
insert into nosuch values (1);
insert into items (id) values ('x');
insert into items (id) select 53;
insert into items (id, name) select 54, 'fifty-four';
insert into items (id, name) select '55', null;
insert into items (id, name) select 56, 'x'::varchar;
insert into items (id) select 'x'::text;
insert into items (id, qty) select 57, 1 + 1;
insert into items (id, ratio) select id + 1000, ratio * 2 from items where ratio is not null;
insert into items (id, name) select id + 2000, upper(name) from items where name like 't%';
insert into items (id) select 1 where false;
insert into items (id, qty) select id + 3000, qty from items where qty > 30000;
select id, qty, big, price, ratio, f4, name, code, ok, day, at, atz, span, n
  from items order by id;
select count(*), sum(price), sum(qty), min(name), max(code) from items;
create table items (x int);
create table t2 (a int, a text);
create table "Mixed Case" ("Col A" int, "b" text);
insert into "Mixed Case" values (1, 'x');
insert into "Mixed Case" ("Col A") values (2);
select * from "Mixed Case" order by 1;
create table public.t3 (a int);
insert into public.t3 values (1);
select * from t3;
create table nosuchschema.t4 (a int);
create table t12 (a nosuchtype);
create table t14 (a varchar(0));
create table t15 (a int null not null);
create table t16 ();
insert into t16 default values;
select count(*) from t16;
insert into items default values;
create table gen (a int, b numeric, c numeric generated always as (a * b) stored, e text,
                  d text generated always as ('<' || e || '>') stored);
insert into gen values (2, 1.5);
insert into gen values (2, 1.5, default, 'x', default);
insert into gen values (2, 1.5, 3);
insert into gen (a, c) values (2, 3);
insert into gen (c) select 1;
insert into gen (a, b, e) values (3, null, 'y'), (null, 2, null);
insert into gen (a, b, e) select a + 1, b * 2, e || e from gen where a is not null;
select * from gen order by a, b, e;
create table gen2 (a int, c int generated always as (c2 * 2) stored,
                   c2 int generated always as (a) stored);
create table gen3 (a int, c int generated always as (nosuch * 2) stored);
create table gen4 (a int, c int generated always as (sum(a)) stored);
create table gen5 (a int, c int generated always as (a + 1) stored generated always as (a) stored);
