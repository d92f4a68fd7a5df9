-- SPDX-License-Identifier: Apache-2.0
--
-- The transactions table of README.md "Data" on PostgreSQL 15, for bench/compare.sh.
-- revenue and is_cancellation are derived exactly as Basket derives them (quantity *
-- unit_price; the invoice number starts with C), as generated columns, so an INSERT or COPY
-- that names the eight source columns works on both servers. The CSV is copied first into
-- an unlogged staging table with customer_id as numeric, because the Online Retail files
-- write it as 17850.0, which integer input rejects.
-- compare.sh runs it in timed parts, split at the lines "--@ <part>": the schema, then (not in
-- this file) COPY staging FROM STDIN with the CSV on psql's stdin, then derive and index.
drop table if exists transactions;
drop table if exists staging;
create unlogged table staging (
    invoice_no text,
    stock_code text,
    description text,
    quantity integer,
    invoice_date timestamp,
    unit_price numeric,
    customer_id numeric,
    country text
);
create table transactions (
    invoice_no text,
    stock_code text,
    description text,
    quantity integer,
    invoice_date timestamp,
    unit_price numeric,
    customer_id integer,
    country text,
    revenue numeric generated always as (quantity * unit_price) stored,
    is_cancellation boolean generated always as (starts_with(invoice_no, 'C')) stored
);
--@ derive
insert into transactions
    (invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country)
select invoice_no, stock_code, description, quantity, invoice_date, unit_price,
       customer_id::integer, country
from staging;
drop table staging;
--@ index
-- The point queries of the lookup scenario and the freshness probes of mixed.sql are what
-- a PostgreSQL user would index; Basket relies on zone maps instead.
create index transactions_customer_id on transactions (customer_id);
create index transactions_invoice_no on transactions (invoice_no);
vacuum analyze transactions;
