-- requires: int_orientation_positions
-- Mart (orientation, issue 8): the year-end projection of bailleur $bailleur's contingents at the
-- pace observed from 1 January to $date_orientation (projection_31_12, ecart_projete,
-- taux_projete, reste_a_mettre_a_disposition: see int_orientation_positions). Without $commune
-- (''): every convention of the year whose statut is in $statuts; with $commune: the candidates
-- of that commune (mart_orientation's rows, the non-reserved share included).
-- Order: département, then the furthest behind at year end first (ecart_projete), then code.
SELECT *
FROM int_orientation_positions
WHERE CASE WHEN $commune = '' THEN origine = 'convention' AND statut_retenu ELSE candidat END
ORDER BY departement,
         origine,
         round(ecart_projete, 9) NULLS LAST,
         reservataire_code,
         conv_id
