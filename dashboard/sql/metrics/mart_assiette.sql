-- requires: int_flux_perimetres, stg_parc, int_bailleurs
-- Mart: the assiette of each bailleur in each département in $annee (DOMAIN §4.1): the
-- département perimeters of int_flux_perimetres (parc_eligible, base, taux_rotation as a
-- fraction, mutations_prevues, relogements_prevus, flux_annuel — defined there), with the parc
-- rows' own parc_total and logements_exclus summed over the same communes (stg_parc places each
-- commune in its département). Filters: $f_bailleur, $f_departement (empty = everything).
WITH communes_placees AS (
    SELECT DISTINCT bailleur_code, code_insee, departement FROM stg_parc
),
totaux AS (
    SELECT c.bailleur_code, c.departement,
           sum(p.parc_total)::BIGINT AS parc_total,
           sum(p.logements_exclus)::BIGINT AS logements_exclus
    FROM communes_placees AS c
    JOIN parc AS p
      ON p.bailleur_code = c.bailleur_code AND p.code_insee = c.code_insee AND p.annee = $annee
    GROUP BY ALL
)
SELECT
    f.bailleur_code,
    coalesce(n.bailleur_nom, f.bailleur_code) AS bailleur_nom,
    f.departement,
    t.parc_total,
    t.logements_exclus,
    f.parc_eligible,
    f.base,
    f.mutations_prevues,
    f.relogements_prevus,
    f.flux_annuel,
    f.taux_rotation
FROM int_flux_perimetres AS f
LEFT JOIN totaux AS t USING (bailleur_code, departement)
LEFT JOIN int_bailleurs AS n USING (bailleur_code)
WHERE f.perimetre_type = 'DEPARTEMENT'
  AND {{ filtres(bailleur = f.bailleur_code, departement = f.departement) }}
ORDER BY f.bailleur_code, f.departement
