-- requires: int_droits_conventions, int_mad, int_mad_rattachees, int_mad_attribuees
-- Mart: the anomalies of year $annee (DOMAIN §4.7), one row each, never hidden:
--   TAUX_FLUX_SUP_100   Σ taux_flux > 100 % for a bailleur in a département            (erreur)
--   ETAT_SUP_30         ETAT + ETAT_AGENTS > 30 %                                      (erreur)
--   ETAT_AGENTS_SUP_5   ETAT_AGENTS > 5 %                                              (erreur)
--   COLLECTIVITE_SUP_20 a collectivity (COMMUNE, EPCI, DEPARTEMENT, REGION) above 20 % (avertissement)
--   SIGNEE_SANS_DATE    a signed convention without date_signature                     (erreur)
--   MAD_SANS_CONVENTION MAD of categorie FLUX matching no convention, per bailleur x
--                       réservataire x département of the commune                      (erreur)
--   DROITS_ESTIMES      an ASSIETTE convention without parc: droits from its estimate    (avertissement)
--   DROITS_INCONNUS     a convention whose droits cannot be known                       (erreur)
--   BAILLEUR_SANS_MAD   a bailleur with conventions in a département and no MAD there in
--                       a quarter it should have reported: quarters 1..$trimestre_max, or
--                       when NULL up to the latest quarter of $annee holding any MAD; only
--                       quarters ended on $aujourd_hui                                  (erreur)
--   PRIORITAIRES_SOUS_25 at T4 (when quarter 4 is among the quarters due, as above), a bailleur x
--                       réservataire of a type with the 25 % target of CCH L.441-1
--                       (ACTION_LOGEMENT, COMMUNE, EPCI, DEPARTEMENT, REGION, AUTRE), or a
--                       bailleur's own non-reserved dwellings (categorie NON_RESERVE,
--                       reservataire_code NULL), whose baux signés of the year went less than
--                       25 % to publics prioritaires (DOMAIN §4.9): the baux of the bilan at T4
--                       in the view 'mad' (MAD dated in $annee whose issue is BAIL_SIGNE), keyed
--                       as in the bilan (int_mad_attribuees); a bail whose flag is unknown stays
--                       in the denominator. Exactly 25 % is not flagged. valeur = the share in
--                       percent, nombre = the baux signés, nombre_prioritaires and
--                       nombre_inconnus their flag true / unknown; departement = the one
--                       département of those baux, NULL when they span several, and
--                       departements = all of them (sorted; NULL on other controls)
--                                                                             (avertissement)
-- Rates: a convention's taux_flux, or for one without (droits acquis) its droits as a share of
-- its perimeter's flux when known (taux_effectif). Sums are taken where conventions overlap: for
-- each perimeter of the bailleur's conventions in the département (the département itself, each
-- EPCI, each commune), the conventions covering it (département-wide + that EPCI's + that
-- commune's); the worst perimeter is reported. With only département-wide conventions this is the
-- plain sum per bailleur x département.
WITH conv AS (
    SELECT
        *,
        CASE
            WHEN taux_flux IS NOT NULL THEN taux_flux
            WHEN flux_connu AND flux_annuel > 0 AND droits_annuels IS NOT NULL
                THEN 100.0 * droits_annuels / flux_annuel
        END AS taux_effectif
    FROM int_droits_conventions
),
zones AS (
    SELECT DISTINCT bailleur_code, departement, perimetre_type AS zone_type,
           perimetre_code AS zone_code, epci_perimetre AS zone_epci
    FROM conv
    WHERE perimetre_type <> 'DEPARTEMENT'
    UNION
    SELECT DISTINCT bailleur_code, departement, 'DEPARTEMENT', departement, NULL
    FROM conv
),
couverture AS (
    SELECT z.*, c.conv_id, c.type_reservataire, c.taux_effectif
    FROM zones AS z
    JOIN conv AS c USING (bailleur_code, departement)
    WHERE c.perimetre_type = 'DEPARTEMENT'
       OR (c.perimetre_type = 'EPCI' AND c.perimetre_code = CASE z.zone_type
               WHEN 'EPCI' THEN z.zone_code WHEN 'COMMUNE' THEN z.zone_epci END)
       OR (c.perimetre_type = 'COMMUNE' AND z.zone_type = 'COMMUNE'
           AND c.perimetre_code = z.zone_code)
),
sommes_zones AS (
    SELECT
        bailleur_code, departement, zone_type, zone_code,
        coalesce(sum(taux_effectif), 0) AS total,
        coalesce(sum(taux_effectif) FILTER (WHERE type_reservataire IN ('ETAT', 'ETAT_AGENTS')), 0)
            AS etat,
        coalesce(sum(taux_effectif) FILTER (WHERE type_reservataire = 'ETAT_AGENTS'), 0)
            AS etat_agents
    FROM couverture
    GROUP BY ALL
),
plafonds AS (
    SELECT 'TAUX_FLUX_SUP_100' AS controle, bailleur_code, departement, zone_type, zone_code,
           total AS valeur, 100.0 AS seuil
    FROM sommes_zones
    UNION ALL
    SELECT 'ETAT_SUP_30', bailleur_code, departement, zone_type, zone_code, etat, 30.0
    FROM sommes_zones
    UNION ALL
    SELECT 'ETAT_AGENTS_SUP_5', bailleur_code, departement, zone_type, zone_code, etat_agents, 5.0
    FROM sommes_zones
),
pires AS (
    SELECT *
    FROM plafonds
    WHERE valeur > seuil + 1e-9
    QUALIFY row_number() OVER (
        PARTITION BY controle, bailleur_code, departement
        ORDER BY valeur DESC, zone_type = 'DEPARTEMENT' DESC, zone_code
    ) = 1
),
quarters_attendus AS (
    -- quarters due: 1..$trimestre_max when given; else up to the latest quarter holding any MAD,
    -- but never a quarter not yet ended on $aujourd_hui
    SELECT unnest(range(1, least(
        coalesce($trimestre_max::INTEGER,
                 (SELECT max(trimestre_mad) FROM int_mad WHERE compte_mad), 0),
        CASE
            WHEN $annee < year($aujourd_hui::DATE) THEN 4
            WHEN $annee = year($aujourd_hui::DATE) THEN quarter($aujourd_hui::DATE) - 1
            ELSE 0
        END
    ) + 1)) AS trimestre
),
mad_par_trimestre AS (
    SELECT bailleur_code, departement, trimestre_mad AS trimestre, count(*) AS n
    FROM int_mad
    WHERE compte_mad
    GROUP BY ALL
),
baux_annee AS (
    -- the baux signés of the year in the bilan's view 'mad' at T4, with their key
    SELECT bailleur_code, reservataire_code, type_reservataire, departement, public_prioritaire
    FROM int_mad_attribuees
    WHERE compte_mad AND issue = 'BAIL_SIGNE'
      AND type_reservataire IN ('ACTION_LOGEMENT', 'COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION',
                                'AUTRE')
    UNION ALL
    SELECT bailleur_code, NULL, 'NON_RESERVE', departement, public_prioritaire
    FROM int_mad
    WHERE compte_mad AND issue = 'BAIL_SIGNE' AND categorie = 'NON_RESERVE'
),
prioritaires AS (
    SELECT
        bailleur_code, reservataire_code, type_reservataire,
        CASE WHEN count(DISTINCT departement) = 1 THEN min(departement) END AS departement,
        list_sort(list(DISTINCT departement) FILTER (WHERE departement IS NOT NULL))
            AS departements,
        count(*) AS baux,
        count(*) FILTER (WHERE public_prioritaire) AS baux_prioritaires,
        count(*) FILTER (WHERE public_prioritaire IS NULL) AS baux_inconnus
    FROM baux_annee
    WHERE (SELECT max(trimestre) FROM quarters_attendus) = 4
    GROUP BY bailleur_code, reservataire_code, type_reservataire
),
sans_convention AS (
    SELECT
        bailleur_code,
        coalesce(reservataire_code, 'NON_RENSEIGNE') AS reservataire_code,
        departement,
        count(*) AS nombre,
        string_agg(reference, ', ' ORDER BY reference) FILTER (WHERE rang <= 5) AS exemples
    FROM (
        SELECT *, row_number() OVER (
            PARTITION BY bailleur_code, reservataire_code, departement ORDER BY reference) AS rang
        FROM int_mad_rattachees
        WHERE compte_mad AND conv_id IS NULL
    )
    GROUP BY ALL
)
SELECT controle, 'erreur' AS niveau, bailleur_code, NULL::VARCHAR AS reservataire_code,
       departement, NULL::INTEGER AS trimestre, zone_type AS perimetre_type,
       zone_code AS perimetre_code, valeur, seuil, NULL::BIGINT AS nombre,
       NULL::VARCHAR AS exemples, NULL::BIGINT AS nombre_prioritaires,
       NULL::BIGINT AS nombre_inconnus, NULL::VARCHAR[] AS departements
FROM pires
UNION ALL
SELECT 'COLLECTIVITE_SUP_20', 'avertissement', bailleur_code, reservataire_code, departement,
       NULL, perimetre_type, perimetre_code, taux_effectif, 20.0, NULL, NULL, NULL, NULL, NULL
FROM conv
WHERE type_reservataire IN ('COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION')
  AND taux_effectif > 20.0 + 1e-9
UNION ALL
SELECT 'SIGNEE_SANS_DATE', 'erreur', bailleur_code, reservataire_code, departement,
       NULL, perimetre_type, perimetre_code, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM conv
WHERE statut = 'SIGNEE' AND date_signature IS NULL
UNION ALL
SELECT 'MAD_SANS_CONVENTION', 'erreur', bailleur_code, reservataire_code, departement,
       NULL, NULL, NULL, NULL, NULL, nombre, exemples, NULL, NULL, NULL
FROM sans_convention
UNION ALL
SELECT 'DROITS_ESTIMES', 'avertissement', bailleur_code, reservataire_code, departement,
       NULL, perimetre_type, perimetre_code, droits_annuels, NULL, NULL, NULL, NULL, NULL, NULL
FROM conv
WHERE methode = 'ASSIETTE' AND NOT flux_connu AND source = 'convention'
UNION ALL
SELECT 'DROITS_INCONNUS', 'erreur', bailleur_code, reservataire_code, departement,
       NULL, perimetre_type, perimetre_code, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM conv
WHERE source = 'manquant'
UNION ALL
SELECT 'BAILLEUR_SANS_MAD', 'erreur', a.bailleur_code, NULL, a.departement,
       q.trimestre, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL
FROM (SELECT DISTINCT bailleur_code, departement FROM conv) AS a
CROSS JOIN quarters_attendus AS q
LEFT JOIN mad_par_trimestre AS m
    ON m.bailleur_code = a.bailleur_code AND m.departement = a.departement
   AND m.trimestre = q.trimestre
WHERE m.n IS NULL
UNION ALL
SELECT 'PRIORITAIRES_SOUS_25', 'avertissement', bailleur_code, reservataire_code, departement,
       NULL, NULL, NULL, 100.0 * baux_prioritaires / baux, 25.0, baux, NULL, baux_prioritaires,
       baux_inconnus, departements
FROM prioritaires
WHERE 4 * baux_prioritaires < baux
