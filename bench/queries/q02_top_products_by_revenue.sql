-- Top 20 products by revenue (bestsellers). Ties broken by stock code.
select stock_code,
       max(description) as description,
       sum(revenue) as revenue,
       sum(quantity) as units
from transactions
where not is_cancellation
group by stock_code
order by revenue desc, stock_code
limit 20;
