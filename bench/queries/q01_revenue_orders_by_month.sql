-- Revenue and orders per month (dashboard column chart). Cancellations excluded.
select cast(date_trunc('month', invoice_date) as date) as month,
       sum(revenue) as revenue,
       count(distinct invoice_no) as orders
from transactions
where not is_cancellation
group by 1
order by 1;
