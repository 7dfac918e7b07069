"""Session-state and widget keys, named in one place (pages and tests use these constants)."""

# Importer des données
IMPORT_TYPE = "import_type_donnees"
IMPORT_FICHIER = "import_fichier"
IMPORT_MAPPING = "import_mapping"
IMPORT_FEUILLE = "import_feuille"
IMPORT_PARTIEL = "import_partiel"
IMPORT_BOUTON = "import_bouton"
IMPORT_DERNIER_RAPPORT = "import_dernier_rapport"
ANNULATION_ID = "annulation_import_id"
ANNULATION_BOUTON = "annulation_bouton"
ANNULATION_MESSAGE = "annulation_message"
