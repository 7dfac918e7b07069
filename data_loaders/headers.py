"""Matching a file's headers to the canonical columns of a dataset (DOMAIN §3).

Three passes, the first one that decides wins:

1. an explicit mapping ``{"canonical_column": "Header in the file"}``;
2. exact variants: each canonical column is looked for, in order, under its own name and then
   under each of its known variants (``specs.Colonne.variantes``), all compared after
   `specs.cle` folding;
3. meaning: the headers still unused are cut into words (lower case, no accent, stop words
   dropped, synonyms mapped to one concept, plurals folded: `mots`), and a column still free
   takes the header whose words hold all the key words of one of its word-signatures
   (`SIGNATURES`): « Date de signature du bail » holds {signature, bail} → ``date_bail``. The
   longer signature wins; at equal length, the header with fewer words left over. A header
   that fits two columns equally, or two headers that fit one required column equally, is an
   ambiguity: the file is rejected with the candidates named (a mapping file settles it).

Headers left unused that look like a column already taken by another header are reported
(`Correspondance.ressemblantes`, `Correspondance.avertissements`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
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
    # Headers not used that look like a canonical column: (file header, canonical column). The
    # column is either fed by another header (in `entetes`) or, optional, left empty because
    # several headers fitted it equally.
    ressemblantes: list[tuple[str, str]] = field(default_factory=list)
    libelles: dict[str, str] = field(default_factory=dict, repr=False)  # canonical -> French label
    # Canonical columns found by meaning (pass 3) rather than by name or variant.
    par_le_sens: list[str] = field(default_factory=list)

    def avertissements(self) -> list[str]:
        """French sentences on the look-alike columns left unused (one per column concerned)."""
        phrases = []
        par_colonne: dict[str, list[str]] = defaultdict(list)
        for entete, canonique in self.ressemblantes:
            par_colonne[canonique].append(entete)
        for canonique, entetes in par_colonne.items():
            libelle = self.libelles.get(canonique, canonique)
            if canonique in self.entetes:
                retenue = self.entetes[canonique]
                for entete in entetes:
                    phrases.append(f"La colonne « {entete} » ressemble à « {libelle} » mais n'a "
                                   f"pas été utilisée (la colonne « {retenue} » a été retenue).")
            else:
                phrases.append(f"Les colonnes {_liste(entetes)} ressemblent toutes à "
                               f"« {libelle} » : aucune n'a été utilisée. Indiquez la bonne dans "
                               f"un fichier de correspondance, par exemple "
                               f"{_exemple(canonique, entetes[0])}.")
        return phrases


def lire_mapping(source: str | Path | bytes | dict | None) -> dict[str, str] | None:
    """Read an explicit mapping (JSON object canonical -> header, or null for « no column in
    this file »): a path, its content, a dict."""
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
    # A column mapped to null has no column in the file (it is not guessed either).
    if not isinstance(data, dict) or not all(v is None or isinstance(v, str)
                                             for v in data.values()):
        raise FichierRejete([Erreur(None, None, str(source),
                                    "Le fichier de correspondance doit être un objet JSON "
                                    "{\"colonne\": \"En-tête du fichier\"}.")])
    return data


# ------------------------------------------------------------------------ words of a header

# Words that carry no meaning in a header ("Date de signature du bail": de, du).
MOTS_VIDES = frozenset(
    "a au aux d de des du en et l la le les ou par pour sur dans un une".split())

# Word (folded, before and after the plural is dropped) -> the concept it stands for.
SYNONYMES = {
    "contingent": "reservataire", "reservant": "reservataire",
    "cog": "insee", "depcom": "insee", "codgeo": "insee",
    "ville": "commune",
    "baux": "bail",
    "signe": "signature", "signee": "signature",
    "ref": "reference",
    "id": "identifiant", "ident": "identifiant",
    "n": "numero", "no": "numero", "num": "numero", "nro": "numero", "numero": "numero",
    "nb": "nombre", "nbre": "nombre",
    "an": "annee", "millesime": "annee", "exercice": "annee",
    "dept": "departement", "dep": "departement", "dpt": "departement",
    "libelle": "nom", "intitule": "nom", "denomination": "nom",
    "organisme": "bailleur",
    "resultat": "issue", "decision": "issue", "devenir": "issue",
    "etat": "statut", "situation": "statut",
    "pourcentage": "taux", "pct": "taux",
    "mobilite": "rotation",
    "nature": "categorie",
    "typo": "typologie",
    "logt": "logement", "lgt": "logement",
    "libere": "liberation",
}
# Consecutive concepts that make one ("mise à disposition" → mad).
LOCUTIONS = {
    ("mise", "disposition"): "mad",
    ("mis", "disposition"): "mad",
    ("raison", "sociale"): "nom",
    ("quote", "part"): "taux",
}
# A header with more words left over than this, besides a signature, means something else
# (a sentence, a link…): « [Catégorie](https://site.example/) » is not the catégorie.
MOTS_EN_TROP_MAX = 2

# Word-signatures of each canonical column (same name, same meaning in every dataset): each
# string is a set of words that a header must all hold. A header holding "date" only fits a
# signature holding "date" (« Date de mise à disposition au réservataire » is no réservataire).
SIGNATURES: dict[str, tuple[str, ...]] = {
    "bailleur_code": ("bailleur", "code ols"),
    "bailleur_nom": ("nom bailleur",),
    "reservataire_code": ("reservataire",),
    "reservataire_nom": ("nom reservataire",),
    "type_reservataire": ("type reservataire", "categorie reservataire"),
    "departement": ("departement",),
    "perimetre_type": ("type perimetre", "perimetre", "echelle"),
    "perimetre_code": ("code perimetre", "code territoire"),
    "annee": ("annee",),
    "statut": ("statut",),
    "date_signature": ("date signature",),
    "motif_non_signature": ("motif", "raison non signature"),
    "methode": ("methode", "mode calcul"),
    "taux_flux": ("taux flux", "taux reservation", "part flux", "taux"),
    "droits_annuels": ("droit", "objectif annuel"),
    "mode_gestion": ("mode gestion", "gestion"),
    "code_insee": ("insee", "code commune"),
    "parc_total": ("parc", "patrimoine", "nombre logement", "logement familial"),
    "logements_exclus": ("exclu", "exclusion", "hors assiette"),
    "liberations": ("liberation",),
    "taux_rotation": ("rotation",),
    "mutations_prevues": ("mutation",),
    "relogements_prevus": ("relogement",),
    "reference": ("reference", "identifiant", "numero mad"),
    "date_mise_a_disposition": ("date mad", "date orientation"),
    "categorie": ("categorie", "type mad"),
    "rpls": ("rpls",),
    "qpv": ("qpv", "quartier prioritaire", "quartier politique ville"),
    "typologie": ("typologie", "type logement", "nombre piece", "piece"),
    "financement": ("financement",),
    "annee_construction": ("annee construction", "date construction", "annee mise service"),
    "issue": ("issue", "statut"),
    "date_bail": ("date bail", "signature bail", "date entree"),
    "candidat_bailleur": ("candidat bailleur",),
    "public_prioritaire": ("public prioritaire", "menage prioritaire", "dalo"),
    "epci_siren": ("siren", "epci"),
    "document": ("document",),
    "date_document": ("date document", "date adoption", "date deliberation"),
    "epci_nom": ("nom epci",),
    "epci_nature": ("nature epci", "nature juridique"),
    "nom_commune": ("nom commune",),
    "population": ("population",),
}
# Words that take a header away from a column, whatever its signatures ("Nom du bailleur" is
# no bailleur code, "Type de réservataire" no réservataire, "Logements exclus" no parc total).
EXCLUS: dict[str, tuple[str, ...]] = {
    "bailleur_code": ("nom", "candidat"),
    "reservataire_code": ("nom", "type", "categorie"),
    "perimetre_type": ("code",),
    "annee": ("construction", "service", "naissance"),
    "date_signature": ("bail",),
    "code_insee": ("nom",),
    "parc_total": ("exclu", "liberation", "mutation", "relogement", "vacant"),
    "reference": ("rpls", "bailleur", "reservataire", "logement", "commune", "convention"),
    "categorie": ("reservataire", "logement", "financement"),
    "public_prioritaire": ("quartier",),
    "epci_siren": ("nom", "nature"),
}


def _plier(texte: object) -> str:
    decompose = unicodedata.normalize("NFKD", str(texte))
    return "".join(c for c in decompose if not unicodedata.combining(c)).lower()


def _concept(mot: str) -> str:
    if mot in SYNONYMES:
        return SYNONYMES[mot]
    if len(mot) > 3 and mot.endswith("s"):
        mot = mot[:-1]
    return SYNONYMES.get(mot, mot)


def mots(texte: object) -> tuple[str, ...]:
    """The concepts of a header, in order: « N° RPLS du logement » → (numero, rpl, logement)."""
    if texte is None:
        return ()
    concepts = [_concept(m) for m in re.findall(r"[a-z0-9]+", _plier(texte))
                if m not in MOTS_VIDES]
    fondus: list[str] = []
    for mot in concepts:
        if fondus and (fondus[-1], mot) in LOCUTIONS:
            fondus[-1] = LOCUTIONS[(fondus[-1], mot)]
        else:
            fondus.append(mot)
    return tuple(fondus)


_SIGNATURES = {nom: tuple(frozenset(mots(s)) for s in signatures)
               for nom, signatures in SIGNATURES.items()}
_EXCLUS = {nom: frozenset(_concept(m) for m in exclus) for nom, exclus in EXCLUS.items()}
_EXACT = (1_000, 0)      # an exact variant beats any word-signature


def _score_mots(concepts: frozenset[str], colonne: str) -> tuple[int, int] | None:
    """(signature length, - words left over) of the best signature of `colonne` that the
    header's concepts hold, or None."""
    if concepts & _EXCLUS.get(colonne, frozenset()):
        return None
    meilleur = None
    for signature in _SIGNATURES.get(colonne, ()):
        if not signature <= concepts or ("date" in concepts and "date" not in signature):
            continue
        en_trop = len(concepts - signature)
        if en_trop > MOTS_EN_TROP_MAX:
            continue
        score = (len(signature), -en_trop)
        if meilleur is None or score > meilleur:
            meilleur = score
    return meilleur


