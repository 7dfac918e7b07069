-- requires: int_documents_epci
-- Mart: per département and document, where the EPCI stand (DOMAIN §4.6, §3.5). The EPCI
-- counted are those followed: having a statut for at least one document. Per document:
--   nb_epci         EPCI followed in the département
--   adoptes, en_cours, non_engages   by latest statut
--   non_renseignes  EPCI followed with no statut for that document
--   part_adoptes    = adoptes / nb_epci
WITH suivis AS (
    SELECT DISTINCT epci_siren, departement FROM int_documents_epci
),
documents AS (
    SELECT DISTINCT document FROM int_documents_epci
),
grille AS (
    SELECT s.epci_siren, s.departement, d.document, i.statut
    FROM suivis AS s
    CROSS JOIN documents AS d
    LEFT JOIN int_documents_epci AS i USING (epci_siren, document)
)
SELECT
    departement,
    document,
    count(*)::BIGINT AS nb_epci,
    count(*) FILTER (WHERE statut = 'ADOPTE')::BIGINT AS adoptes,
    count(*) FILTER (WHERE statut = 'EN_COURS')::BIGINT AS en_cours,
    count(*) FILTER (WHERE statut = 'NON_ENGAGE')::BIGINT AS non_engages,
    count(*) FILTER (WHERE statut IS NULL)::BIGINT AS non_renseignes,
    count(*) FILTER (WHERE statut = 'ADOPTE') / count(*) AS part_adoptes
FROM grille
GROUP BY departement, document
