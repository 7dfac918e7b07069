-- requires: int_mad_rattachees, stg_conventions, int_reservataires, stg_communes
-- Mart: the mises à disposition of year $annee as of quarter $trimestre, per commune of the
-- dwelling (the maps of the communes; the bilan has no commune axis: droits are not apportioned
-- below the EPCI, DOMAIN §4.4). The same events as the bilan's (fct_bilan): MAD of categorie
-- FLUX, each with the attributes the bilan gives it — its convention's (bailleur, réservataire,
-- type, département, statut) when it matches one, else its own (bailleur, réservataire or
-- 'NON_RENSEIGNE', the type from int_reservataires or 'INCONNU', the département of its commune,
-- statut 'SANS_CONVENTION') — and the EPCI of its commune ('NON_VENTILE' without one).
--   $vue 'mad' : MAD dated (date_mise_a_disposition) in the window; baux_signes = those whose
--                issue is BAIL_SIGNE;
--   $vue 'baux': BAIL_SIGNE dated (date_bail) in the window; baux_signes = the same.
-- Window as in mart_bilan: $periode 'cumul' = quarters 1..$trimestre, 'trimestre' = that one.
-- Filters as in mart_bilan ($f_*, empty list = everything). Summed per commune, the counts are
-- the bilan's: Σ over the communes of an EPCI = its mises_a_disposition and baux_signes.
WITH evenements AS (
    SELECT
        m.code_insee,
        m.epci_cle,
        m.conv_id,
        m.issue,
        CASE WHEN $vue = 'baux' THEN m.compte_bail ELSE m.compte_mad END AS compte,
        CASE WHEN $vue = 'baux' THEN m.trimestre_bail ELSE m.trimestre_mad END AS trimestre,
        coalesce(c.bailleur_code, m.bailleur_code) AS bailleur_code,
        CASE WHEN m.conv_id IS NULL THEN coalesce(m.reservataire_code, 'NON_RENSEIGNE')
             ELSE c.reservataire_code END AS reservataire_code,
        CASE WHEN m.conv_id IS NULL THEN coalesce(r.type_reservataire, 'INCONNU')
             ELSE c.type_reservataire END AS type_reservataire,
        CASE WHEN m.conv_id IS NULL THEN m.departement ELSE c.departement END AS departement,
        coalesce(c.statut, 'SANS_CONVENTION') AS statut
    FROM int_mad_rattachees AS m
    LEFT JOIN stg_conventions AS c USING (conv_id)
    LEFT JOIN int_reservataires AS r
        ON m.conv_id IS NULL AND r.reservataire_code = m.reservataire_code
),
selection AS (
    SELECT *
    FROM evenements
    WHERE compte
      AND trimestre <= $trimestre
      AND (trimestre = $trimestre OR $periode = 'cumul')
      AND {{ filtres(departement, epci, bailleur, type_reservataire, reservataire, statut) }}
)
SELECT
    s.code_insee AS cle,
    coalesce(cm.nom, s.code_insee) AS libelle,
    cm.departement,
    s.epci_cle,
    count(*)::BIGINT AS mises_a_disposition,
    (CASE WHEN $vue = 'baux' THEN count(*)
          ELSE count(*) FILTER (WHERE s.issue = 'BAIL_SIGNE') END)::BIGINT AS baux_signes,
    (count(*) FILTER (WHERE s.conv_id IS NULL))::BIGINT AS mad_sans_convention
FROM selection AS s
LEFT JOIN stg_communes AS cm USING (code_insee)
GROUP BY s.code_insee, cm.nom, cm.departement, s.epci_cle