def _variantes(jeu: Jeu) -> dict[str, set[str]]:
    return {c.nom: {cle(v) for v in (c.nom, *c.variantes)} for c in jeu.colonnes}


def _score(entete: str, colonne: str, variantes: dict[str, set[str]]) -> tuple[int, int] | None:
    """How well a header fits a column: an exact variant, else its words, else None."""
    if cle(entete) and cle(entete) in variantes[colonne]:
        return _EXACT
    return _score_mots(frozenset(mots(entete)), colonne)


def reconnaissance(jeu: Jeu, entetes: list) -> tuple[int, int]:
    """(required columns, columns) of `jeu` that some of these headers fit, by name, variant or
    meaning: how much a row of cells looks like this dataset's header row."""
    variantes = _variantes(jeu)
    textes = [str(h).strip() for h in entetes if h is not None and str(h).strip()]
    trouvees = [c for c in jeu.colonnes
                if any(_score(h, c.nom, variantes) is not None for h in textes)]
    return sum(1 for c in trouvees if c.obligatoire), len(trouvees)


# ---------------------------------------------------------------------------- the matching

def associer(jeu: Jeu, entetes: list[str], mapping: dict[str, str] | None = None,
             ligne_entetes: int = 1) -> Correspondance:
    """Match the file's headers to the dataset's columns; raise FichierRejete when a required
    column is missing (with the headers that were found) or when headers are ambiguous.

    ``ligne_entetes``: the line of the header row in the file, for the errors' line."""
    corr = Correspondance(libelles={c.nom: c.nom_affiche for c in jeu.colonnes})
    utilises: set[int] = set()
    cles = [cle(h) for h in entetes]
    erreurs: list[Erreur] = []
    ligne = ligne_entetes

    for canonique, entete in (mapping or {}).items():
        if entete is None and canonique in jeu.noms:
            continue           # « no column »: the column is not guessed either (below)
        if canonique not in jeu.noms:
            erreurs.append(Erreur(None, canonique, entete,
                                  f"Correspondance : « {canonique} » n'est pas une colonne des "
                                  f"{jeu.libelle}. Colonnes possibles : {', '.join(jeu.noms)}."))
            continue
        trouve = next((i for i, h in enumerate(entetes) if h == entete), None)
        if trouve is None:
            trouve = next((i for i, k in enumerate(cles) if k and k == cle(entete)), None)
        if trouve is None:
            erreurs.append(Erreur(ligne, canonique, entete,
                                  f"Correspondance : l'en-tête « {entete} » indiqué pour "
                                  f"« {canonique} » est absent du fichier. En-têtes trouvés : "
                                  f"{_liste(entetes)}."))
            continue
        corr.colonnes[canonique] = trouve
        corr.entetes[canonique] = entetes[trouve]
        utilises.add(trouve)

    for col in jeu.colonnes:
        if col.nom in corr.colonnes or col.nom in (mapping or {}):
            continue
        for variante in (col.nom, *col.variantes):
            k = cle(variante)
            trouve = next((i for i, c in enumerate(cles) if c == k and i not in utilises), None)
            if trouve is not None:
                corr.colonnes[col.nom] = trouve
                corr.entetes[col.nom] = entetes[trouve]
                utilises.add(trouve)
                break

    # Columns that a mapping named (even a header absent from the file) are not guessed.
    nommees = set(mapping or {})
    ambigues, ambigus = _par_le_sens(jeu, entetes, corr, utilises, nommees, ligne, erreurs)

    en_erreur = {e.colonne for e in erreurs}
    for col in jeu.colonnes:
        if col.obligatoire and col.nom not in corr.colonnes and col.nom not in en_erreur:
            erreurs.append(Erreur(ligne, col.nom, None,
                                  f"Colonne obligatoire « {col.nom} » ({col.nom_affiche}) "
                                  f"introuvable. En-têtes trouvés : {_liste(entetes)}. Renommez "
                                  "la colonne ou fournissez un fichier de correspondance."))
    corr.ignorees = [h for i, h in enumerate(entetes) if i not in utilises]
    corr.manquantes = [c.nom for c in jeu.colonnes if c.nom not in corr.colonnes]
    if erreurs:
        raise FichierRejete(erreurs, correspondance=corr)
    corr.manquantes = [c.nom for c in jeu.colonnes if c.nom not in corr.colonnes]
    corr.ressemblantes = _ressemblantes(jeu, entetes, corr, utilises, ambigues, ambigus)
    return corr


