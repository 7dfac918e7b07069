-- requires: int_mad_rattachees, stg_conventions, int_reservataires
-- Intermediate: each MAD of categorie FLUX that counts in $annee (either view), with the key it
-- has on every axis of the bilan — the same as in fct_bilan's activity rows: a MAD matched to a
-- convention takes the convention's bailleur, réservataire, type, département and statut; a MAD
-- without convention its own bailleur and réservataire ('NON_RENSEIGNE' when empty), the type
-- int_reservataires gives ('INCONNU' otherwise), the département of its commune and no statut.
-- The EPCI is always its commune's (epci_cle). With its issue, its public_prioritaire flag (NULL:
-- unknown) and the quarter of each date.
SELECT
    m.conv_id,
    coalesce(c.bailleur_code, m.bailleur_code) AS bailleur_code,
    coalesce(c.reservataire_code, m.reservataire_code, 'NON_RENSEIGNE') AS reservataire_code,
    CASE WHEN m.conv_id IS NULL THEN coalesce(r.type_reservataire, 'INCONNU')
         ELSE c.type_reservataire END AS type_reservataire,
    coalesce(c.departement, m.departement) AS departement,
    m.epci_cle,
    c.statut,
    m.issue,
    m.public_prioritaire,
    m.compte_mad,
    m.trimestre_mad,
    m.compte_bail,
    m.trimestre_bail
FROM int_mad_rattachees AS m
LEFT JOIN stg_conventions AS c USING (conv_id)
LEFT JOIN int_reservataires AS r
    ON m.conv_id IS NULL
   AND r.reservataire_code = coalesce(m.reservataire_code, 'NON_RENSEIGNE')
