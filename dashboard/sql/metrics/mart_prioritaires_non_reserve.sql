-- requires: int_mad
-- Mart: the bailleur's own non-reserved share and the publics prioritaires (CCH L.441-1,
-- DOMAIN §4.9), year $annee as of quarter $trimestre, per $par ('bailleur' or 'total'): over the
-- MAD of categorie NON_RESERVE (in the flux, let by the bailleur outside any reservation)
--   baux_signes                the baux the bilan's baux_signes would count in view $vue:
--                              'mad' = MAD dated (date_mise_a_disposition) in the window whose
--                              issue is BAIL_SIGNE; 'baux' = BAIL_SIGNE with date_bail in it;
--   baux_prioritaires          those whose public_prioritaire is true;
--   baux_prioritaires_inconnus those whose flag is unknown (NULL): in the denominator;
--   part_prioritaires          baux_prioritaires / baux_signes (undefined without a bail).
-- Window as in mart_bilan ('cumul' = quarters 1..$trimestre, 'trimestre' = that quarter alone).
-- Filters: département, EPCI (of the commune) and bailleur; the others (type, réservataire,
-- statut) name réservataires and conventions, which these dwellings have none of.
WITH selection AS (
    SELECT bailleur_code, public_prioritaire
    FROM int_mad
    WHERE categorie = 'NON_RESERVE'
      AND CASE WHEN $vue = 'baux'
               THEN compte_bail AND trimestre_bail <= $trimestre
                    AND (trimestre_bail = $trimestre OR $periode = 'cumul')
               ELSE compte_mad AND issue = 'BAIL_SIGNE' AND trimestre_mad <= $trimestre
                    AND (trimestre_mad = $trimestre OR $periode = 'cumul')
          END
      AND {{ filtres(departement, epci, bailleur) }}
),
sommes AS (
    SELECT
        CASE WHEN $par = 'bailleur' THEN bailleur_code ELSE 'TOTAL' END AS cle,
        count(*) AS baux_signes,
        count(*) FILTER (WHERE public_prioritaire) AS baux_prioritaires,
        count(*) FILTER (WHERE public_prioritaire IS NULL) AS baux_prioritaires_inconnus
    FROM selection
    GROUP BY ALL
)
SELECT
    cle, baux_signes, baux_prioritaires,
    baux_prioritaires / nullif(baux_signes, 0) AS part_prioritaires,
    baux_prioritaires_inconnus
FROM sommes
