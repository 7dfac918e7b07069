-- Intermediate: what the conventions of any year say of each réservataire: its type and its name
-- (the latest year first, then the most frequent value). Used for MAD without a convention
-- (type 'INCONNU' when no convention anywhere names the réservataire) and for labels.
WITH comptes AS (
    SELECT reservataire_code, annee, type_reservataire, reservataire_nom, count(*) AS n
    FROM conventions
    GROUP BY ALL
)
SELECT
    reservataire_code,
    first(type_reservataire ORDER BY annee DESC, n DESC, type_reservataire) AS type_reservataire,
    first(reservataire_nom ORDER BY reservataire_nom IS NULL, annee DESC, n DESC, reservataire_nom)
        AS reservataire_nom
FROM comptes
GROUP BY reservataire_code
