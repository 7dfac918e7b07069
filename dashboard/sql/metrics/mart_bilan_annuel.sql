-- requires: int_mad_bilan_annuel, stg_communes
-- Mart: the yearly bilan owed to each réservataire (DOMAIN §4.8), year $annee, broken down by
-- every axis of the law at once ('typologie', 'financement', 'qpv', 'commune',
-- 'periode_construction'): per réservataire x axis x bailleur x modality the MAD proposed
-- (proposes) and those attributed (attribues, issue BAIL_SIGNE), then the same per réservataire x
-- axis x modality for all the selected bailleurs together (ensemble = true, bailleur_code NULL).
-- One query for every réservataire (the zip of all the yearly bilans reads it once); with
-- $par_reservataire false, the selected réservataires are taken together (reservataire_code
-- NULL). Selection: réservataires $f_reservataire and bailleurs $f_bailleur (empty list = all).
-- Every MAD falls in exactly one modality of each axis: each breakdown adds up to the same total.
-- On the axis 'commune', nom_commune is the commune's name (NULL outside the reference).
WITH selection AS (
    SELECT * REPLACE (CASE WHEN $par_reservataire THEN reservataire_code END
                      AS reservataire_code)
    FROM int_mad_bilan_annuel
    WHERE {{ filtres(reservataire, bailleur) }}
),
modalites AS (
    SELECT reservataire_code, bailleur_code, attribue, 'typologie' AS axe,
           typologie AS modalite, 0 AS ordre
    FROM selection
    UNION ALL
    SELECT reservataire_code, bailleur_code, attribue, 'financement', financement, 0
    FROM selection
    UNION ALL
    SELECT reservataire_code, bailleur_code, attribue, 'qpv', qpv, 0
    FROM selection
    UNION ALL
    SELECT reservataire_code, bailleur_code, attribue, 'commune', code_insee, 0
    FROM selection
    UNION ALL
    SELECT reservataire_code, bailleur_code, attribue, 'periode_construction',
           periode_construction, ordre_construction
    FROM selection
),
sommes AS (
    SELECT
        grouping(bailleur_code) = 1 AS ensemble,
        reservataire_code,
        axe,
        bailleur_code,
        modalite,
        min(ordre) AS ordre,
        count(*) AS proposes,
        count(*) FILTER (WHERE attribue) AS attribues
    FROM modalites
    GROUP BY GROUPING SETS ((reservataire_code, axe, bailleur_code, modalite),
                            (reservataire_code, axe, modalite))
)
SELECT s.*, CASE WHEN s.axe = 'commune' THEN n.nom END AS nom_commune
FROM sommes AS s
LEFT JOIN stg_communes AS n ON s.axe = 'commune' AND n.code_insee = s.modalite
