-- Mart: the years that hold data: a convention's year of exercise, or the year of a mise à
-- disposition (date_mise_a_disposition), ascending.
SELECT annee
FROM (
    SELECT DISTINCT annee FROM conventions
    UNION
    SELECT DISTINCT year(date_mise_a_disposition) FROM mises_a_disposition
)
ORDER BY annee