def _par_le_sens(jeu: Jeu, entetes: list[str], corr: Correspondance, utilises: set[int],
                 nommees: set[str], ligne: int, erreurs: list[Erreur]):
    """Pass 3: free columns take free headers by their words, the best fits first. Returns
    the optional columns left empty because several headers fitted them equally
    ({column: [header indices]}) and the headers involved in an ambiguity."""
    libres = [c for c in jeu.colonnes if c.nom not in corr.colonnes and c.nom not in nommees]
    paires: dict[tuple[int, str], tuple[int, int]] = {}
    for i, entete in enumerate(entetes):
        if i in utilises or not cle(entete):
            continue
        concepts = frozenset(mots(entete))
        for col in libres:
            score = _score_mots(concepts, col.nom)
            if score is not None:
                paires[(i, col.nom)] = score
    obligatoire = {c.nom: c.obligatoire for c in jeu.colonnes}
    ordre = {c.nom: k for k, c in enumerate(jeu.colonnes)}
    ambigues: dict[str, list[int]] = {}
    ambigus: set[int] = set()
    while paires:
        haut = max(paires.values())
        niveau = [p for p, s in paires.items() if s == haut]
        colonnes_de: dict[int, list[str]] = defaultdict(list)
        entetes_de: dict[str, list[int]] = defaultdict(list)
        for i, nom in niveau:
            colonnes_de[i].append(nom)
            entetes_de[nom].append(i)
        finis_h: set[int] = set()
        finies_c: set[str] = set()
        for i, noms in colonnes_de.items():
            if len(noms) > 1:
                noms.sort(key=ordre.get)
                candidats = " ou ".join(f"« {corr.libelles[n]} » ({n})" for n in noms)
                erreurs.append(Erreur(
                    ligne, noms[0], entetes[i],
                    f"En-tête ambigu : « {entetes[i]} » peut désigner {candidats}. Renommez "
                    "la colonne dans le fichier ou fournissez un fichier de correspondance, "
                    f"par exemple {_exemple(noms[0], entetes[i])}."))
                finis_h.add(i)
                finies_c.update(noms)
                ambigus.add(i)
        for nom, indices in entetes_de.items():
            if len(indices) > 1:
                indices.sort()
                if obligatoire[nom]:
                    erreurs.append(Erreur(
                        ligne, nom, entetes[indices[0]],
                        f"Plusieurs colonnes du fichier peuvent être la colonne obligatoire "
                        f"« {nom} » ({corr.libelles[nom]}) : "
                        f"{_liste([entetes[i] for i in indices])}. Renommez la colonne dans le "
                        "fichier ou fournissez un fichier de correspondance, par exemple "
                        f"{_exemple(nom, entetes[indices[0]])}."))
                else:
                    ambigues[nom] = indices
                finies_c.add(nom)
                finis_h.update(indices)
                ambigus.update(indices)
        for i, nom in niveau:
            if i not in finis_h and nom not in finies_c:
                corr.colonnes[nom] = i
                corr.entetes[nom] = entetes[i]
                corr.par_le_sens.append(nom)
                utilises.add(i)
                finis_h.add(i)
                finies_c.add(nom)
        paires = {(i, nom): s for (i, nom), s in paires.items()
                  if i not in finis_h and nom not in finies_c}
    corr.par_le_sens.sort(key=ordre.get)
    return ambigues, ambigus


