-- SPDX-License-Identifier: Apache-2.0
--
-- lookup: point queries of a customer-service screen: one customer, one invoice, one
-- product. Prepared once per connection (Parse once, Bind/Execute per call), binary
-- results, as JDBC, Npgsql and psycopg applications do. Run with many clients (8+).
--
-- Parameters: `-- param: int A | B | ...` picks one of the listed ids uniformly, and
-- `-- param: int LO..HI` any integer in the range. The customer ids listed are 40 real ids of
-- the data basket-gen writes with its default seed (42), chosen by
--   select customer_id from transactions where customer_id is not null
--   group by 1 order by md5(customer_id::text) limit 40;
-- The ranges cover the UCI id spaces (customers 12346..18287, invoices 536365..581587), so
-- they also work on the real data, where some draws hit no row (still a point query).
-- Today Basket answers Parse with 0A000, so every statement is an error on Basket.
-- protocol: prepared
-- description: point queries on one customer / one invoice / one product (prepared)

-- name: customer_history
-- weight: 4
-- param: int 17684 | 17591 | 17793 | 12880 | 17382 | 12557 | 16034 | 12959 | 14896 | 13013 | 17412 | 18251 | 16039 | 16097 | 17195 | 14821 | 12498 | 14157 | 14368 | 17758 | 16032 | 15399 | 16122 | 16321 | 14107 | 13032 | 17867 | 14927 | 16901 | 16312 | 13968 | 17637 | 12362 | 13762 | 12771 | 17273 | 12514 | 12766 | 14940 | 14784
select invoice_no, invoice_date, stock_code, description, quantity, unit_price, revenue
from transactions
where customer_id = $1
order by invoice_date desc
limit 100;

-- name: customer_summary
-- weight: 2
-- param: int 12346..18287
select count(*) as lines, sum(revenue) as revenue, min(invoice_date) as first_purchase,
       max(invoice_date) as last_purchase
from transactions
where customer_id = $1;

-- name: invoice_lines
-- weight: 4
-- param: text 536365..581587
select stock_code, description, quantity, unit_price, revenue, customer_id, country
from transactions
where invoice_no = $1;

-- name: product_sales
-- weight: 1
-- param: text 21276A | 21058A | 85843 | 22288a | 90372B | 21934 | 23150 | 23894B | 20951 | 16841 | 23635C | 85638 | 90271 | 23579 | 84197 | 21252B | 84934C | 23777 | 21064 | 16639 | 85123A | 22423
select country, count(*) as lines, sum(quantity) as units, sum(revenue) as revenue
from transactions
where stock_code = $1
group by country
order by revenue desc;
