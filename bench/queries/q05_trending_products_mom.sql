-- Trending products: revenue growth in the last complete month of the data over the month
-- before it (the latest month is partial), top 20 by growth.
with monthly as (
    select stock_code,
           cast(date_trunc('month', invoice_date) as date) as month,
           sum(revenue) as revenue
    from transactions
    where not is_cancellation
    group by 1, 2
),
target as (
    select cast(date_trunc('month', max(invoice_date)) - interval '1 month' as date) as month
    from transactions
)
select cur.stock_code,
       cur.revenue as revenue_month,
       prev.revenue as revenue_previous_month,
       cur.revenue - prev.revenue as growth
from monthly cur
join target on cur.month = target.month
join monthly prev
    on prev.stock_code = cur.stock_code
    and prev.month = cast(target.month - interval '1 month' as date)
where prev.revenue > 0
order by growth desc, cur.stock_code
limit 20;
