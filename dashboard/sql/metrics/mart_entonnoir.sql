-- requires: int_mad_attribuees
-- Mart: what became of the MAD of categorie FLUX of year $annee as of quarter $trimestre — the
-- funnel of the bilan's figures (DOMAIN §4.3), one row per step:
--   MISES_A_DISPOSITION  the bilan's mises_a_disposition
--   BAIL_SIGNE           the bilan's baux_signes
--   REFUS_DEMANDEUR, REFUS_CALEOL, SANS_CANDIDAT   the bilan's mad_chutees, by issue
--   EN_COURS             the bilan's mad_en_cours
--   part = nombre / MISES_A_DISPOSITION (undefined when there is none).
-- $vue 'mad': MAD dated (date_mise_a_disposition) in the window, by issue: the steps after the
-- first add up to it. $vue 'baux': as in the bilan, MISES_A_DISPOSITION and BAIL_SIGNE count the
-- baux by date_bail, the refusals and MAD in progress stay on the MAD dated in the window (a
-- refusal has no date_bail): the steps are then not a partition of the first.
-- Window, filters and keys as in mart_bilan ('cumul' = quarters 1..$trimestre, 'trimestre' =
-- that quarter alone; statut 'SANS_CONVENTION' = the MAD without convention).
WITH selection AS (
    SELECT *
    FROM int_mad_attribuees
    WHERE {{ filtres(departement, epci, bailleur, type_reservataire, reservataire, statut) }}
),
fenetre AS (
    SELECT
        *,
        compte_mad AND trimestre_mad <= $trimestre
            AND (trimestre_mad = $trimestre OR $periode = 'cumul') AS mad_fenetre,
        compte_bail AND trimestre_bail <= $trimestre
            AND (trimestre_bail = $trimestre OR $periode = 'cumul') AS bail_fenetre
    FROM selection
),
comptes AS (
    SELECT
        CASE WHEN $vue = 'baux' THEN count(*) FILTER (WHERE bail_fenetre)
             ELSE count(*) FILTER (WHERE mad_fenetre) END AS mises_a_disposition,
        CASE WHEN $vue = 'baux' THEN count(*) FILTER (WHERE bail_fenetre)
             ELSE count(*) FILTER (WHERE mad_fenetre AND issue = 'BAIL_SIGNE') END AS bail_signe,
        count(*) FILTER (WHERE mad_fenetre AND issue = 'REFUS_DEMANDEUR') AS refus_demandeur,
        count(*) FILTER (WHERE mad_fenetre AND issue = 'REFUS_CALEOL') AS refus_caleol,
        count(*) FILTER (WHERE mad_fenetre AND issue = 'SANS_CANDIDAT') AS sans_candidat,
        count(*) FILTER (WHERE mad_fenetre AND issue = 'EN_COURS') AS en_cours
    FROM fenetre
),
etapes AS (
    SELECT 1 AS rang, 'MISES_A_DISPOSITION' AS etape, mises_a_disposition AS nombre,
           mises_a_disposition AS base FROM comptes
    UNION ALL SELECT 2, 'BAIL_SIGNE', bail_signe, mises_a_disposition FROM comptes
    UNION ALL SELECT 3, 'REFUS_DEMANDEUR', refus_demandeur, mises_a_disposition FROM comptes
    UNION ALL SELECT 4, 'REFUS_CALEOL', refus_caleol, mises_a_disposition FROM comptes
    UNION ALL SELECT 5, 'SANS_CANDIDAT', sans_candidat, mises_a_disposition FROM comptes
    UNION ALL SELECT 6, 'EN_COURS', en_cours, mises_a_disposition FROM comptes
)
SELECT etape, nombre::BIGINT AS nombre, nombre / nullif(base, 0) AS part
FROM etapes
ORDER BY rang
