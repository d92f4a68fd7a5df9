-- Distinct (known) customers per country.
select country,
       count(distinct customer_id) as customers
from transactions
where customer_id is not null
group by country
order by customers desc, country;
