-- requires: int_conventions_filtrees
-- Mart: progress of the signature of the conventions of $annee (DOMAIN §4.6, issue 5), one row
-- per key of $par:
--   type_reservataire  the 7 groups of issue 5: ETAT, ETAT_AGENTS, ACTION_LOGEMENT, COMMUNE,
--                      EPCI, DEPARTEMENT, and AUTRES = REGION + AUTRE
--   departement        the convention's département
--   bailleur           the convention's bailleur
--   total              one row, 'TOTAL'
-- Over the conventions of the selection (int_conventions_filtrees), counted once each:
--   conventions, signees (statut SIGNEE), en_cours, non_signees;
--   taux_signature         = signees / conventions;
--   droits_annuels         = Σ droits annuels of the conventions whose droits are known
--                            (NULL when none is known, never 0);
--   droits_signes          = Σ droits annuels of the signed ones among them;
--   taux_signature_pondere = droits_signes / droits_annuels: the share of the flux covered by
--                            a signed convention (NULL when no droits are known or they sum to 0);
--   conventions_droits_inconnus: conventions left out of the weighted figures.
WITH cles AS (
    SELECT
        CASE $par
            WHEN 'type_reservataire' THEN
                CASE WHEN type_reservataire IN ('REGION', 'AUTRE') THEN 'AUTRES'
                     ELSE type_reservataire END
            WHEN 'departement' THEN departement
            WHEN 'bailleur' THEN bailleur_code
            ELSE 'TOTAL'
        END AS cle,
        statut,
        droits_connus,
        droits_annuels
    FROM int_conventions_filtrees
)
{{ sommes_signatures(cles) }}
