-- RFM: recency, frequency and monetary quintiles per customer with NTILE, then the number of
-- customers and their revenue in each of the 125 cells. Ties in the NTILE orderings are
-- broken by customer_id so the quintiles are the same on every engine.
with customer as (
    select customer_id,
           max(invoice_date) as last_purchase,
           count(distinct invoice_no) as frequency,
           sum(revenue) as monetary
    from transactions
    where customer_id is not null and not is_cancellation
    group by customer_id
),
scored as (
    select customer_id,
           monetary,
           ntile(5) over (order by last_purchase, customer_id) as r,
           ntile(5) over (order by frequency, customer_id) as f,
           ntile(5) over (order by monetary, customer_id) as m
    from customer
)
select r, f, m,
       count(*) as customers,
       sum(monetary) as revenue
from scored
group by r, f, m
order by r, f, m;
