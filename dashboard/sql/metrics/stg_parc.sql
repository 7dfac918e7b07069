-- requires: stg_communes
-- Staging: the parc rows of the year $annee (figures at 31/12 of $annee - 1), placed in their
-- département and EPCI, with the per-row terms of DOMAIN §4.1:
--   parc_eligible = parc_total - logements_exclus
--   base          = parc_eligible x taux_rotation / 100 when an agreed rate is given, else liberations
-- A commune missing from the reference keeps the département read from its INSEE code
-- (3 characters for the overseas 97x codes) and has no EPCI.
SELECT
    p.bailleur_code,
    p.code_insee,
    coalesce(
        c.departement,
        CASE WHEN p.code_insee LIKE '97%' THEN left(p.code_insee, 3) ELSE left(p.code_insee, 2) END
    ) AS departement,
    c.epci_siren,
    (p.parc_total - p.logements_exclus)::BIGINT AS parc_eligible,
    CASE
        WHEN p.taux_rotation IS NOT NULL
            THEN (p.parc_total - p.logements_exclus) * p.taux_rotation / 100.0
        ELSE p.liberations::DOUBLE
    END AS base,
    p.mutations_prevues::BIGINT AS mutations_prevues,
    p.relogements_prevus::BIGINT AS relogements_prevus
FROM parc AS p
LEFT JOIN stg_communes AS c USING (code_insee)
WHERE p.annee = $annee
