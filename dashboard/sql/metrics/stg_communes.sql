-- Staging: one row per commune (INSEE code) with its name, département and EPCI.
-- When a commune appears twice (shipped reference and a DGCL import), the imported row wins.
SELECT
    code_insee,
    first(departement ORDER BY import_id DESC NULLS LAST) AS departement,
    first(epci_siren ORDER BY import_id DESC NULLS LAST) AS epci_siren,
    first(nom ORDER BY import_id DESC NULLS LAST) AS nom
FROM communes
GROUP BY code_insee
