-- requires: stg_communes, int_droits_conventions, int_flux_perimetres
-- requires: int_orientation_mad, int_reservataires
-- Intermediate (orientation, issue 8): where each contingent of bailleur $bailleur stands on
-- $date_orientation (year $annee = the date's year). See dashboard/metrics/orientation.py for the
-- rules in full; in short:
--   jours_ecoules  = day of the year of the date (1 January = 1, 31 December = 365 or 366: the
--                    date's own day counts, so that 31/12 gives the whole year)
--   droits_prevus  = droits_annuels x jours_ecoules / jours_annee
--   retard         = droits_prevus - mises_a_disposition (positive: behind)
--   retard_relatif = retard / droits_annuels (undefined when droits_annuels is 0 or unknown)
--   reste_a_mettre_a_disposition = max(0, droits_annuels - mises_a_disposition)
--   projection_31_12 = mises_a_disposition x jours_annee / jours_ecoules (the pace so far)
-- Rows: every convention of the bailleur in $annee (origine 'convention'), with droits_annuels
-- and source from int_droits_conventions and its MAD FLUX to the date (int_orientation_mad, the
-- bilan's matching); when $commune names a known commune, plus one row for the bailleur's own
-- non-reserved share in that commune (origine 'non_reserve', code NON_RESERVE).
-- candidat: the row is a candidate for a dwelling freed in $commune: a convention covering the
-- commune, the most specific of its réservataire (commune > EPCI > département: the one a MAD
-- there counts against), whose statut is in $statuts (empty list = every statut); or the
-- non-reserved row.
-- part_flux (a fraction): the convention's share of the flux of its perimeter, taux_flux / 100,
-- or for a convention without taux (droits acquis) droits_annuels / flux_annuel of its perimeter.
-- The non-reserved share = max(0, 1 - sum of part_flux of the candidate conventions) of the flux
-- of the commune (unknown when one part_flux is unknown or the commune's flux is unknown); its
-- MAD are the bailleur's NON_RESERVE MAD in the commune.
-- mad_typologie / mad_financement / mad_qpv: how many of the row's MAD have the freed dwelling's
-- typologie / financement / QPV flag ($typologie, $financement, $qpv 'OUI'/'NON'; NULL when the
-- attribute is not given, '').
WITH calendrier AS (
    SELECT
        dayofyear($date_orientation::DATE)::INTEGER AS jours_ecoules,
        dayofyear(make_date(year($date_orientation::DATE), 12, 31))::INTEGER AS jours_annee
),
lieu AS (
    SELECT code_insee, departement, epci_siren FROM stg_communes WHERE code_insee = $commune
),
placees AS (
    SELECT
        c.*,
        CASE c.perimetre_type WHEN 'COMMUNE' THEN 1 WHEN 'EPCI' THEN 2 ELSE 3 END AS specificite,
        coalesce(
            (c.perimetre_type = 'COMMUNE' AND c.perimetre_code = l.code_insee)
            OR (c.perimetre_type = 'EPCI' AND c.perimetre_code = l.epci_siren)
            OR (c.perimetre_type = 'DEPARTEMENT' AND c.perimetre_code = l.departement),
            false) AS couvre_commune
    FROM int_droits_conventions AS c
    LEFT JOIN lieu AS l ON true
    WHERE c.bailleur_code = $bailleur
),
retenues AS (
    SELECT
        p.*,
        p.couvre_commune AND row_number() OVER (
            PARTITION BY p.reservataire_code, p.couvre_commune
            ORDER BY p.specificite, p.conv_id) = 1 AS plus_specifique,
        (len($statuts) = 0 OR list_contains($statuts, p.statut)) AS statut_retenu
    FROM placees AS p
),
mad_conventions AS (
    SELECT
        conv_id,
        count(*) AS mises_a_disposition,
        count(*) FILTER (WHERE typologie = $typologie) AS mad_typologie,
        count(*) FILTER (WHERE financement = $financement) AS mad_financement,
        count(*) FILTER (WHERE qpv = ($qpv = 'OUI')) AS mad_qpv
    FROM int_orientation_mad
    WHERE categorie = 'FLUX' AND conv_id IS NOT NULL
    GROUP BY conv_id
),
conventions AS (
    SELECT
        'convention' AS origine,
        r.conv_id,
        r.reservataire_code,
        coalesce(n.reservataire_nom, r.reservataire_nom, r.reservataire_code) AS libelle,
        r.type_reservataire,
        r.departement,
        r.perimetre_type,
        r.perimetre_code,
        r.statut,
        r.methode,
        r.taux_flux,
        round(CASE
            WHEN r.methode = 'ASSIETTE' AND r.taux_flux IS NOT NULL THEN r.taux_flux / 100.0
            WHEN r.droits_annuels IS NOT NULL AND r.flux_annuel > 0
                THEN r.droits_annuels / r.flux_annuel
        END, 9) AS part_flux,
        r.flux_annuel,
        r.droits_annuels,
        r.source,
        r.plus_specifique AND r.statut_retenu AS candidat,
        r.statut_retenu,
        coalesce(m.mises_a_disposition, 0) AS mises_a_disposition,
        m.mad_typologie,
        m.mad_financement,
        m.mad_qpv,
        NULL::DOUBLE AS part_reservee,
        NULL::BIGINT AS parts_inconnues
    FROM retenues AS r
    LEFT JOIN mad_conventions AS m USING (conv_id)
    LEFT JOIN int_reservataires AS n USING (reservataire_code)
),
parts AS (
    SELECT
        round(coalesce(sum(part_flux), 0), 9) AS part_reservee,
        count(*) FILTER (WHERE part_flux IS NULL) AS parts_inconnues
    FROM conventions
    WHERE candidat
),
mad_non_reserve AS (
    SELECT
        count(*) AS mises_a_disposition,
        count(*) FILTER (WHERE typologie = $typologie) AS mad_typologie,
        count(*) FILTER (WHERE financement = $financement) AS mad_financement,
        count(*) FILTER (WHERE qpv = ($qpv = 'OUI')) AS mad_qpv
    FROM int_orientation_mad
    WHERE categorie = 'NON_RESERVE' AND code_insee = $commune
),
non_reserve AS (
    SELECT
        'non_reserve' AS origine,
        NULL::BIGINT AS conv_id,
        'NON_RESERVE' AS reservataire_code,
        'Contingent propre du bailleur (non réservé)' AS libelle,
        NULL::VARCHAR AS type_reservataire,
        l.departement,
        'COMMUNE' AS perimetre_type,
        l.code_insee AS perimetre_code,
        NULL::VARCHAR AS statut,
        NULL::VARCHAR AS methode,
        CASE WHEN p.parts_inconnues = 0
            THEN round(100 * greatest(0.0, 1 - p.part_reservee), 9) END AS taux_flux,
        CASE WHEN p.parts_inconnues = 0
            THEN round(greatest(0.0, 1 - p.part_reservee), 9) END AS part_flux,
        f.flux_annuel,
        CASE WHEN p.parts_inconnues = 0
            THEN round(greatest(0.0, 1 - p.part_reservee), 9) * f.flux_annuel END
            AS droits_annuels,
        CASE WHEN p.parts_inconnues = 0 AND f.flux_annuel IS NOT NULL
            THEN 'assiette' ELSE 'manquant' END AS source,
        true AS candidat,
        true AS statut_retenu,
        mn.mises_a_disposition,
        mn.mad_typologie,
        mn.mad_financement,
        mn.mad_qpv,
        p.part_reservee,
        p.parts_inconnues
    FROM lieu AS l
    CROSS JOIN parts AS p
    CROSS JOIN mad_non_reserve AS mn
    LEFT JOIN int_flux_perimetres AS f
        ON f.bailleur_code = $bailleur
       AND f.perimetre_type = 'COMMUNE'
       AND f.perimetre_code = l.code_insee
),
lignes AS (
    SELECT * FROM conventions
    UNION ALL BY NAME
    SELECT * FROM non_reserve
),
prorata AS (
    SELECT
        t.* REPLACE (
            CASE WHEN $typologie = '' THEN NULL ELSE coalesce(t.mad_typologie, 0) END
                AS mad_typologie,
            CASE WHEN $financement = '' THEN NULL ELSE coalesce(t.mad_financement, 0) END
                AS mad_financement,
            CASE WHEN $qpv = '' THEN NULL ELSE coalesce(t.mad_qpv, 0) END AS mad_qpv
        ),
        k.jours_ecoules,
        k.jours_annee,
        t.droits_annuels * k.jours_ecoules / k.jours_annee AS droits_prevus,
        t.mises_a_disposition::DOUBLE * k.jours_annee / k.jours_ecoules AS projection_31_12
    FROM lignes AS t
    CROSS JOIN calendrier AS k
)
SELECT
    *,
    droits_prevus - mises_a_disposition AS retard,
    (droits_prevus - mises_a_disposition) / nullif(droits_annuels, 0) AS retard_relatif,
    -- unknown droits leave the rest unknown, never 0 (greatest() ignores NULL)
    CASE WHEN droits_annuels IS NOT NULL
         THEN greatest(0.0, droits_annuels - mises_a_disposition) END
        AS reste_a_mettre_a_disposition,
    projection_31_12 - droits_annuels AS ecart_projete,
    projection_31_12 / nullif(droits_annuels, 0) AS taux_projete,
    -- 1: droits left (droits_annuels > MAD); 2: none left (incl. droits of 0); 3: droits unknown
    CASE
        WHEN droits_annuels IS NULL THEN 3
        WHEN droits_annuels > mises_a_disposition THEN 1
        ELSE 2
    END AS groupe
FROM prorata
