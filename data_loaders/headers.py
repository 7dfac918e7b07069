"""Matching a file's headers to the canonical columns of a dataset (DOMAIN §3).

Each canonical column is looked for, in order, under its own name and then under each of its
known variants, all compared after `specs.cle` folding. An explicit mapping
``{"canonical_column": "Header in the file"}`` takes precedence over the table of variants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from data_loaders.errors import Erreur, FichierRejete
from data_loaders.specs import Jeu, cle


@dataclass
class Correspondance:
    """Which column of the file feeds each canonical column."""

    colonnes: dict[str, int] = field(default_factory=dict)       # canonical -> file column index
    entetes: dict[str, str] = field(default_factory=dict)        # canonical -> file header
    ignorees: list[str] = field(default_factory=list)            # file headers not used
    manquantes: list[str] = field(default_factory=list)          # optional columns absent


def lire_mapping(source: str | Path | bytes | dict | None) -> dict[str, str] | None:
    """Read an explicit mapping (JSON object canonical -> header): a path, its content, a dict."""
    if source is None or isinstance(source, dict):
        return source
    try:
        if isinstance(source, (bytes, bytearray)):
            data = json.loads(bytes(source).decode("utf-8-sig"))
            source = "correspondance"
        else:
            data = json.loads(Path(source).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        # Python's own messages are in English: say what went wrong in French.
        if isinstance(exc, json.JSONDecodeError):
            cause = f"JSON invalide ligne {exc.lineno}, colonne {exc.colno}"
        elif isinstance(exc, UnicodeDecodeError):
            cause = "le fichier n'est pas en UTF-8"
        else:
            cause = "fichier introuvable ou impossible à ouvrir"
        raise FichierRejete([Erreur(None, None, str(source),
                                    f"Fichier de correspondance illisible ({cause}). "
                                    "Attendu : un objet JSON {\"colonne\": \"En-tête du fichier\"}.")]) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise FichierRejete([Erreur(None, None, str(source),
                                    "Le fichier de correspondance doit être un objet JSON "
                                    "{\"colonne\": \"En-tête du fichier\"}.")])
    return data


def associer(jeu: Jeu, entetes: list[str], mapping: dict[str, str] | None = None) -> Correspondance:
    """Match the file's headers to the dataset's columns; raise FichierRejete when a required
    column is missing (with the headers that were found)."""
    corr = Correspondance()
    utilises: set[int] = set()
    cles = [cle(h) for h in entetes]
    erreurs: list[Erreur] = []

    for canonique, entete in (mapping or {}).items():
        if canonique not in jeu.noms:
            erreurs.append(Erreur(None, canonique, entete,
                                  f"Correspondance : « {canonique} » n'est pas une colonne des "
                                  f"{jeu.libelle}. Colonnes possibles : {', '.join(jeu.noms)}."))
            continue
        trouve = next((i for i, h in enumerate(entetes) if h == entete), None)
        if trouve is None:
            trouve = next((i for i, k in enumerate(cles) if k and k == cle(entete)), None)
        if trouve is None:
            erreurs.append(Erreur(1, canonique, entete,
                                  f"Correspondance : l'en-tête « {entete} » indiqué pour "
                                  f"« {canonique} » est absent du fichier. En-têtes trouvés : "
                                  f"{_liste(entetes)}."))
            continue
        corr.colonnes[canonique] = trouve
        corr.entetes[canonique] = entetes[trouve]
        utilises.add(trouve)

    for col in jeu.colonnes:
        if col.nom in corr.colonnes:
            continue
        for variante in (col.nom, *col.variantes):
            k = cle(variante)
            trouve = next((i for i, c in enumerate(cles) if c == k and i not in utilises), None)
            if trouve is not None:
                corr.colonnes[col.nom] = trouve
                corr.entetes[col.nom] = entetes[trouve]
                utilises.add(trouve)
                break

    manquantes_obligatoires = [c for c in jeu.colonnes if c.obligatoire and c.nom not in corr.colonnes]
    for col in manquantes_obligatoires:
        erreurs.append(Erreur(1, col.nom, None,
                              f"Colonne obligatoire « {col.nom} » ({col.nom_affiche}) introuvable. "
                              f"En-têtes trouvés : {_liste(entetes)}. Renommez la colonne ou "
                              "fournissez un fichier de correspondance."))
    if erreurs:
        raise FichierRejete(erreurs)
    corr.ignorees = [h for i, h in enumerate(entetes) if i not in utilises]
    corr.manquantes = [c.nom for c in jeu.colonnes if c.nom not in corr.colonnes]
    return corr


def _liste(entetes: list[str]) -> str:
    return ", ".join(f"« {h} »" for h in entetes) if entetes else "aucun"


def deviner_type(entetes: list[str], jeux) -> str | None:
    """The dataset kind whose required columns are all in these headers (the one matching the
    most columns), or None."""
    meilleur, score = None, 0
    for jeu in jeux:
        try:
            corr = associer(jeu, entetes)
        except FichierRejete:
            continue
        if len(corr.colonnes) > score:
            meilleur, score = jeu.nom, len(corr.colonnes)
    return meilleur
