-- requires: stg_communes
-- Intermediate: the mises à disposition that count in year $annee, in either view (DOMAIN §4.3):
--   compte_mad : dated (date_mise_a_disposition) in $annee          -> view 'mad'
--   compte_bail: issue BAIL_SIGNE with date_bail in $annee           -> view 'baux'
-- each placed in the département and EPCI of its commune (epci_cle 'NON_VENTILE' when the commune
-- has no known EPCI), with the quarter of each date and its public_prioritaire flag (NULL: not
-- given in the export).
SELECT
    m.bailleur_code,
    m.reference,
    m.code_insee,
    m.categorie,
    m.reservataire_code,
    m.issue,
    m.public_prioritaire,
    coalesce(
        c.departement,
        CASE WHEN m.code_insee LIKE '97%' THEN left(m.code_insee, 3) ELSE left(m.code_insee, 2) END
    ) AS departement,
    c.epci_siren,
    coalesce(c.epci_siren, 'NON_VENTILE') AS epci_cle,
    m.date_mise_a_disposition >= make_date($annee, 1, 1)
        AND m.date_mise_a_disposition < make_date($annee + 1, 1, 1) AS compte_mad,
    quarter(m.date_mise_a_disposition) AS trimestre_mad,
    coalesce(m.issue = 'BAIL_SIGNE'
        AND m.date_bail >= make_date($annee, 1, 1)
        AND m.date_bail < make_date($annee + 1, 1, 1), false) AS compte_bail,
    quarter(m.date_bail) AS trimestre_bail
FROM mises_a_disposition AS m
LEFT JOIN stg_communes AS c USING (code_insee)
WHERE (m.date_mise_a_disposition >= make_date($annee, 1, 1)
       AND m.date_mise_a_disposition < make_date($annee + 1, 1, 1))
   OR (m.issue = 'BAIL_SIGNE'
       AND m.date_bail >= make_date($annee, 1, 1)
       AND m.date_bail < make_date($annee + 1, 1, 1))
