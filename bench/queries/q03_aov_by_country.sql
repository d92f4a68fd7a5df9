-- Average order value per country: revenue over distinct invoices. The division is
-- numeric in PostgreSQL and Basket, double in DuckDB: compare.sh compares it with a tolerance.
select country,
       count(distinct invoice_no) as orders,
       sum(revenue) as revenue,
       sum(revenue) / count(distinct invoice_no) as avg_order_value
from transactions
where not is_cancellation
group by country
order by country;
