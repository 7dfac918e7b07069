-- arguments: lignes
-- Fragment: the progress of the signature of conventions, one row per key, from the relation
-- {{ lignes }} (one row per convention, or per convention × territory, with its key `cle`,
-- `statut`, `droits_connus` and `droits_annuels`). Used by mart_signatures (per axis) and
-- mart_signatures_epci (per EPCI), which differ only in how they make their lines:
--   conventions, signees (statut SIGNEE), en_cours, non_signees; taux_signature = signees /
--   conventions;
--   droits_annuels         = Σ droits_annuels of the lines whose droits are known (NULL when
--                            none is known, never 0);
--   droits_signes          = the same Σ over the signed ones;
--   taux_signature_pondere = droits_signes / droits_annuels (NULL when no droits are known or
--                            they sum to 0);
--   conventions_droits_inconnus: lines left out of the weighted figures.
SELECT
    cle,
    conventions::BIGINT AS conventions,
    signees::BIGINT AS signees,
    signees / conventions AS taux_signature,
    droits_annuels,
    CASE WHEN conventions_droits_connus > 0 THEN coalesce(s_droits_signes, 0.0) END
        AS droits_signes,
    CASE WHEN conventions_droits_connus > 0 THEN coalesce(s_droits_signes, 0.0) END
        / nullif(droits_annuels, 0) AS taux_signature_pondere,
    en_cours::BIGINT AS en_cours,
    non_signees::BIGINT AS non_signees,
    (conventions - conventions_droits_connus)::BIGINT AS conventions_droits_inconnus
FROM (
    SELECT
        cle,
        count(*) AS conventions,
        count(*) FILTER (WHERE statut = 'SIGNEE') AS signees,
        count(*) FILTER (WHERE statut = 'EN_COURS') AS en_cours,
        count(*) FILTER (WHERE statut = 'NON_SIGNEE') AS non_signees,
        count(*) FILTER (WHERE droits_connus) AS conventions_droits_connus,
        sum(droits_annuels) FILTER (WHERE droits_connus) AS droits_annuels,
        sum(droits_annuels) FILTER (WHERE droits_connus AND statut = 'SIGNEE') AS s_droits_signes
    FROM {{ lignes }}
    GROUP BY cle
) AS sommes
