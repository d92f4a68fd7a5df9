-- One customer's history, newest first (customer 12748 exists in the UCI data and in
-- basket-gen's). Every column is in the ORDER BY, so duplicate lines cannot swap.
select invoice_no, invoice_date, stock_code, description, quantity, unit_price, revenue
from transactions
where customer_id = 12748
order by invoice_date desc, invoice_no, stock_code, quantity, unit_price, description;
