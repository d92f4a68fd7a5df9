-- Daily revenue and orders of the last 30 days of the data (line chart).
select cast(invoice_date as date) as day,
       sum(revenue) as revenue,
       count(distinct invoice_no) as orders
from transactions
where invoice_date >= (select cast(max(invoice_date) as date) from transactions) - interval '29 days'
group by 1
order by 1;
