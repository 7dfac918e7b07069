-- requires: stg_conventions, stg_parc, int_bailleurs, mart_controles
-- Mart: how fresh each bailleur's mises à disposition of $annee are, one row per bailleur having
-- conventions, parc or MAD that year:
--   dernier_import      timestamp of its latest import of mises_a_disposition in force (journal
--                       statut ACTIVE) that brought MAD of $annee of that bailleur still live —
--                       the link is the import_id of its MAD rows, not the journal's text scope
--                       (NULL when none);
--   derniere_mad        its latest date_mise_a_disposition in $annee;
--   mad_annee           its MAD dated in $annee, every categorie;
--   trimestres_sans_mad the quarters the controls flag for it (mart_controles,
--                       BAILLEUR_SANS_MAD: ended quarters with no MAD in a département where it
--                       has conventions), e.g. 'T3', with the départements when only some of
--                       its départements are concerned, e.g. 'T2 (84), T3'; '' when none; NULL
--                       when it has no convention that year (the control does not apply).
-- Stalest first: never imported, then the oldest import, then the oldest MAD.
WITH mad AS (
    SELECT bailleur_code, import_id, date_mise_a_disposition
    FROM mises_a_disposition
    WHERE date_mise_a_disposition >= make_date($annee, 1, 1)
      AND date_mise_a_disposition < make_date($annee + 1, 1, 1)
),
bailleurs AS (
    SELECT bailleur_code FROM stg_conventions
    UNION
    SELECT bailleur_code FROM stg_parc
    UNION
    SELECT bailleur_code FROM mad
),
activite AS (
    SELECT bailleur_code, max(date_mise_a_disposition) AS derniere_mad, count(*) AS mad_annee
    FROM mad
    GROUP BY bailleur_code
),
imports AS (
    SELECT m.bailleur_code, max(j.horodatage) AS dernier_import
    FROM (SELECT DISTINCT bailleur_code, import_id FROM mad) AS m
    JOIN journal_imports AS j
      ON j.import_id = m.import_id
     AND j.statut = 'ACTIVE'
     AND j.type_donnees = 'mises_a_disposition'
    GROUP BY m.bailleur_code
),
departements AS (
    SELECT bailleur_code, count(DISTINCT departement) AS n_departements
    FROM stg_conventions
    GROUP BY bailleur_code
),
manques AS (
    SELECT bailleur_code, trimestre, count(DISTINCT departement) AS n_departements,
           string_agg(DISTINCT departement, ', ' ORDER BY departement) AS liste
    FROM mart_controles
    WHERE controle = 'BAILLEUR_SANS_MAD'
    GROUP BY bailleur_code, trimestre
),
textes AS (
    SELECT
        m.bailleur_code,
        string_agg(
            'T' || m.trimestre::VARCHAR
                || CASE WHEN m.n_departements < d.n_departements THEN ' (' || m.liste || ')'
                        ELSE '' END,
            ', ' ORDER BY m.trimestre) AS trimestres_sans_mad
    FROM manques AS m
    JOIN departements AS d USING (bailleur_code)
    GROUP BY m.bailleur_code
)
SELECT
    b.bailleur_code,
    coalesce(n.bailleur_nom, b.bailleur_code) AS bailleur_nom,
    i.dernier_import,
    a.derniere_mad,
    coalesce(a.mad_annee, 0)::BIGINT AS mad_annee,
    CASE WHEN d.bailleur_code IS NOT NULL THEN coalesce(t.trimestres_sans_mad, '') END
        AS trimestres_sans_mad
FROM bailleurs AS b
LEFT JOIN int_bailleurs AS n USING (bailleur_code)
LEFT JOIN activite AS a USING (bailleur_code)
LEFT JOIN imports AS i USING (bailleur_code)
LEFT JOIN departements AS d USING (bailleur_code)
LEFT JOIN textes AS t USING (bailleur_code)
ORDER BY i.dernier_import ASC NULLS FIRST, a.derniere_mad ASC NULLS FIRST, b.bailleur_code
