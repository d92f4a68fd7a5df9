-- Churn features per known customer: recency and tenure in days (relative to the last
-- invoice of the data), orders, cancellations, net revenue, units, distinct products, and
-- the churn label of the analytics issue (no purchase in the last 90 days).
with ref as (
    select cast(max(invoice_date) as date) as last_day
    from transactions
)
select t.customer_id,
       ref.last_day - cast(max(t.invoice_date) as date) as recency_days,
       cast(max(t.invoice_date) as date) - cast(min(t.invoice_date) as date) as tenure_days,
       count(distinct t.invoice_no) filter (where not t.is_cancellation) as orders,
       count(distinct t.invoice_no) filter (where t.is_cancellation) as cancellations,
       sum(t.revenue) as net_revenue,
       sum(t.quantity) as units,
       count(distinct t.stock_code) as products,
       ref.last_day - cast(max(t.invoice_date) as date) > 90 as churned
from transactions t
cross join ref
where t.customer_id is not null
group by t.customer_id, ref.last_day
order by t.customer_id;
