-- SPDX-License-Identifier: Apache-2.0
--
-- adhoc: the heavy queries an analyst runs from psql or a notebook (simple protocol, text
-- results): RFM scoring with window functions, churn features, cohort retention and market
-- basket analysis with joins, rankings within groups. Run with few clients (2). Most need
-- joins, CTEs, window functions or DISTINCT, which Basket answers with 0A000 today; the two
-- flat group-bys at the end run on Basket now.
-- protocol: simple
-- description: analyst queries: RFM, churn features, cohorts, market basket, rankings

-- name: rfm_scores
-- weight: 2
with customer as (
    select customer_id,
           max(invoice_date) as last_purchase,
           count(distinct invoice_no) as frequency,
           sum(revenue) as monetary
    from transactions
    where customer_id is not null and not is_cancellation
    group by customer_id
)
select customer_id,
       ntile(5) over (order by last_purchase) as r,
       ntile(5) over (order by frequency) as f,
       ntile(5) over (order by monetary) as m,
       monetary
from customer
order by monetary desc
limit 100;

-- name: churn_features
-- weight: 2
with ref as (select max(invoice_date) as last_ts from transactions)
select t.customer_id,
       extract(day from max(ref.last_ts) - max(t.invoice_date)) as recency_days,
       count(distinct t.invoice_no) as orders,
       sum(t.revenue) as net_revenue,
       avg(t.revenue) as avg_line_value,
       sum(case when t.is_cancellation then 1 else 0 end)::numeric / count(*) as cancel_rate,
       count(distinct t.stock_code) as products,
       max(ref.last_ts) - max(t.invoice_date) > interval '90 days' as churned
from transactions t cross join ref
where t.customer_id is not null
group by t.customer_id;

-- name: cohort_retention
-- weight: 1
with first_month as (
    select customer_id, min(date_trunc('month', invoice_date)) as cohort
    from transactions
    where customer_id is not null and not is_cancellation
    group by customer_id
)
select f.cohort,
       date_trunc('month', t.invoice_date) as month,
       count(distinct t.customer_id) as active_customers
from transactions t
join first_month f on f.customer_id = t.customer_id
where not t.is_cancellation
group by 1, 2
order by 1, 2;

-- name: bought_together
-- weight: 1
select b.stock_code, max(b.description) as description, count(distinct b.invoice_no) as invoices
from transactions a
join transactions b on b.invoice_no = a.invoice_no and b.stock_code <> a.stock_code
where a.stock_code = '21276A'
group by b.stock_code
order by invoices desc, b.stock_code
limit 20;

-- name: top_customers_per_country
-- weight: 1
select country, customer_id, revenue, rank
from (
    select country, customer_id, sum(revenue) as revenue,
           rank() over (partition by country order by sum(revenue) desc) as rank
    from transactions
    where customer_id is not null
    group by country, customer_id
) ranked
where rank <= 3
order by country, rank;

-- name: revenue_by_country
-- weight: 2
select country, count(*) as lines, sum(quantity) as units, sum(revenue) as revenue,
       avg(unit_price) as avg_price
from transactions
where not is_cancellation
group by country
order by revenue desc;

-- name: price_bands
-- weight: 2
select case
           when unit_price < 1 then 'a: under 1'
           when unit_price < 5 then 'b: 1 to 5'
           when unit_price < 20 then 'c: 5 to 20'
           else 'd: 20 and more'
       end as band,
       count(*) as lines,
       sum(revenue) as revenue,
       sum(case when is_cancellation then 1 else 0 end) as cancelled_lines
from transactions
group by 1
order by 1;
