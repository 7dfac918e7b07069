-- requires: int_mad_bilan_annuel, stg_communes
-- Mart: the yearly bilan owed to a réservataire (DOMAIN §4.8), year $annee, broken down by $axe
-- ('typologie', 'financement', 'qpv', 'commune', 'periode_construction'): per bailleur x modality
-- the MAD proposed (proposes) and those attributed (attribues, issue BAIL_SIGNE), then the same
-- per modality for all the selected bailleurs together (ensemble = true, bailleur_code NULL).
-- Selection: réservataires $f_reservataire and bailleurs $f_bailleur (empty list = all).
-- Every MAD falls in exactly one modality of each axis: each breakdown adds up to the same total.
-- On the axis 'commune', nom_commune is the commune's name (NULL outside the reference).
WITH selection AS (
    SELECT
        bailleur_code,
        CASE $axe
            WHEN 'typologie' THEN typologie
            WHEN 'financement' THEN financement
            WHEN 'qpv' THEN qpv
            WHEN 'commune' THEN code_insee
            WHEN 'periode_construction' THEN periode_construction
        END AS modalite,
        CASE WHEN $axe = 'periode_construction' THEN ordre_construction ELSE 0 END AS ordre,
        attribue
    FROM int_mad_bilan_annuel
    WHERE (len($f_reservataire) = 0 OR list_contains($f_reservataire, reservataire_code))
      AND (len($f_bailleur) = 0 OR list_contains($f_bailleur, bailleur_code))
),
sommes AS (
    SELECT
        grouping(bailleur_code) = 1 AS ensemble,
        bailleur_code,
        modalite,
        min(ordre) AS ordre,
        count(*) AS proposes,
        count(*) FILTER (WHERE attribue) AS attribues
    FROM selection
    GROUP BY GROUPING SETS ((bailleur_code, modalite), (modalite))
)
SELECT s.*, CASE WHEN $axe = 'commune' THEN n.nom END AS nom_commune
FROM sommes AS s
LEFT JOIN stg_communes AS n ON $axe = 'commune' AND n.code_insee = s.modalite
