-- SPDX-License-Identifier: Apache-2.0
--
-- dashboard: one refresh of the Product Sales Dashboard as Power BI Desktop sends it in
-- DirectQuery mode (Npgsql: extended protocol, binary results, no parameters, literals
-- inlined), several visuals at once: run it with --clients 4 or more. The shapes follow
-- ../shared/clients/powerbi-directquery.sql (nested "_"/"rows" layers, casts to decimal,
-- count(distinct) + max(case ...) for distinct counts, limit 1000001 / 1001), written over the
-- `transactions` table because the model's sales/kpi_daily/trending_products tables do not
-- exist yet. Month and day buckets are Power Query custom columns folded into the innermost
-- select. Today Basket answers the extended protocol with 0A000, so every statement is
-- reported as an error on Basket; `--protocol simple` shows which shapes its SQL handles.
-- protocol: extended
-- description: Power BI DirectQuery refresh of the Product Sales Dashboard

-- name: revenue_orders_by_month
-- weight: 3
select "_"."month",
    "_"."a0",
    "_"."a1"
from
(
    select "rows"."month" as "month",
        sum(cast("rows"."revenue" as decimal)) as "a0",
        count(distinct("rows"."invoice_no")) + max(
            case
                when "rows"."invoice_no" is null then 1
                else 0
            end
        ) as "a1"
    from
    (
        select "_"."invoice_no",
            "_"."revenue",
            date_trunc('month', "_"."invoice_date") as "month"
        from "public"."transactions" "_"
        where not "_"."is_cancellation"
    ) "rows"
    group by "month"
) "_"
where not "_"."a0" is null or not "_"."a1" is null
limit 1000001;

-- name: bestsellers_topn
-- weight: 2
select
            "rows"."description" as "description",
            sum(cast("rows"."revenue" as decimal)) as "a0"
        from
            (
                select
                    "_"."description",
                    "_"."revenue"
                from
                    "public"."transactions" "_"
            ) "rows"
        group by
            "description"
        order by
            "a0" desc
        limit
            10;

-- name: bestsellers_table
-- weight: 2
select "_"."description",
    "_"."a0",
    "_"."a1"
from
(
    select "rows"."description" as "description",
        sum(cast("rows"."revenue" as decimal)) as "a0",
        sum("rows"."quantity") as "a1"
    from
    (
        select "_"."description",
            "_"."quantity",
            "_"."revenue"
        from
        (
            select "description",
                "quantity",
                "revenue"
            from "public"."transactions" "$Table"
        ) "_"
        where "_"."description" in ('PAISLEY ANGEL ALARM CLOCK', 'YELLOW DOLLY GIRL MUG', 'ENGLISH DOG OVEN GLOVE', 'DOTCOM POSTAGE', 'PAPER AQUA STOCKING', 'SET/10 ENAMEL LOVEBIRD APRON', 'DOILY DOG BUNTING', 'PACK OF 12 CHOCOLATE LANTERN', 'REGENCY CAKESTAND 3 TIER', 'PAPER CHAIN KIT 50''S CHRISTMAS ')
    ) "rows"
    group by "description"
) "_"
where not "_"."a0" is null or not "_"."a1" is null
limit 1000001;

-- name: trending_products
-- weight: 1
select "_"."stock_code",
    "_"."a0",
    "_"."a1",
    "_"."a2"
from
(
    select "rows"."stock_code" as "stock_code",
        sum(cast("rows"."growth" as decimal)) as "a0",
        sum(cast("rows"."revenue_recent" as decimal)) as "a1",
        sum(cast("rows"."revenue_previous" as decimal)) as "a2"
    from
    (
        select "stock_code",
            "revenue_recent",
            "revenue_previous",
            "revenue_recent" - "revenue_previous" as "growth"
        from
        (
            select "stock_code",
                sum(case when "invoice_date" >= timestamp '2011-11-01 00:00:00' then "revenue" else 0 end) as "revenue_recent",
                sum(case when "invoice_date" < timestamp '2011-11-01 00:00:00' then "revenue" else 0 end) as "revenue_previous"
            from "public"."transactions"
            where "invoice_date" >= timestamp '2011-10-01 00:00:00' and "invoice_date" < timestamp '2011-12-01 00:00:00'
                and not "is_cancellation"
            group by "stock_code"
        ) "$Table"
    ) "rows"
    group by "stock_code"
) "_"
where (not "_"."a0" is null or not "_"."a1" is null) or not "_"."a2" is null
order by "_"."a0" desc
limit 10;

-- name: aov_by_country
-- weight: 2
select "_"."country" as "c8",
    "_"."a0" as "a0",
    "_"."a1" as "a1"
from
(
    select "_"."country",
        "_"."a0",
        "_"."a1"
    from
    (
        select "rows"."country" as "country",
            sum(cast("rows"."revenue" as decimal)) as "a0",
            count(distinct("rows"."invoice_no")) + max(
                case
                    when "rows"."invoice_no" is null then 1
                    else 0
                end
            ) as "a1"
        from
        (
            select "_"."country",
                "_"."invoice_no",
                "_"."revenue"
            from "public"."transactions" "_"
            where "_"."invoice_date" >= timestamp '2011-01-01 00:00:00' and "_"."invoice_date" < timestamp '2012-01-01 00:00:00'
        ) "rows"
        group by "country"
    ) "_"
    where not "_"."a0" is null or not "_"."a1" is null
) "_"
order by "_"."a0" desc,
        "_"."country"
limit 1001;

-- name: daily_revenue_30d
-- weight: 2
select "_"."day" as "c53",
    "_"."a0" as "a0",
    "_"."a1" as "a1"
from
(
    select "rows"."day" as "day",
        sum(cast("rows"."revenue" as decimal)) as "a0",
        count(distinct("rows"."invoice_no")) + max(
            case
                when "rows"."invoice_no" is null then 1
                else 0
            end
        ) as "a1"
    from
    (
        select "_"."invoice_no",
            "_"."revenue",
            cast("_"."invoice_date" as date) as "day"
        from "public"."transactions" "_"
        where "_"."invoice_date" >= timestamp '2011-11-10 00:00:00' and "_"."invoice_date" < timestamp '2011-12-10 00:00:00'
    ) "rows"
    group by "day"
) "_"
where not "_"."a0" is null or not "_"."a1" is null
order by "_"."day"
limit 1001;

-- name: kpi_revenue
-- weight: 3
select sum("rows"."revenue") as "a0"
from
(
    select "revenue"
    from "public"."transactions" "$Table"
) "rows";

-- name: kpi_orders
-- weight: 3
select
  count(distinct("rows"."invoice_no")) + max(
    case
      when "rows"."invoice_no" is null then 1
      else 0
    end
  ) as "a0"
from
  (
    select
      "invoice_no"
    from
      "public"."transactions" "$Table"
  ) "rows";

-- name: kpi_customers
-- weight: 3
select
  count(distinct("rows"."customer_id")) + max(
    case
      when "rows"."customer_id" is null then 1
      else 0
    end
  ) as "a0"
from
  (
    select
      "customer_id"
    from
      "public"."transactions" "$Table"
  ) "rows";

-- name: date_slicer
-- weight: 1
select
  max("rows"."invoice_date") as "a0",
  min("rows"."invoice_date") as "a1"
from
  (
    select
      "invoice_date"
    from
      "public"."transactions" "$Table"
  ) "rows";

-- name: country_slicer
-- weight: 1
select
  "rows"."country" as "country"
from
  (
    select
      "country"
    from
      "public"."transactions" "$Table"
  ) "rows"
group by
  "country"
limit
  1000001;
