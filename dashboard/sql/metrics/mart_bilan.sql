-- requires: fct_bilan
-- Mart: the bilan of year $annee as of quarter $trimestre, aggregated on the axis $par
-- (reservataire, type_reservataire, bailleur, departement, epci, trimestre, convention, total).
-- THE definition of every figure of DOMAIN §4.3: sums first, ratios of the sums after.
--
-- Keys: cle is the row's key on the axis $par. $par_croise ('' = none; an axis of the bilan
-- other than $par) crosses it with a second axis: one row per cle x cle_croisee that has
-- something (the heatmap bailleur x type, réservataire x bailleur…); cle_croisee is NULL without
-- it. $cles_autres (a list of keys of $par, empty = none) are summed together in one row,
-- est_autres true and cle NULL (per cle_croisee when crossed): « Autres » of a top-N, its
-- figures the ratios of its sums like any row's.
--
-- Window: $periode 'cumul' = quarters 1..$trimestre (year-to-date); 'trimestre' = quarter
-- $trimestre alone; with 'trimestre' as $par or $par_croise, one key per quarter 1..$trimestre
-- with that quarter's own figures (the droits rows are repeated on every quarter, at a quarter
-- of their droits).
-- $vue 'mad' counts MAD by date_mise_a_disposition; 'baux' counts BAIL_SIGNE by date_bail, and
-- mises_a_disposition, ecart, taux_realisation, baux_signes and part_reelle are then computed on
-- those baux (taux_chute stays on the MAD dated in the window: a refusal has no date_bail).
-- Droits are taken apportioned to the EPCI (ventile) when 'epci' is $par or $par_croise or under
-- an EPCI filter, whole otherwise.
-- Publics prioritaires (DOMAIN §4.9): baux_prioritaires = the row's baux_signes whose
-- public_prioritaire is true, baux_prioritaires_inconnus = those whose flag is unknown (they stay
-- in the denominator), part_prioritaires = baux_prioritaires / baux_signes (undefined without a
-- bail); in either view, the baux the row's baux_signes counts. Filters ($f_*, empty list =
-- everything): the statut filter knows 'SANS_CONVENTION' (the MAD without convention).
WITH selection AS (
    SELECT *
    FROM fct_bilan
    WHERE (ventile IS NULL OR ventile = ('epci' IN ($par, $par_croise) OR len($f_epci) > 0))
      AND (trimestre IS NULL
           OR (trimestre <= $trimestre
               AND (trimestre = $trimestre OR $periode = 'cumul'
                    OR 'trimestre' IN ($par, $par_croise))))
      AND {{ filtres(departement, epci, bailleur, type_reservataire, reservataire, statut) }}
),
par_trimestre AS (
    -- the quarter of a row on an axis 'trimestre': an activity row's own; a droits row is on
    -- every quarter of the window
    SELECT *, trimestre AS trimestre_axe
    FROM selection
    WHERE 'trimestre' NOT IN ($par, $par_croise) OR trimestre IS NOT NULL
    UNION ALL
    SELECT s.*, q.range AS trimestre_axe
    FROM selection AS s
    CROSS JOIN range(1, $trimestre + 1) AS q
    WHERE 'trimestre' IN ($par, $par_croise) AND s.trimestre IS NULL
),
cles AS (
    SELECT
        *,
        CASE $par
            WHEN 'convention' THEN coalesce(
                conv_id::VARCHAR,
                'SANS_CONVENTION|' || bailleur_code || '|' || reservataire_code || '|' || departement)
            WHEN 'total' THEN 'TOTAL'
            ELSE {{ cle_axe($par, trimestre = trimestre_axe) }}
        END AS cle_par,
        {{ cle_axe($par_croise, trimestre = trimestre_axe) }} AS cle_croisee
    FROM par_trimestre
),
autres AS (
    SELECT DISTINCT unnest($cles_autres::VARCHAR[]) AS cle
),
lignes AS (
    SELECT
        c.*,
        a.cle IS NOT NULL AS est_autres,
        CASE WHEN a.cle IS NULL THEN c.cle_par END AS cle
    FROM cles AS c
    LEFT JOIN autres AS a ON a.cle = c.cle_par
),
sommes AS (
    SELECT
        cle,
        cle_croisee,
        est_autres,
        bool_or(conv_id IS NOT NULL) AS touche_conventions,
        count(*) FILTER (WHERE trimestre IS NULL) AS n_lignes_droits,
        coalesce(bool_or(droits_connus), false) AS une_convention_a_des_droits,
        sum(n_conventions) AS nb_conventions,
        sum(n_conventions_droits_inconnus) AS nb_conventions_droits_inconnus,
        sum(droits_annuels) AS s_droits,
        sum(droits_annuels) FILTER (WHERE dans_part) AS s_droits_part,
        sum(flux_annuel) FILTER (WHERE dans_part) AS s_flux_part,
        sum(nb_mad) AS s_mad,
        sum(nb_mad) FILTER (WHERE dans_part) AS s_mad_part,
        sum(nb_mad) FILTER (WHERE conv_id IS NULL) AS s_mad_sans_convention,
        sum(nb_mad_bail) AS s_mad_bail,
        sum(nb_mad_chute) AS s_mad_chute,
        sum(nb_mad_en_cours) AS s_mad_en_cours,
        sum(denom_mad) AS s_denom_mad,
        sum(nb_baux) AS s_baux,
        sum(nb_baux) FILTER (WHERE dans_part) AS s_baux_part,
        sum(nb_baux) FILTER (WHERE conv_id IS NULL) AS s_baux_sans_convention,
        sum(denom_baux) AS s_denom_baux,
        sum(nb_mad_prio) AS s_mad_prio,
        sum(nb_mad_prio_inconnu) AS s_mad_prio_inconnu,
        sum(nb_baux_prio) AS s_baux_prio,
        sum(nb_baux_prio_inconnu) AS s_baux_prio_inconnu
    FROM lignes
    GROUP BY cle, cle_croisee, est_autres
),
vue AS (
    SELECT
        cle,
        cle_croisee,
        est_autres,
        touche_conventions,
        n_lignes_droits,
        une_convention_a_des_droits,
        s_droits,
        s_droits_part,
        s_flux_part,
        nb_conventions,
        nb_conventions_droits_inconnus,
        -- the counted events of the view
        coalesce(CASE WHEN $vue = 'baux' THEN s_baux ELSE s_mad END, 0) AS n,
        coalesce(CASE WHEN $vue = 'baux' THEN s_baux_part ELSE s_mad_part END, 0) AS n_part,
        coalesce(CASE WHEN $vue = 'baux' THEN s_baux_sans_convention
                      ELSE s_mad_sans_convention END, 0) AS n_sans_convention,
        coalesce(CASE WHEN $vue = 'baux' THEN s_baux ELSE s_mad_bail END, 0) AS n_baux,
        coalesce(CASE WHEN $vue = 'baux' THEN s_denom_baux ELSE s_denom_mad END, 0) AS n_denom,
        coalesce(CASE WHEN $vue = 'baux' THEN s_baux_prio ELSE s_mad_prio END, 0) AS n_prio,
        coalesce(CASE WHEN $vue = 'baux' THEN s_baux_prio_inconnu ELSE s_mad_prio_inconnu END, 0)
            AS n_prio_inconnu,
        coalesce(s_mad, 0) AS n_mad_datees,
        coalesce(s_mad_chute, 0) AS n_chute,
        coalesce(s_mad_en_cours, 0) AS n_en_cours
    FROM sommes
),
droits AS (
    SELECT
        *,
        -- unknown (never 0) when every convention of the group lacks droits; 0 for a group of
        -- MAD without convention only
        CASE WHEN touche_conventions AND NOT une_convention_a_des_droits THEN NULL
             ELSE coalesce(s_droits, 0.0) END AS droits_annuels,
        CASE WHEN 'trimestre' IN ($par, $par_croise) OR $periode = 'trimestre' THEN 1
             ELSE $trimestre END / 4.0 AS fraction_annee
    FROM vue
)
SELECT
    cle,
    cle_croisee,
    est_autres,
    droits_annuels,
    droits_annuels * fraction_annee AS droits_prevus,
    n::BIGINT AS mises_a_disposition,
    n - droits_annuels * fraction_annee AS ecart,
    n / nullif(droits_annuels * fraction_annee, 0) AS taux_realisation,
    n_baux::BIGINT AS baux_signes,
    n_chute / nullif(n_mad_datees - n_en_cours, 0) AS taux_chute,
    s_droits_part / nullif(s_flux_part, 0) AS part_prevue,
    n_part / nullif(n_denom, 0) AS part_reelle,
    coalesce(nb_conventions, 0)::BIGINT AS nb_conventions,
    coalesce(nb_conventions_droits_inconnus, 0)::BIGINT AS nb_conventions_droits_inconnus,
    n_sans_convention::BIGINT AS mad_sans_convention,
    n_chute::BIGINT AS mad_chutees,
    n_en_cours::BIGINT AS mad_en_cours,
    s_flux_part AS flux_annuel,
    n_denom::BIGINT AS mad_flux_perimetres,
    n_prio::BIGINT AS baux_prioritaires,
    n_prio / nullif(n_baux, 0) AS part_prioritaires,
    n_prio_inconnu::BIGINT AS baux_prioritaires_inconnus
FROM droits
-- a key shows when it has droits, or events of the view, or denominators of the view (or, in
-- the 'baux' view, MAD dated in the window: its taux_chute)
WHERE n_lignes_droits > 0 OR n > 0 OR n_denom > 0 OR ($vue = 'baux' AND n_mad_datees > 0)
