-- Staging: the conventions of the year $annee, each with a numeric id (conv_id) used by the
-- later models. perimetre_code of a DEPARTEMENT convention is its département code (schema v1).
SELECT
    row_number() OVER (
        ORDER BY bailleur_code, reservataire_code, perimetre_type, perimetre_code, import_id
    ) AS conv_id,
    bailleur_code,
    bailleur_nom,
    reservataire_code,
    reservataire_nom,
    type_reservataire,
    departement,
    perimetre_type,
    perimetre_code,
    annee,
    statut,
    date_signature,
    motif_non_signature,
    methode,
    taux_flux,
    droits_annuels AS droits_annuels_convention,
    mode_gestion
FROM conventions
WHERE annee = $annee
