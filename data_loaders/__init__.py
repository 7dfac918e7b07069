"""Reading, matching, normalising, validating and ingesting the files users send.

Knows nothing of Streamlit. The entry points are `importer`, `annuler`, `journal` and
`quarantaine` (see data_loaders.ingest).
"""

from data_loaders.errors import Erreur, FichierRejete
from data_loaders.historique import AnnulationImpossible, annuler, journal, quarantaine
from data_loaders.ingest import IMPORTE, INCHANGE, REJETE, RapportImport, importer
from data_loaders.specs import JEUX

__all__ = [
    "Erreur", "FichierRejete", "INCHANGE", "IMPORTE", "REJETE", "AnnulationImpossible",
    "RapportImport", "annuler", "importer", "journal", "quarantaine", "JEUX",
]
