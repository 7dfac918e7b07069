-- requires: int_conventions_filtrees, int_bailleurs, int_reservataires
-- Mart: the conventions of $annee not signed (statut EN_COURS or NON_SIGNEE) in the selection,
-- with the reason given (DOMAIN §4.6); an empty reason reads 'Motif non renseigné'. Names: the
-- convention's own, else the latest one the conventions give (int_bailleurs, int_reservataires).
-- Sorted by reason (case and accents ignored), then bailleur, département, réservataire.
SELECT
    c.bailleur_code,
    coalesce(c.bailleur_nom, b.bailleur_nom) AS bailleur_nom,
    c.reservataire_code,
    coalesce(c.reservataire_nom, r.reservataire_nom) AS reservataire_nom,
    c.type_reservataire,
    c.departement,
    c.perimetre_type,
    c.perimetre_code,
    c.statut,
    coalesce(nullif(trim(c.motif_non_signature), ''), 'Motif non renseigné')
        AS motif_non_signature,
    c.annee,
    c.droits_annuels
FROM int_conventions_filtrees AS c
LEFT JOIN int_bailleurs AS b USING (bailleur_code)
LEFT JOIN int_reservataires AS r USING (reservataire_code)
WHERE c.statut <> 'SIGNEE'
ORDER BY motif_non_signature COLLATE NOACCENT.NOCASE, c.bailleur_code, c.departement,
         c.reservataire_code, c.perimetre_type, c.perimetre_code
