"""Import errors: one French sentence each, with the line, the column and the value."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Erreur:
    ligne: int | None       # line in the file, header = line 1 (None: the whole file)
    colonne: str | None     # canonical column name
    valeur: str | None      # the value as read
    message: str            # French, says what was expected

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        ou = f"ligne {self.ligne}" if self.ligne is not None else "fichier"
        if self.colonne:
            ou += f", colonne {self.colonne}"
        return f"{ou} : {self.message}"


class FichierRejete(Exception):
    """The file cannot be imported at all (unreadable, empty, missing columns…)."""

    def __init__(self, erreurs: list[Erreur], correspondance=None):
        super().__init__("; ".join(str(e) for e in erreurs))
        self.erreurs = erreurs
        # The matching of the headers found so far (headers.Correspondance) when the file is
        # rejected for its headers: the import page preselects the columns that were found.
        self.correspondance = correspondance
