-- requires: mart_signatures
-- Mart: how many bailleurs signed more than half / three quarters of their conventions of
-- $annee (DOMAIN §4.6), over the bailleurs having conventions in the selection. Read with
-- $par = 'bailleur'. "Above" is strict: a bailleur at exactly 50 % is not above 50 %
-- (compared in integers: signees / conventions > 1/2  <=>  2 x signees > conventions).
SELECT
    count(*)::BIGINT AS bailleurs,
    count(*) FILTER (WHERE 2 * signees > conventions)::BIGINT AS au_dessus_50,
    count(*) FILTER (WHERE 2 * signees > conventions) / nullif(count(*), 0) AS part_au_dessus_50,
    count(*) FILTER (WHERE 4 * signees > 3 * conventions)::BIGINT AS au_dessus_75,
    count(*) FILTER (WHERE 4 * signees > 3 * conventions) / nullif(count(*), 0)
        AS part_au_dessus_75
FROM mart_signatures
