-- SPDX-License-Identifier: Apache-2.0
--
-- ingest: a point-of-sale feed writing invoice lines: single-line INSERTs, one five-line
-- invoice per INSERT, and COPY batches of 1,000 lines. The latency of a statement is its
-- acknowledgement latency (CommandComplete after the server has taken the rows); rows/s
-- counts rows written, bytes/s the COPY data sent. Every statement names the eight source
-- columns; revenue and is_cancellation are derived by the server (README "Data").
-- Invoice numbers come from `seq 900000000`, unique per client and run. COPY runs in the
-- simple protocol whatever --protocol says. Basket has no INSERT or COPY yet (0A000).
-- This scenario adds rows: run it last, or on a server you reload afterwards.
-- protocol: prepared
-- description: streaming INSERTs and COPY batches (acknowledgement latency)

-- name: insert_line
-- weight: 8
-- param: text seq 900000000
-- param: text 85123A | 22423 | 47566 | 84879 | 20725 | 22720 | 23084 | 22197
-- param: text WHITE HANGING HEART T-LIGHT HOLDER | REGENCY CAKESTAND 3 TIER | PARTY BUNTING
-- param: int 1..24
-- param: timestamp now
-- param: numeric 0.85 | 1.25 | 2.55 | 2.95 | 4.95 | 12.75
-- param: int 12346..18287
-- param: text United Kingdom | Germany | France | EIRE | Netherlands
insert into transactions (invoice_no, stock_code, description, quantity, invoice_date,
                          unit_price, customer_id, country)
values ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: insert_invoice_5_lines
-- weight: 2
-- param: text seq 910000000
-- param: int 12346..18287
-- param: timestamp now
insert into transactions (invoice_no, stock_code, description, quantity, invoice_date,
                          unit_price, customer_id, country)
values ($1, '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 6, $3, 2.55, $2, 'United Kingdom'),
       ($1, '22423', 'REGENCY CAKESTAND 3 TIER', 1, $3, 12.75, $2, 'United Kingdom'),
       ($1, '47566', 'PARTY BUNTING', 4, $3, 4.95, $2, 'United Kingdom'),
       ($1, '84879', 'ASSORTED COLOUR BIRD ORNAMENT', 8, $3, 1.69, $2, 'United Kingdom'),
       ($1, 'POST', 'POSTAGE', 1, $3, 18.00, $2, 'United Kingdom');

-- name: copy_batch_1000
-- weight: 1
-- copy: 1000
-- copy-row: $1,85123A,WHITE HANGING HEART T-LIGHT HOLDER,$2,$3,2.55,$4,United Kingdom
-- param: text seq 920000000
-- param: int 1..24
-- param: timestamp now
-- param: int 12346..18287
copy transactions (invoice_no, stock_code, description, quantity, invoice_date, unit_price,
                   customer_id, country)
from stdin with (format csv);
