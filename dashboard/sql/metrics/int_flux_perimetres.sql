-- requires: stg_parc
-- Intermediate: flux annuel of every perimeter of every bailleur in $annee (DOMAIN §4.1).
-- One row per bailleur x perimeter (DEPARTEMENT, EPCI, COMMUNE) where the bailleur has parc rows,
-- with the perimeter's département (an EPCI's: where the bailleur's parc there mostly lies) and EPCI.
--   parc_eligible(P) = sum(parc_total - logements_exclus)
--   base(P)          = sum of the per-row base
--   taux_rotation(P) = base(P) / parc_eligible(P)            (a fraction; shown, not used further)
--   flux_annuel(P)   = max(0, base(P) - sum(mutations_prevues) - sum(relogements_prevus))
--                      clipped at the perimeter, never row by row.
WITH sommes AS (
    SELECT bailleur_code, 'DEPARTEMENT' AS perimetre_type, departement AS perimetre_code,
           departement, NULL::VARCHAR AS epci_siren,
           sum(parc_eligible) AS parc_eligible, sum(base) AS base,
           sum(mutations_prevues) AS mutations_prevues, sum(relogements_prevus) AS relogements_prevus
    FROM stg_parc
    GROUP BY bailleur_code, departement
    UNION ALL
    -- the EPCI's département: where the bailleur's parc in it mostly lies (summed per
    -- département first, not the largest single row)
    SELECT bailleur_code, 'EPCI', epci_siren,
           arg_max(departement, parc_eligible ORDER BY departement), epci_siren,
           sum(parc_eligible), sum(base), sum(mutations_prevues), sum(relogements_prevus)
    FROM (
        SELECT bailleur_code, epci_siren, departement, sum(parc_eligible) AS parc_eligible,
               sum(base) AS base, sum(mutations_prevues) AS mutations_prevues,
               sum(relogements_prevus) AS relogements_prevus
        FROM stg_parc
        WHERE epci_siren IS NOT NULL
        GROUP BY bailleur_code, epci_siren, departement
    )
    GROUP BY bailleur_code, epci_siren
    UNION ALL
    SELECT bailleur_code, 'COMMUNE', code_insee,
           any_value(departement), any_value(epci_siren),
           sum(parc_eligible), sum(base), sum(mutations_prevues), sum(relogements_prevus)
    FROM stg_parc
    GROUP BY bailleur_code, code_insee
)
SELECT
    bailleur_code,
    perimetre_type,
    perimetre_code,
    departement,
    epci_siren,
    parc_eligible::BIGINT AS parc_eligible,
    base,
    base / nullif(parc_eligible, 0) AS taux_rotation,
    mutations_prevues::BIGINT AS mutations_prevues,
    relogements_prevus::BIGINT AS relogements_prevus,
    CASE WHEN base IS NOT NULL
        THEN greatest(0.0, base - mutations_prevues - relogements_prevus)::DOUBLE
    END AS flux_annuel
FROM sommes
