-- requires: stg_conventions, stg_communes, int_mad, int_mad_rattachees
-- Mart: the hors flux sent with the yearly bilan (CCH R.441-5, DOMAIN §4.8), year $annee, for
-- every réservataire at once: per réservataire x bailleur x département of its perimeter (and
-- the total of the réservataire), and per commune with something to report:
--   mutations_prevues, relogements_prevus   the forecast of the following year ($annee + 1):
--       Σ of the bailleur's parc rows of that year in the commune(s);
--   mutations, relogements                  what $annee gave: MAD of categorie MUTATION /
--       RELOGEMENT dated (date_mise_a_disposition) in $annee;
--   mutations_baux_signes, relogements_baux_signes   of those, the ones whose issue is
--       BAIL_SIGNE (whatever the date of the bail, as the bilan's « attribués »);
--   parc_suivant_importe   every bailleur of the row has parc rows of $annee + 1 (imports are
--       per bailleur x year): when false, its forecast is unknown, not 0.
-- The réservataire's perimeter with a bailleur: the perimeters of their conventions of $annee
-- (département, EPCI or commune), and the département of the commune of each MAD to that
-- réservataire that matches no convention (where the bilan places it); a commune is counted
-- once, whatever the number of perimeters covering it. Every département of a perimeter has its
-- row, even with nothing to report; a commune only when one of its figures is not 0.
-- niveau: 'commune', 'departement' (the bailleur's total in the département) or 'total'.
-- Selection: réservataires $f_reservataire and bailleurs $f_bailleur (empty list = all).
WITH perimetres AS (
    SELECT reservataire_code, bailleur_code, departement, perimetre_type, perimetre_code
    FROM stg_conventions
    UNION
    SELECT coalesce(reservataire_code, 'NON_RENSEIGNE'), bailleur_code, departement,
           'DEPARTEMENT', departement
    FROM int_mad_rattachees
    WHERE compte_mad AND conv_id IS NULL
),
selection AS (
    SELECT *
    FROM perimetres
    WHERE {{ filtres(reservataire, bailleur) }}
),
parc_suivant AS (
    -- placed as stg_parc places the parc rows of the bilan's year
    SELECT
        p.bailleur_code,
        p.code_insee,
        coalesce(
            c.departement,
            CASE WHEN p.code_insee LIKE '97%' THEN left(p.code_insee, 3)
                 ELSE left(p.code_insee, 2) END
        ) AS departement,
        c.epci_siren,
        p.mutations_prevues::BIGINT AS mutations_prevues,
        p.relogements_prevus::BIGINT AS relogements_prevus
    FROM parc AS p
    LEFT JOIN stg_communes AS c USING (code_insee)
    WHERE p.annee = $annee + 1
),
bailleurs_parc_suivant AS (
    SELECT DISTINCT bailleur_code FROM parc_suivant
),
faits AS (
    -- per bailleur x commune
    SELECT
        bailleur_code, code_insee, departement, epci_siren,
        sum(mutations_prevues) AS mutations_prevues,
        sum(relogements_prevus) AS relogements_prevus,
        sum(mutations) AS mutations,
        sum(mutations_baux_signes) AS mutations_baux_signes,
        sum(relogements) AS relogements,
        sum(relogements_baux_signes) AS relogements_baux_signes
    FROM (
        SELECT bailleur_code, code_insee, departement, epci_siren, mutations_prevues,
               relogements_prevus, 0 AS mutations, 0 AS mutations_baux_signes, 0 AS relogements,
               0 AS relogements_baux_signes
        FROM parc_suivant
        UNION ALL
        SELECT bailleur_code, code_insee, departement, epci_siren, 0, 0,
               (categorie = 'MUTATION')::INTEGER,
               (categorie = 'MUTATION' AND issue = 'BAIL_SIGNE')::INTEGER,
               (categorie = 'RELOGEMENT')::INTEGER,
               (categorie = 'RELOGEMENT' AND issue = 'BAIL_SIGNE')::INTEGER
        FROM int_mad
        WHERE compte_mad AND categorie IN ('MUTATION', 'RELOGEMENT')
    )
    GROUP BY ALL
),
communes AS (
    SELECT DISTINCT s.reservataire_code, f.bailleur_code, f.code_insee
    FROM selection AS s
    JOIN faits AS f
      ON f.bailleur_code = s.bailleur_code
     AND CASE s.perimetre_type
             WHEN 'DEPARTEMENT' THEN f.departement = s.perimetre_code
             WHEN 'EPCI' THEN f.epci_siren = s.perimetre_code
             ELSE f.code_insee = s.perimetre_code
         END
),
lignes AS (
    SELECT c.reservataire_code, f.bailleur_code, f.departement, f.code_insee,
           f.mutations_prevues, f.relogements_prevus, f.mutations, f.mutations_baux_signes,
           f.relogements, f.relogements_baux_signes
    FROM communes AS c
    JOIN faits AS f USING (bailleur_code, code_insee)
    UNION ALL
    -- every département of the perimeters, even with nothing to report
    SELECT DISTINCT reservataire_code, bailleur_code, departement, NULL::VARCHAR,
           0, 0, 0, 0, 0, 0
    FROM selection
)
SELECT
    l.reservataire_code,
    CASE WHEN grouping(l.bailleur_code) = 1 THEN 'total'
         WHEN grouping(l.code_insee) = 1 THEN 'departement'
         ELSE 'commune' END AS niveau,
    l.bailleur_code,
    l.departement,
    l.code_insee,
    CASE WHEN grouping(l.code_insee) = 0 THEN any_value(n.nom) END AS nom_commune,
    sum(l.mutations_prevues) AS mutations_prevues,
    sum(l.relogements_prevus) AS relogements_prevus,
    sum(l.mutations) AS mutations,
    sum(l.mutations_baux_signes) AS mutations_baux_signes,
    sum(l.relogements) AS relogements,
    sum(l.relogements_baux_signes) AS relogements_baux_signes,
    bool_and(b.bailleur_code IS NOT NULL) AS parc_suivant_importe,
    list_sort(list_distinct(list(l.bailleur_code) FILTER (WHERE b.bailleur_code IS NULL)))
        AS bailleurs_sans_parc_suivant
FROM lignes AS l
LEFT JOIN bailleurs_parc_suivant AS b ON b.bailleur_code = l.bailleur_code
LEFT JOIN stg_communes AS n ON n.code_insee = l.code_insee
GROUP BY GROUPING SETS ((l.reservataire_code, l.bailleur_code, l.departement, l.code_insee),
                        (l.reservataire_code, l.bailleur_code, l.departement),
                        (l.reservataire_code))
HAVING grouping(l.code_insee) = 1
    OR (l.code_insee IS NOT NULL
        AND sum(l.mutations_prevues) + sum(l.relogements_prevus) + sum(l.mutations)
            + sum(l.relogements) > 0)
