-- requires: int_mad, int_mad_rattachees
-- Intermediate (orientation, issue 8): the MAD of bailleur $bailleur in the flux, dated from
-- 1 January of $annee to $date_orientation inclusive (int_mad's compte_mad: the year of the date):
--   categorie FLUX        with the convention it counts against (int_mad_rattachees: same
--                         bailleur x réservataire x year, most specific perimeter covering its
--                         commune; conv_id NULL when none does), whatever its issue;
--   categorie NON_RESERVE the bailleur's own share (no convention).
-- With the dwelling's attributes (typologie, financement, qpv) to describe what each réservataire
-- has received.
SELECT
    m.bailleur_code,
    m.reference,
    m.code_insee,
    m.categorie,
    m.reservataire_code,
    r.conv_id,
    d.date_mise_a_disposition,
    d.typologie,
    d.financement,
    d.qpv
FROM int_mad AS m
JOIN mises_a_disposition AS d
    ON d.bailleur_code = m.bailleur_code AND d.reference = m.reference
LEFT JOIN int_mad_rattachees AS r
    ON r.bailleur_code = m.bailleur_code AND r.reference = m.reference
WHERE m.bailleur_code = $bailleur
  AND m.compte_mad
  AND d.date_mise_a_disposition <= $date_orientation
  AND m.categorie IN ('FLUX', 'NON_RESERVE')
