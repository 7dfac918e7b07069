-- requires: int_conventions_filtrees, int_ventilation_epci
-- Mart: progress of the signature of the conventions of $annee per EPCI (the maps of the
-- Signatures page). The conventions of an EPCI are those that cover it, as the EPCI axis of the
-- bilan and the EPCI filter read them (int_ventilation_epci): an EPCI-wide convention, the
-- commune-wide ones of its communes, and the département-wide ones of a bailleur with parc in
-- it (one with no parc in its département goes to 'NON_VENTILE'). A département-wide convention
-- thus counts in every EPCI where its bailleur has parc.
--   $perimetres 'tous'          : all of them;
--               'epci_communes' : only the EPCI- and commune-wide ones (the territory's own).
-- Over the conventions of the selection (int_conventions_filtrees; under an EPCI filter, only
-- the rows of the EPCI filtered):
--   conventions, signees (statut SIGNEE), en_cours, non_signees; taux_signature = signees /
--   conventions;
--   droits_annuels = Σ of the droits apportioned to the EPCI (droits × part) of the conventions
--   whose droits are known (NULL when none is), droits_signes = the same of the signed ones,
--   taux_signature_pondere = droits_signes / droits_annuels.
WITH lignes AS (
    SELECT
        v.epci_cle AS cle,
        c.statut,
        c.droits_connus,
        c.droits_annuels * v.part AS droits_annuels
    FROM int_conventions_filtrees AS c
    JOIN int_ventilation_epci AS v USING (conv_id)
    WHERE ($perimetres = 'tous' OR c.perimetre_type IN ('EPCI', 'COMMUNE'))
      AND {{ filtres(epci = v.epci_cle) }}
)
{{ sommes_signatures(lignes) }}
