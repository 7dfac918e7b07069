-- requires: stg_conventions, int_flux_perimetres, stg_communes
-- Intermediate: droits annuels of every convention of $annee, with their source (DOMAIN §4.2).
--   ASSIETTE      : taux_flux / 100 x flux_annuel(perimeter) when the parc of that bailleur, year
--                   and perimeter is known (source 'assiette'); else the convention's own
--                   droits_annuels estimate (source 'convention'); else unknown (source 'manquant',
--                   droits NULL, never 0).
--   DROITS_ACQUIS : the convention's droits_annuels (source 'convention'), else 'manquant'.
-- flux_connu: the perimeter's flux is known. dans_part: the convention counts in part_prevue and
-- part_reelle (perimeter flux known and droits known, DOMAIN §4.3).
-- epci_perimetre: the EPCI an EPCI- or commune-wide convention goes to on the EPCI axis.
WITH calcul AS (
    SELECT
        c.*,
        f.parc_eligible,
        f.taux_rotation,
        f.flux_annuel,
        CASE
            WHEN c.methode = 'ASSIETTE' AND f.flux_annuel IS NOT NULL AND c.taux_flux IS NOT NULL
                THEN 'assiette'
            WHEN c.droits_annuels_convention IS NOT NULL THEN 'convention'
            ELSE 'manquant'
        END AS source
    FROM stg_conventions AS c
    LEFT JOIN int_flux_perimetres AS f
        ON f.bailleur_code = c.bailleur_code
       AND f.perimetre_type = c.perimetre_type
       AND f.perimetre_code = c.perimetre_code
)
SELECT
    calcul.*,
    CASE source
        WHEN 'assiette' THEN taux_flux / 100.0 * flux_annuel
        WHEN 'convention' THEN droits_annuels_convention
    END AS droits_annuels,
    flux_annuel IS NOT NULL AS flux_connu,
    source <> 'manquant' AS droits_connus,
    flux_annuel IS NOT NULL AND source <> 'manquant' AS dans_part,
    CASE perimetre_type
        WHEN 'EPCI' THEN perimetre_code
        WHEN 'COMMUNE' THEN cm.epci_siren
    END AS epci_perimetre
FROM calcul
LEFT JOIN stg_communes AS cm
    ON calcul.perimetre_type = 'COMMUNE' AND cm.code_insee = calcul.perimetre_code
