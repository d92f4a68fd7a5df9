-- SPDX-License-Identifier: Apache-2.0
--
-- mixed: ingest at a fixed rate while the dashboard refreshes, and freshness: the time from
-- an INSERT's acknowledgement until a reader sees the row.
--
-- What the issue asks for is freshness of the derived tables (a committed line visible in
-- kpi_daily and customers). Those tables come with the analytics issue and do not exist yet,
-- so the freshness probe below is a STAND-IN: it polls `transactions` itself for the
-- acknowledged invoice. When kpi_daily/customers exist, change the -- freshness: line to
--   select count(*) from kpi_daily where day = cast($5 as date) and orders > 0 ...
-- (or whatever identifies the row there); nothing else changes. The reported
-- "insert_line.freshness" is measured from the acknowledgement to the completion of the
-- first probe that sees the row (polled every millisecond, given up after 10 s), so it
-- includes one probe's latency. Basket has no INSERT yet: the insert and thus the freshness
-- rows report errors on Basket today; the dashboard part runs as in dashboard.sql.
-- protocol: extended
-- description: dashboard reads while a feed inserts 20 lines/s; freshness of the inserted rows (stand-in: visibility in transactions)

-- name: insert_line
-- rate: 20
-- param: text seq 930000000
-- param: text 85123A | 22423 | 47566 | 84879
-- param: int 1..24
-- param: timestamp now
-- param: numeric 1.25 | 2.55 | 4.95
-- param: int 12346..18287
-- freshness: select count(*) from transactions where invoice_no = $1
insert into transactions (invoice_no, stock_code, description, quantity, invoice_date,
                          unit_price, customer_id, country)
values ($1, $2, 'MIXED SCENARIO LINE', $3, $4, $5, $6, 'United Kingdom');

-- name: revenue_orders_by_month
-- weight: 3
select "_"."month", "_"."a0", "_"."a1"
from (
    select "rows"."month" as "month",
        sum(cast("rows"."revenue" as decimal)) as "a0",
        count(distinct("rows"."invoice_no")) + max(case when "rows"."invoice_no" is null then 1 else 0 end) as "a1"
    from (
        select "_"."invoice_no", "_"."revenue", date_trunc('month', "_"."invoice_date") as "month"
        from "public"."transactions" "_"
        where not "_"."is_cancellation"
    ) "rows"
    group by "month"
) "_"
where not "_"."a0" is null or not "_"."a1" is null
limit 1000001;

-- name: kpi_revenue
-- weight: 3
select sum("rows"."revenue") as "a0"
from (select "revenue" from "public"."transactions" "$Table") "rows";

-- name: kpi_orders_today
-- weight: 3
select count(*) as "a0"
from (select "invoice_no", "invoice_date" from "public"."transactions" "$Table") "rows"
where "rows"."invoice_date" >= current_date;

-- name: aov_by_country
-- weight: 1
select "rows"."country" as "c8",
    sum(cast("rows"."revenue" as decimal)) as "a0",
    count(distinct("rows"."invoice_no")) as "a1"
from (select "country", "invoice_no", "revenue" from "public"."transactions" "$Table") "rows"
group by "country"
order by "a0" desc
limit 1001;
