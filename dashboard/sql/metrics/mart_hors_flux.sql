-- requires: int_mad
-- Mart: hors flux of year $annee as of quarter $trimestre, per $par (bailleur, epci,
-- departement, trimestre, total) (DOMAIN §4.5). Over the MAD rows dated
-- (date_mise_a_disposition) in the window, placed in the EPCI and département of their commune:
--   counts of MUTATION, RELOGEMENT, PREMIERE_LOCATION, STOCK; hors_flux = their sum;
--   dans_le_flux = FLUX + NON_RESERVE; total_mad = all rows;
--   part_hors_flux = hors_flux / total_mad (undefined when there is no row).
-- Window as in mart_bilan ('cumul' = quarters 1..$trimestre, 'trimestre' = that quarter; the
-- axis 'trimestre' gives each quarter its own figures).
WITH selection AS (
    SELECT *
    FROM int_mad
    WHERE compte_mad
      AND trimestre_mad <= $trimestre
      AND (trimestre_mad = $trimestre OR $periode = 'cumul' OR $par = 'trimestre')
      AND {{ filtres(departement, epci, bailleur) }}
),
sommes AS (
    SELECT
        CASE $par
            WHEN 'bailleur' THEN bailleur_code
            WHEN 'epci' THEN epci_cle
            WHEN 'departement' THEN departement
            WHEN 'trimestre' THEN $annee::VARCHAR || '-T' || trimestre_mad::VARCHAR
            ELSE 'TOTAL'
        END AS cle,
        count(*) FILTER (WHERE categorie = 'MUTATION') AS mutations,
        count(*) FILTER (WHERE categorie = 'RELOGEMENT') AS relogements,
        count(*) FILTER (WHERE categorie = 'PREMIERE_LOCATION') AS premieres_locations,
        count(*) FILTER (WHERE categorie = 'STOCK') AS stock,
        count(*) FILTER (WHERE categorie IN ('MUTATION', 'RELOGEMENT', 'PREMIERE_LOCATION', 'STOCK'))
            AS hors_flux,
        count(*) FILTER (WHERE categorie IN ('FLUX', 'NON_RESERVE')) AS dans_le_flux,
        count(*) AS total_mad
    FROM selection
    GROUP BY ALL
)
SELECT *, hors_flux / nullif(total_mad, 0) AS part_hors_flux
FROM sommes
