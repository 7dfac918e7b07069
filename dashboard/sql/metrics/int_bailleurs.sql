-- Intermediate: the name of each bailleur, from the conventions of any year (the latest year
-- first, then the most frequent spelling).
WITH comptes AS (
    SELECT bailleur_code, annee, bailleur_nom, count(*) AS n
    FROM conventions
    WHERE bailleur_nom IS NOT NULL
    GROUP BY ALL
)
SELECT bailleur_code, first(bailleur_nom ORDER BY annee DESC, n DESC, bailleur_nom) AS bailleur_nom
FROM comptes
GROUP BY bailleur_code
