-- requires: int_mad, stg_conventions
-- Intermediate: each MAD of categorie FLUX matched to the convention of the same bailleur x
-- réservataire x year whose perimeter covers its commune; when several do, the most specific
-- perimeter wins: commune > EPCI > département. conv_id is NULL when none covers it (a MAD
-- without convention, DOMAIN §4.3). Conventions of any statut match.
WITH cles AS (
    -- one convention per key (the key is unique after import validation; guard anyway)
    SELECT bailleur_code, reservataire_code, perimetre_type, perimetre_code, min(conv_id) AS conv_id
    FROM stg_conventions
    GROUP BY ALL
),
par_commune AS (SELECT * FROM cles WHERE perimetre_type = 'COMMUNE'),
par_epci AS (SELECT * FROM cles WHERE perimetre_type = 'EPCI'),
par_departement AS (SELECT * FROM cles WHERE perimetre_type = 'DEPARTEMENT')
SELECT
    m.*,
    coalesce(kc.conv_id, ke.conv_id, kd.conv_id) AS conv_id
FROM int_mad AS m
LEFT JOIN par_commune AS kc
    ON kc.bailleur_code = m.bailleur_code AND kc.reservataire_code = m.reservataire_code
   AND kc.perimetre_code = m.code_insee
LEFT JOIN par_epci AS ke
    ON ke.bailleur_code = m.bailleur_code AND ke.reservataire_code = m.reservataire_code
   AND ke.perimetre_code = m.epci_siren
LEFT JOIN par_departement AS kd
    ON kd.bailleur_code = m.bailleur_code AND kd.reservataire_code = m.reservataire_code
   AND kd.perimetre_code = m.departement
WHERE m.categorie = 'FLUX'
