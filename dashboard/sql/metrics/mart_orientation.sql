-- requires: int_orientation_positions
-- Mart (orientation, issue 8): the candidates for a dwelling freed in $commune by $bailleur on
-- $date_orientation, ranked (rang 1 = the one to offer the dwelling to):
--   1. groupe: droits left first, then no droits left (droits of 0 included), then droits unknown;
--   2. retard_relatif, largest first (the furthest behind in proportion of its droits);
--   3. retard, largest first (at the same proportion, the one owed more dwellings);
--   4. reservataire_code, alphabetical (stable).
-- retard_relatif and retard are compared rounded to 9 decimals, so that equal ratios computed
-- from different numbers (2 of 10, 4 of 20) tie instead of differing in their last bits.
SELECT
    row_number() OVER (
        ORDER BY groupe,
                 round(retard_relatif, 9) DESC NULLS LAST,
                 round(retard, 9) DESC NULLS LAST,
                 reservataire_code,
                 conv_id
    )::BIGINT AS rang,
    *
FROM int_orientation_positions
WHERE candidat
ORDER BY rang