def _ressemblantes(jeu: Jeu, entetes: list[str], corr: Correspondance, utilises: set[int],
                   ambigues: dict[str, list[int]], ambigus: set[int]) -> list[tuple[str, str]]:
    """(header, column) for each unused header that fits a column fed by another header (the
    best fit), and for the headers of optional columns left empty by an ambiguity."""
    variantes = _variantes(jeu)
    trouvees: list[tuple[int, str]] = []
    for i, entete in enumerate(entetes):
        if i in utilises or i in ambigus or not cle(entete):
            continue
        meilleur, nom_meilleur = None, None
        for col in jeu.colonnes:
            if col.nom not in corr.colonnes:
                continue
            score = _score(entete, col.nom, variantes)
            if score is not None and (meilleur is None or score > meilleur):
                meilleur, nom_meilleur = score, col.nom
        if nom_meilleur is not None:
            trouvees.append((i, nom_meilleur))
    for nom, indices in ambigues.items():
        trouvees.extend((i, nom) for i in indices)
    trouvees.sort()
    return [(entetes[i], nom) for i, nom in trouvees]


def _liste(entetes: list[str]) -> str:
    return ", ".join(f"« {h} »" for h in entetes) if entetes else "aucun"


def _exemple(canonique: str, entete: str) -> str:
    return json.dumps({canonique: entete}, ensure_ascii=False)


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
