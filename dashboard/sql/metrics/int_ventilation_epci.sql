-- requires: int_droits_conventions, stg_parc
-- Intermediate: the share (part) of each convention's droits that goes to each EPCI (DOMAIN §4.4).
--   DEPARTEMENT-wide: parc_eligible of the bailleur in the EPCI (within the département)
--                     / its parc_eligible in the département; parc in communes without EPCI,
--                     or no parc at all, goes to 'NON_VENTILE'.
--   EPCI-wide: all to that EPCI. COMMUNE-wide: all to the commune's EPCI ('NON_VENTILE' if unknown).
-- The parts of a convention add up to 1.
WITH parc_dep_epci AS (
    SELECT bailleur_code, departement, coalesce(epci_siren, 'NON_VENTILE') AS epci_cle,
           sum(parc_eligible) AS parc_eligible
    FROM stg_parc
    GROUP BY ALL
),
parc_dep AS (
    SELECT bailleur_code, departement, sum(parc_eligible) AS parc_eligible
    FROM parc_dep_epci
    GROUP BY ALL
),
departementales AS (
    SELECT c.conv_id, c.bailleur_code, c.perimetre_code AS departement, d.parc_eligible AS parc_dep
    FROM int_droits_conventions AS c
    LEFT JOIN parc_dep AS d
        ON d.bailleur_code = c.bailleur_code AND d.departement = c.perimetre_code
    WHERE c.perimetre_type = 'DEPARTEMENT'
)
SELECT d.conv_id, e.epci_cle, e.parc_eligible / d.parc_dep AS part
FROM departementales AS d
JOIN parc_dep_epci AS e
    ON e.bailleur_code = d.bailleur_code AND e.departement = d.departement
WHERE d.parc_dep > 0 AND e.parc_eligible > 0
UNION ALL
SELECT conv_id, 'NON_VENTILE', 1.0
FROM departementales
WHERE coalesce(parc_dep, 0) <= 0
UNION ALL
SELECT conv_id, coalesce(epci_perimetre, 'NON_VENTILE'), 1.0
FROM int_droits_conventions
WHERE perimetre_type <> 'DEPARTEMENT'
