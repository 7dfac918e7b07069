-- requires: fct_bilan
-- Mart: the codes each filter of the bilans can take in year $annee: the distinct values of the
-- columns mart_bilan filters on, over the rows of fct_bilan (conventions of the year and MAD
-- counted in it), so that every option selects something. statut 'SANS_CONVENTION' stands for
-- the MAD that match no convention (as in mart_bilan); the EPCI include 'NON_VENTILE' when some
-- droits or MAD have no EPCI.
SELECT DISTINCT 'departement' AS axe, departement AS cle FROM fct_bilan
UNION
SELECT DISTINCT 'epci', epci_cle FROM fct_bilan WHERE epci_cle IS NOT NULL
UNION
SELECT DISTINCT 'bailleur', bailleur_code FROM fct_bilan
UNION
SELECT DISTINCT 'type_reservataire', type_reservataire FROM fct_bilan
UNION
SELECT DISTINCT 'reservataire', reservataire_code FROM fct_bilan
UNION
SELECT DISTINCT 'statut', coalesce(statut, 'SANS_CONVENTION') FROM fct_bilan
