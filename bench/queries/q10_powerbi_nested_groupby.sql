-- A Power BI DirectQuery table visual in the shape Power BI sends (see
-- ../shared/clients/powerbi-directquery.sql): country, summed revenue and quantity over a
-- half year, the innermost select listing every column of the table. Power BI sends no
-- ORDER BY here (it sorts client-side); the one before the limit makes the result comparable.
select "_"."country",
    "_"."a0",
    "_"."a1"
from
(
    select "rows"."country" as "country",
        sum(cast("rows"."revenue" as decimal)) as "a0",
        sum("rows"."quantity") as "a1"
    from
    (
        select "_"."invoice_no",
            "_"."stock_code",
            "_"."description",
            "_"."quantity",
            "_"."invoice_date",
            "_"."unit_price",
            "_"."customer_id",
            "_"."country",
            "_"."revenue",
            "_"."is_cancellation"
        from "public"."transactions" "_"
        where "_"."invoice_date" < timestamp '2011-07-01 00:00:00' and "_"."invoice_date" >= timestamp '2011-01-01 00:00:00'
    ) "rows"
    group by "country"
) "_"
where not "_"."a0" is null or not "_"."a1" is null
order by "_"."country"
limit 1000001;
