-- requires: int_droits_conventions, int_ventilation_epci, int_mad, int_mad_rattachees, int_reservataires
-- Fact table of the bilan of year $annee. Every figure of the bilan is a sum of its rows (see
-- mart_bilan.sql). Two kinds of rows:
--   droits rows (trimestre NULL): the droits annuels of a convention and the flux of its
--       perimeter, once whole (ventile = false, epci_cle NULL) and once apportioned to the EPCI
--       (ventile = true, one row per EPCI, parts adding up to 1; DOMAIN §4.4). n_conventions
--       counts the convention once per row.
--   activity rows (ventile NULL, trimestre 1-4): per convention (or, for MAD without convention,
--       per bailleur x réservataire x département of the commune: conv_id, statut, droits_connus
--       NULL, type from int_reservataires or 'INCONNU') x EPCI of the commune x quarter:
--         nb_mad, nb_mad_bail, nb_mad_chute, nb_mad_en_cours: MAD of categorie FLUX dated
--             (date_mise_a_disposition) in the quarter, all / BAIL_SIGNE / refusals and no
--             candidate / EN_COURS  (view 'mad');
--         nb_baux: MAD of categorie FLUX with issue BAIL_SIGNE and date_bail in the quarter
--             (view 'baux');
--         nb_mad_prio, nb_mad_prio_inconnu: of nb_mad_bail, those whose public_prioritaire is
--             true / unknown (NULL) (view 'mad'); nb_baux_prio, nb_baux_prio_inconnu: the same
--             of nb_baux (view 'baux') (DOMAIN §4.9);
--         denom_mad, denom_baux: for a convention in part_reelle (dans_part), the MAD of
--             categorie FLUX or NON_RESERVE of its bailleur in its perimeter, in each view.
-- Attributes of a convention's rows are the convention's (its département, type, statut).
WITH droits AS (
    SELECT
        conv_id, bailleur_code, reservataire_code, type_reservataire, departement,
        statut, droits_connus, dans_part, droits_annuels,
        CASE WHEN flux_connu THEN flux_annuel END AS flux_annuel
    FROM int_droits_conventions
),
evenements AS (
    -- a matched MAD takes its attributes from its convention: keep them only for the others
    SELECT
        conv_id,
        CASE WHEN conv_id IS NULL THEN bailleur_code END AS bailleur_code,
        CASE WHEN conv_id IS NULL THEN coalesce(reservataire_code, 'NON_RENSEIGNE') END
            AS reservataire_code,
        CASE WHEN conv_id IS NULL THEN departement END AS departement,
        epci_cle,
        trimestre_mad AS trimestre,
        1 AS nb_mad,
        (issue = 'BAIL_SIGNE')::INTEGER AS nb_mad_bail,
        (issue IN ('REFUS_DEMANDEUR', 'REFUS_CALEOL', 'SANS_CANDIDAT'))::INTEGER AS nb_mad_chute,
        (issue = 'EN_COURS')::INTEGER AS nb_mad_en_cours,
        0 AS nb_baux,
        (issue = 'BAIL_SIGNE' AND public_prioritaire IS NOT DISTINCT FROM true)::INTEGER
            AS nb_mad_prio,
        (issue = 'BAIL_SIGNE' AND public_prioritaire IS NULL)::INTEGER AS nb_mad_prio_inconnu,
        0 AS nb_baux_prio,
        0 AS nb_baux_prio_inconnu
    FROM int_mad_rattachees
    WHERE compte_mad
    UNION ALL
    SELECT
        conv_id,
        CASE WHEN conv_id IS NULL THEN bailleur_code END,
        CASE WHEN conv_id IS NULL THEN coalesce(reservataire_code, 'NON_RENSEIGNE') END,
        CASE WHEN conv_id IS NULL THEN departement END,
        epci_cle, trimestre_bail, 0, 0, 0, 0, 1, 0, 0,
        (public_prioritaire IS NOT DISTINCT FROM true)::INTEGER,
        (public_prioritaire IS NULL)::INTEGER
    FROM int_mad_rattachees
    WHERE compte_bail
),
evenements_groupes AS (
    SELECT
        conv_id, bailleur_code, reservataire_code, departement, epci_cle, trimestre,
        sum(nb_mad) AS nb_mad,
        sum(nb_mad_bail) AS nb_mad_bail,
        sum(nb_mad_chute) AS nb_mad_chute,
        sum(nb_mad_en_cours) AS nb_mad_en_cours,
        sum(nb_baux) AS nb_baux,
        sum(nb_mad_prio) AS nb_mad_prio,
        sum(nb_mad_prio_inconnu) AS nb_mad_prio_inconnu,
        sum(nb_baux_prio) AS nb_baux_prio,
        sum(nb_baux_prio_inconnu) AS nb_baux_prio_inconnu
    FROM evenements
    GROUP BY ALL
),
perimetre_flux AS (
    -- MAD in the flux (FLUX or NON_RESERVE) per bailleur x commune x quarter, in each view
    SELECT bailleur_code, code_insee, departement, epci_siren, epci_cle, trimestre,
           sum(n_mad) AS n_mad, sum(n_baux) AS n_baux
    FROM (
        SELECT bailleur_code, code_insee, departement, epci_siren, epci_cle,
               trimestre_mad AS trimestre, 1 AS n_mad, 0 AS n_baux
        FROM int_mad
        WHERE compte_mad AND categorie IN ('FLUX', 'NON_RESERVE')
        UNION ALL
        SELECT bailleur_code, code_insee, departement, epci_siren, epci_cle,
               trimestre_bail, 0, 1
        FROM int_mad
        WHERE compte_bail AND categorie IN ('FLUX', 'NON_RESERVE')
    )
    GROUP BY ALL
),
denominateurs AS (
    SELECT c.conv_id, p.epci_cle, p.trimestre, p.n_mad, p.n_baux
    FROM int_droits_conventions AS c
    JOIN perimetre_flux AS p
      ON p.bailleur_code = c.bailleur_code AND p.departement = c.perimetre_code
    WHERE c.dans_part AND c.perimetre_type = 'DEPARTEMENT'
    UNION ALL
    SELECT c.conv_id, p.epci_cle, p.trimestre, p.n_mad, p.n_baux
    FROM int_droits_conventions AS c
    JOIN perimetre_flux AS p
      ON p.bailleur_code = c.bailleur_code AND p.epci_siren = c.perimetre_code
    WHERE c.dans_part AND c.perimetre_type = 'EPCI'
    UNION ALL
    SELECT c.conv_id, p.epci_cle, p.trimestre, p.n_mad, p.n_baux
    FROM int_droits_conventions AS c
    JOIN perimetre_flux AS p
      ON p.bailleur_code = c.bailleur_code AND p.code_insee = c.perimetre_code
    WHERE c.dans_part AND c.perimetre_type = 'COMMUNE'
),
denominateurs_groupes AS (
    SELECT conv_id, epci_cle, trimestre, sum(n_mad) AS denom_mad, sum(n_baux) AS denom_baux
    FROM denominateurs
    GROUP BY ALL
),
activite AS (
    -- matched MAD and denominators of a convention share their rows
    SELECT
        coalesce(e.conv_id, n.conv_id) AS conv_id,
        e.bailleur_code AS bailleur_code_sans_convention,
        e.reservataire_code AS reservataire_code_sans_convention,
        e.departement AS departement_commune,
        coalesce(e.epci_cle, n.epci_cle) AS epci_cle,
        coalesce(e.trimestre, n.trimestre) AS trimestre,
        coalesce(e.nb_mad, 0) AS nb_mad,
        coalesce(e.nb_mad_bail, 0) AS nb_mad_bail,
        coalesce(e.nb_mad_chute, 0) AS nb_mad_chute,
        coalesce(e.nb_mad_en_cours, 0) AS nb_mad_en_cours,
        coalesce(e.nb_baux, 0) AS nb_baux,
        coalesce(e.nb_mad_prio, 0) AS nb_mad_prio,
        coalesce(e.nb_mad_prio_inconnu, 0) AS nb_mad_prio_inconnu,
        coalesce(e.nb_baux_prio, 0) AS nb_baux_prio,
        coalesce(e.nb_baux_prio_inconnu, 0) AS nb_baux_prio_inconnu,
        coalesce(n.denom_mad, 0) AS denom_mad,
        coalesce(n.denom_baux, 0) AS denom_baux
    FROM (SELECT * FROM evenements_groupes WHERE conv_id IS NOT NULL) AS e
    FULL OUTER JOIN denominateurs_groupes AS n
      ON n.conv_id = e.conv_id AND n.epci_cle = e.epci_cle AND n.trimestre = e.trimestre
    UNION ALL
    SELECT
        NULL, bailleur_code, reservataire_code, departement, epci_cle, trimestre,
        nb_mad, nb_mad_bail, nb_mad_chute, nb_mad_en_cours, nb_baux,
        nb_mad_prio, nb_mad_prio_inconnu, nb_baux_prio, nb_baux_prio_inconnu, 0, 0
    FROM evenements_groupes
    WHERE conv_id IS NULL
)
-- droits, whole
SELECT
    conv_id, bailleur_code, reservataire_code, type_reservataire, departement,
    NULL::VARCHAR AS epci_cle, statut, false AS ventile, NULL::INTEGER AS trimestre,
    droits_connus, dans_part, droits_annuels, flux_annuel,
    1 AS n_conventions, (NOT droits_connus)::INTEGER AS n_conventions_droits_inconnus,
    0::BIGINT AS nb_mad, 0::BIGINT AS nb_mad_bail, 0::BIGINT AS nb_mad_chute,
    0::BIGINT AS nb_mad_en_cours, 0::BIGINT AS nb_baux, 0::BIGINT AS denom_mad,
    0::BIGINT AS denom_baux, 0::BIGINT AS nb_mad_prio, 0::BIGINT AS nb_mad_prio_inconnu,
    0::BIGINT AS nb_baux_prio, 0::BIGINT AS nb_baux_prio_inconnu
