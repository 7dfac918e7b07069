-- requires: stg_epci
-- Intermediate: the latest statut of each EPCI x document (DOMAIN §3.5): CIL, CIA, PPGDID,
-- COTATION x ADOPTE, EN_COURS, NON_ENGAGE. An import replaces the rows of its EPCI, so there is
-- normally one row per EPCI x document; otherwise the latest import wins, then the latest date.
-- With the EPCI's name and département (stg_epci; the SIREN when the reference lacks it).
WITH derniers AS (
    SELECT epci_siren, document, statut, date_document
    FROM documents_epci
    QUALIFY row_number() OVER (
        PARTITION BY epci_siren, document
        ORDER BY import_id DESC, date_document DESC NULLS LAST, statut
    ) = 1
)
SELECT
    d.epci_siren,
    coalesce(e.epci_nom, d.epci_siren) AS epci_nom,
    e.departement,
    d.document,
    d.statut,
    d.date_document
FROM derniers AS d
LEFT JOIN stg_epci AS e USING (epci_siren)
