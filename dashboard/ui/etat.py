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
ANNULATION_ID = "annulation_import_id"
ANNULATION_BOUTON = "annulation_bouton"
ANNULATION_MESSAGE = "annulation_message"

# Filters of the bilan pages (see dashboard.ui.filtres)
PREFIXE_FILTRE = "filtre_"
PREFIXE_OMBRE = "_ombre_filtre_"
FILTRES_INITIALISES = "_filtres_initialises"
FILTRE_EN_ATTENTE = "_filtre_en_attente"
PAGE_DES_FILTRES = "_page_des_filtres"

# Presentation mode
DIAPOSITIVE = "diapositive"
