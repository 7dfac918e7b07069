-- requires: int_droits_conventions, int_ventilation_epci
-- Intermediate: the conventions of $annee kept by the filters ($f_*, empty list = everything),
-- with their droits annuels and source (int_droits_conventions). The filters read the
-- convention's own attributes: département, bailleur, type, réservataire, statut
-- ('SANS_CONVENTION' selects no convention); an EPCI filter keeps the EPCI- and commune-wide
-- conventions of that EPCI and the département-wide ones with parc there (int_ventilation_epci).
SELECT c.*
FROM int_droits_conventions AS c
WHERE {{ filtres(departement = c.departement, bailleur = c.bailleur_code,
                 type_reservataire = c.type_reservataire, reservataire = c.reservataire_code,
                 statut = c.statut) }}
  AND (len($f_epci) = 0 OR c.conv_id IN (
        SELECT conv_id FROM int_ventilation_epci WHERE list_contains($f_epci, epci_cle)))