FROM droits
UNION ALL
-- droits, apportioned to the EPCI
SELECT
    d.conv_id, d.bailleur_code, d.reservataire_code, d.type_reservataire, d.departement,
    v.epci_cle, d.statut, true, NULL, d.droits_connus, d.dans_part,
    d.droits_annuels * v.part, d.flux_annuel * v.part,
    1, (NOT d.droits_connus)::INTEGER,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM droits AS d
JOIN int_ventilation_epci AS v USING (conv_id)
UNION ALL
-- activity: MAD of categorie FLUX (matched or not) and denominators of part_reelle
SELECT
    a.conv_id,
    coalesce(d.bailleur_code, a.bailleur_code_sans_convention),
    coalesce(d.reservataire_code, a.reservataire_code_sans_convention),
    CASE WHEN a.conv_id IS NULL THEN coalesce(r.type_reservataire, 'INCONNU')
         ELSE d.type_reservataire END,
    coalesce(d.departement, a.departement_commune),
    a.epci_cle, d.statut, NULL, a.trimestre, d.droits_connus, coalesce(d.dans_part, false),
    NULL, NULL, 0, 0,
    a.nb_mad, a.nb_mad_bail, a.nb_mad_chute, a.nb_mad_en_cours, a.nb_baux,
    a.denom_mad, a.denom_baux,
    a.nb_mad_prio, a.nb_mad_prio_inconnu, a.nb_baux_prio, a.nb_baux_prio_inconnu
FROM activite AS a
LEFT JOIN droits AS d USING (conv_id)
LEFT JOIN int_reservataires AS r
    ON a.conv_id IS NULL AND r.reservataire_code = a.reservataire_code_sans_convention
