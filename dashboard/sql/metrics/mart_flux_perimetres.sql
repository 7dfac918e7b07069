-- requires: int_flux_perimetres
-- Mart: the flux annuel of every perimeter of every bailleur in $annee (DOMAIN §4.1, defined in
-- int_flux_perimetres), of the type $perimetre_type ('' = every type), by bailleur, then
-- département, EPCI and commune perimeters, then perimeter code. Filters: bailleur, département
-- of the perimeter, EPCI (the EPCI perimeters and the communes of those EPCI: epci_siren).
SELECT
    bailleur_code, perimetre_type, perimetre_code, departement, epci_siren,
    parc_eligible, base, taux_rotation, mutations_prevues, relogements_prevus, flux_annuel
FROM int_flux_perimetres
WHERE ($perimetre_type = '' OR perimetre_type = $perimetre_type)
  AND {{ filtres(bailleur, departement, epci = epci_siren) }}
ORDER BY bailleur_code,
         CASE perimetre_type WHEN 'DEPARTEMENT' THEN 1 WHEN 'EPCI' THEN 2 ELSE 3 END,
         perimetre_code
