-- Intermediate: the type and the name of each réservataire. The referential of réservataires
-- (DOMAIN §3.6) gives both; for a code the referential does not hold (a database filled before
-- it existed), what the conventions of any year say (the latest year first, then the most
-- frequent value). Used for MAD without a convention (type 'INCONNU' only when nothing gives
-- it) and for labels.
WITH comptes AS (
    SELECT reservataire_code, annee, type_reservataire, reservataire_nom, count(*) AS n
    FROM conventions
    GROUP BY ALL
),
par_conventions AS (
    SELECT
        reservataire_code,
        first(type_reservataire ORDER BY annee DESC, n DESC, type_reservataire) AS type_reservataire,
        first(reservataire_nom ORDER BY reservataire_nom IS NULL, annee DESC, n DESC, reservataire_nom)
            AS reservataire_nom
    FROM comptes
    GROUP BY reservataire_code
)
SELECT reservataire_code, type_reservataire, nom AS reservataire_nom
FROM reservataires
UNION ALL
SELECT c.reservataire_code, c.type_reservataire, c.reservataire_nom
FROM par_conventions AS c
WHERE NOT EXISTS (SELECT 1 FROM reservataires AS r WHERE r.reservataire_code = c.reservataire_code)
