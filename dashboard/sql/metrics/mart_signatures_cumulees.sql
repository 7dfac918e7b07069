-- requires: int_conventions_filtrees
-- Mart: signed conventions of $annee over time (DOMAIN §4.6): per date_signature, the
-- conventions signed that day and the cumulative count up to it, and the day counted from
-- 1 January of $annee (negative before: the legal deadline was 24/11/2023 for 2024). Signed
-- conventions without date_signature cannot be placed in time: they are left out (a control
-- lists them, SIGNEE_SANS_DATE).
WITH jours AS (
    SELECT date_signature, count(*) AS signees_jour
    FROM int_conventions_filtrees
    WHERE statut = 'SIGNEE' AND date_signature IS NOT NULL
    GROUP BY date_signature
)
SELECT
    $annee::INTEGER AS annee,
    date_signature,
    (sum(signees_jour) OVER (ORDER BY date_signature))::BIGINT AS signees_cumulees,
    signees_jour::BIGINT AS signees_jour,
    (date_signature - make_date($annee, 1, 1))::INTEGER AS jour_relatif
FROM jours
ORDER BY date_signature
