-- requires: int_mad_rattachees, stg_conventions, int_reservataires, stg_communes, stg_epci, int_bailleurs
-- Mart: the rows behind one figure of the bilan (issue 13): one row per MAD of categorie FLUX
-- that the bilan's mises_a_disposition counts for the key $cle of the axis $par (every key when
-- $par is ''), in year $annee as of quarter $trimestre, view $vue, period $periode, under the
-- same filters ($f_*, empty list = everything).
--
-- The rules are those of the bilan, read from the same models:
--   - which MAD count and in which quarter: int_mad (compte_mad / trimestre_mad in the view
--     'mad', compte_bail / trimestre_bail in the view 'baux');
--   - which convention a MAD counts against: int_mad_rattachees (commune > EPCI > département);
--   - the key of a MAD on each axis, as in fct_bilan's activity rows and int_mad_attribuees: a
--     MAD matched to a convention takes the convention's bailleur, réservataire, type,
--     département and statut; a MAD without convention its own bailleur and réservataire
--     ('NON_RENSEIGNE' when empty), the type int_reservataires gives ('INCONNU' otherwise), the
--     département of its commune and the statut 'SANS_CONVENTION'; the EPCI is always its
--     commune's (epci_cle, 'NON_VENTILE' without one);
--   - the window and the filters, as mart_bilan applies them to the activity rows: quarters
--     1..$trimestre ('cumul') or $trimestre alone ('trimestre'); on the axis 'trimestre' the
--     key is '<annee>-T<q>' and the period has no effect.
-- Every other column is read from the MAD's row (mises_a_disposition, key bailleur x reference,
-- unique per bailleur) and the reference data; convention is a readable identifier of the
-- convention the MAD counts against, 'sans convention' for the others.
WITH attribuees AS (
    SELECT
        m.bailleur_code AS bailleur_mad,
        m.reference,
        m.code_insee,
        m.categorie,
        m.issue,
        m.conv_id,
        coalesce(c.bailleur_code, m.bailleur_code) AS bailleur_code,
        coalesce(c.reservataire_code, m.reservataire_code, 'NON_RENSEIGNE') AS reservataire_code,
        CASE WHEN m.conv_id IS NULL THEN coalesce(r.type_reservataire, 'INCONNU')
             ELSE c.type_reservataire END AS type_reservataire,
        coalesce(c.departement, m.departement) AS departement,
        m.epci_siren,
        m.epci_cle,
        c.statut,
        c.perimetre_type,
        c.perimetre_code,
        c.annee AS annee_convention,
        CASE WHEN $vue = 'baux' THEN m.compte_bail ELSE m.compte_mad END AS compte,
        CASE WHEN $vue = 'baux' THEN m.trimestre_bail ELSE m.trimestre_mad END AS trimestre
    FROM int_mad_rattachees AS m
    LEFT JOIN stg_conventions AS c USING (conv_id)
    LEFT JOIN int_reservataires AS r
        ON m.conv_id IS NULL
       AND r.reservataire_code = coalesce(m.reservataire_code, 'NON_RENSEIGNE')
),
selection AS (
    SELECT *
    FROM attribuees
    WHERE compte
      AND trimestre <= $trimestre
      AND (trimestre = $trimestre OR $periode = 'cumul' OR $par = 'trimestre')
      AND {{ filtres(departement, epci, bailleur, type_reservataire, reservataire, statut) }}
      AND ($par = '' OR $cle = {{ cle_axe($par) }})
)
SELECT
    s.reference,
    s.bailleur_code,
    d.date_mise_a_disposition,
    s.code_insee,
    s.reservataire_code,
    s.categorie,
    s.issue,
    d.date_bail,
    CASE WHEN s.conv_id IS NULL THEN 'sans convention'
         ELSE s.bailleur_code || ' × ' || s.reservataire_code || ' × '
              || CASE s.perimetre_type WHEN 'DEPARTEMENT' THEN 'département '
                                       WHEN 'EPCI' THEN 'EPCI '
                                       ELSE 'commune ' END
              || s.perimetre_code || ' × ' || s.annee_convention::VARCHAR
    END AS convention,
    b.bailleur_nom,
    co.nom AS commune_nom,
    s.epci_siren,
    e.epci_nom,
    s.departement,
    rn.reservataire_nom,
    d.reservataire_valeur,
    s.type_reservataire,
    coalesce(s.statut, 'SANS_CONVENTION') AS statut_convention,
    s.perimetre_type AS convention_perimetre_type,
    s.perimetre_code AS convention_perimetre_code,
    d.typologie,
    d.financement,
    d.qpv,
    d.public_prioritaire,
    d.rpls,
    d.annee_construction,
    d.candidat_bailleur,
    s.trimestre AS trimestre_compte
FROM selection AS s
JOIN mises_a_disposition AS d
  ON d.bailleur_code = s.bailleur_mad AND d.reference = s.reference
 AND d.code_insee = s.code_insee AND d.categorie = s.categorie AND d.issue = s.issue
LEFT JOIN int_bailleurs AS b ON b.bailleur_code = s.bailleur_code
LEFT JOIN stg_communes AS co ON co.code_insee = s.code_insee
LEFT JOIN stg_epci AS e ON e.epci_siren = s.epci_siren
LEFT JOIN int_reservataires AS rn ON rn.reservataire_code = s.reservataire_code
