-- Staging: one row per EPCI (SIREN) with its name and département. When an EPCI appears twice
-- (shipped reference and a DGCL import) the imported row wins; without a département of its
-- own, the département holding most of its communes.
WITH epci_unique AS (
    SELECT
        epci_siren,
        first(nom ORDER BY import_id DESC NULLS LAST) AS epci_nom,
        first(departement ORDER BY import_id DESC NULLS LAST) AS departement
    FROM epci
    GROUP BY epci_siren
),
departement_communes AS (
    SELECT epci_siren, mode(departement) AS departement
    FROM communes
    WHERE epci_siren IS NOT NULL
    GROUP BY epci_siren
)
SELECT e.epci_siren, e.epci_nom, coalesce(e.departement, d.departement) AS departement
FROM epci_unique AS e
LEFT JOIN departement_communes AS d USING (epci_siren)
