-- Intermediate: the mises à disposition of the yearly bilan owed to each réservataire
-- (CCH R.441-5-1, DOMAIN §4.8), year $annee: every MAD of categorie FLUX dated
-- (date_mise_a_disposition) in $annee — the MAD the bilan's 'mad' view counts, whatever their
-- issue or their convention — with the attributes the bilan is broken down by.
--   propose  : always 1 (a MAD is a dwelling proposed to the réservataire)
--   attribue : the MAD ended in a signed lease (issue BAIL_SIGNE), whatever the date of the bail:
--              the engine's 'baux_signes' of the 'mad' view (DOMAIN §4.3), so that attribués are
--              a subset of proposés and both add up to the bilan's figures.
--   periode_construction / ordre_construction: the construction-period bands, defined here only.
-- Empty attributes become explicit 'inconnu' modalities, so that every breakdown adds up to the
-- same total.
SELECT
    m.bailleur_code,
    coalesce(m.reservataire_code, 'NON_RENSEIGNE') AS reservataire_code,
    coalesce(m.issue = 'BAIL_SIGNE', false) AS attribue,
    coalesce(m.typologie, 'INCONNUE') AS typologie,
    coalesce(m.financement, 'INCONNU') AS financement,
    CASE WHEN m.qpv THEN 'QPV' WHEN NOT m.qpv THEN 'HORS_QPV' ELSE 'INCONNU' END AS qpv,
    m.code_insee,
    CASE
        WHEN m.annee_construction IS NULL THEN 'Inconnue'
        WHEN m.annee_construction < 1950 THEN 'Avant 1950'
        WHEN m.annee_construction < 1975 THEN '1950 à 1974'
        WHEN m.annee_construction < 1990 THEN '1975 à 1989'
        WHEN m.annee_construction < 2005 THEN '1990 à 2004'
        WHEN m.annee_construction < 2015 THEN '2005 à 2014'
        ELSE '2015 et après'
    END AS periode_construction,
    CASE
        WHEN m.annee_construction IS NULL THEN 7
        WHEN m.annee_construction < 1950 THEN 1
        WHEN m.annee_construction < 1975 THEN 2
        WHEN m.annee_construction < 1990 THEN 3
        WHEN m.annee_construction < 2005 THEN 4
        WHEN m.annee_construction < 2015 THEN 5
        ELSE 6
    END AS ordre_construction
FROM mises_a_disposition AS m
WHERE m.categorie = 'FLUX'
  AND m.date_mise_a_disposition >= make_date($annee, 1, 1)
  AND m.date_mise_a_disposition < make_date($annee + 1, 1, 1)
