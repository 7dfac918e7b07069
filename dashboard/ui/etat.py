"""Session-state and widget keys, named in one place (pages and tests use these constants)."""

# Importer des données
IMPORT_TYPE = "import_type_donnees"
IMPORT_FICHIER = "import_fichier"
IMPORT_MAPPING = "import_mapping"
IMPORT_FEUILLE = "import_feuille"
IMPORT_PARTIEL = "import_partiel"
IMPORT_BOUTON = "import_bouton"
IMPORT_DERNIER_RAPPORT = "import_dernier_rapport"
IMPORT_REFUS = "import_refus"
IMPORT_DEMANDE = "_import_demande"    # the import asked by a button, run with its progress
ANNULATION_ID = "annulation_import_id"
ANNULATION_BOUTON = "annulation_bouton"
ANNULATION_MESSAGE = "annulation_message"
# Importer des données: columns matched by hand (see dashboard.ui.imports)
IMPORT_MAPPING_MANUEL = "import_mapping_manuel"          # {"fichier": id, "mapping": {…}}
IMPORT_COLONNES_INITIALES = "_import_colonnes_initiales"  # what the selects were last set to
IMPORT_COLONNES_FORMULAIRE = "import_colonnes_formulaire"
IMPORT_COLONNES_BOUTON = "import_colonnes_bouton"
IMPORT_COLONNES_AUTOMATIQUE = "import_colonnes_automatique"
IMPORT_COLONNES_MESSAGE = "import_colonnes_message"
PREFIXE_IMPORT_COLONNE = "import_colonne_"                # + canonical column name
IMPORT_PROFIL_MESSAGE = "import_profil_message"
# Importer des données: unresolved réservataires (see dashboard.ui.reservataires)
PREFIXE_IMPORT_RESERVATAIRE = "import_reservataire_"      # + digest of the value
IMPORT_RESOLUTION_FORMULAIRE = "import_resolution_formulaire"
IMPORT_RESOLUTION_BOUTON = "import_resolution_bouton"
IMPORT_RESOLUTION_MESSAGE = "import_resolution_message"

# Bilans annuels réservataires: the zip of every réservataire's bilan, made on demand
ANNUEL_ARCHIVE = "_annuel_archive"    # (signature of the selection, zip bytes)
ANNUEL_ARCHIVE_BOUTON = "annuel_archive_bouton"

# Réservataires et correspondances
REFERENTIEL_TYPES = "referentiel_types"
REFERENTIEL_RECHERCHE = "referentiel_recherche"
CORRESPONDANCES_BAILLEUR = "correspondances_bailleur"
CORRESPONDANCE_MODIF_BAILLEUR = "correspondance_modif_bailleur"
CORRESPONDANCE_MODIF_VALEUR = "correspondance_modif_valeur"
CORRESPONDANCE_MODIF_RESERVATAIRE = "correspondance_modif_reservataire"
CORRESPONDANCE_MODIF_BOUTON = "correspondance_modif_bouton"
CORRESPONDANCE_MODIF_INITIALE = "_correspondance_modif_initiale"
CORRESPONDANCES_EXPORT = "correspondances_export"
CORRESPONDANCES_FICHIER = "correspondances_fichier"
CORRESPONDANCES_IMPORT_BOUTON = "correspondances_import_bouton"
CORRESPONDANCES_MESSAGE = "correspondances_message"

# Filters of the bilan pages (see dashboard.ui.filtres)
PREFIXE_FILTRE = "filtre_"
PREFIXE_OMBRE = "_ombre_filtre_"
FILTRES_INITIALISES = "_filtres_initialises"
FILTRE_EN_ATTENTE = "_filtre_en_attente"
PAGE_DES_FILTRES = "_page_des_filtres"

# Presentation mode
DIAPOSITIVE = "diapositive"
