"""Importing a file into the store: read, match, normalise, validate, then write in one transaction.

- Strict by default: one invalid line and nothing is written; the report lists every error.
- Partial (``partiel=True``): valid lines are imported, the others go to the quarantine with
  their reasons.
- Same file (sha256) for the same scope as an import in force: nothing changes ("inchange").
- An import replaces the rows of its scope (e.g. bailleur × year for mises à disposition,
  bailleur × year × département for conventions): the old rows move to the archive tables and
  the old import is marked REPLACED; `annuler` (rollback) brings them back.
- Rights (``habilitation``, see dashboard.habilitations): a kind of data the user may not import
  raises DroitsInsuffisants before the file is read; rows outside the user's bailleur codes or
  départements are line errors (a strict import is rejected, a partial one quarantines them).
  Without ``habilitation`` (local mode, sample data) every right is given.
- One writer at a time per database file (dashboard.store.verrou_ecriture): two sessions
  importing at once are served one after the other, each seeing what the other wrote.

What is written where: data_loaders.cibles; the journal and the rollback: data_loaders.historique.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:      # pandas is imported when a frame is asked for: an import does not pay
    import pandas as pd  # for it at start (python -m dashboard import)

from dashboard.habilitations import BAILLEUR, ETAT, Habilitation, utilisateur_local
from dashboard.nombres import nombre
from dashboard.referentiel import assurer_territoires
from dashboard.store import verrou_ecriture
from data_loaders import identites, profils
from data_loaders.cibles import CIBLES, Cible, mettre_a_jour_statuts
from data_loaders.errors import Erreur, FichierRejete
from data_loaders.headers import Correspondance, associer, deviner_type, lire_mapping
from data_loaders.normalisation import normaliser
from data_loaders.reading import TAILLE_MAX_OCTETS, Lecture, lire
from data_loaders.specs import JEUX, Jeu
from data_loaders.validation import cellules_lues, compter, revalider_portee, valider

IMPORTE, REJETE, INCHANGE = "importe", "rejete", "inchange"
APERCU_LIGNES = 20


@dataclass
class RapportImport:
    """What an import did (or would do), for the command line, the page and the tests."""

    type_donnees: str
    nom_fichier: str
    statut: str                               # importe / rejete / inchange
    import_id: int | None = None
    lignes_lues: int = 0
    lignes_importees: int = 0
    lignes_rejetees: int = 0
    erreurs: list[Erreur] = field(default_factory=list)
    message: str = ""
    lecture: Lecture | None = None
    correspondance: Correspondance | None = None
    remplaces: list[int] = field(default_factory=list)
    # First normalised rows, for the preview: (columns, rows), a frame through `apercu`.
    lignes_apercu: tuple[list[str], list[tuple]] | None = None
    type_suggere: str | None = None           # another kind these headers fit, if rejected
    # Réservataires (DOMAIN §3.6): each value not resolved {valeur, lignes, suggestions}, each
    # resolved by the referential's codes or names {valeur, reservataire_code, lignes}, the
    # identities created by conventions, the correspondences saved (or to save).
    reservataires_non_resolus: list[dict] = field(default_factory=list)
    reservataires_resolus_automatiquement: list[dict] = field(default_factory=list)
    reservataires_crees: list[dict] = field(default_factory=list)
    correspondances_nouvelles: list[dict] = field(default_factory=list)
    avertissement_reservataires: str = ""
    # A few values of each column of the file (header -> values), to match columns by hand.
    exemples: dict[str, list[str]] = field(default_factory=dict)
    profil_applique: bool = False             # the headers were matched by a saved profile
    bailleurs_du_fichier: list[str] = field(default_factory=list)
    # For each unresolved réservataire value, the bailleurs whose lines hold it (to set their
    # correspondences): {valeur: [bailleur_code, …]}.
    bailleurs_par_valeur: dict[str, list[str]] = field(default_factory=dict)

    def ajouter_avertissements(self) -> None:
        """Put the sentence on unresolved réservataires after the report's message."""
        if self.avertissement_reservataires and self.avertissement_reservataires not in self.message:
            self.message = f"{self.message} {self.avertissement_reservataires}".strip()

    def as_json(self) -> dict:
        """The object printed by ``import --json`` (a contract: keep the keys)."""
        return {
            "statut": self.statut,
            "import_id": self.import_id,
            "lignes_lues": self.lignes_lues,
            "lignes_importees": self.lignes_importees,
            "lignes_rejetees": self.lignes_rejetees,
            "erreurs": [e.as_dict() for e in self.erreurs],
            "reservataires_non_resolus": self.reservataires_non_resolus,
            "reservataires_resolus_automatiquement": self.reservataires_resolus_automatiquement,
        }

    @property
    def apercu(self) -> "pd.DataFrame | None":
        """The first normalised rows of the file (the preview), as a frame."""
        if self.lignes_apercu is None:
            return None
        import pandas as pd

        colonnes, lignes = self.lignes_apercu
        return pd.DataFrame(lignes, columns=colonnes)

    def erreurs_frame(self) -> "pd.DataFrame":
        """The errors, with the file's own header beside each canonical column."""
        import pandas as pd

        df = pd.DataFrame([e.as_dict() for e in self.erreurs],
                          columns=["ligne", "colonne", "valeur", "message"])
        entetes = self.correspondance.entetes if self.correspondance else {}
        df.insert(2, "en_tete", df["colonne"].map(lambda c: entetes.get(c, "")))
        return df

    def correspondance_frame(self) -> "pd.DataFrame":
        """Which header of the file feeds each column of the dataset."""
        jeu = JEUX[self.type_donnees]
        entetes = self.correspondance.entetes if self.correspondance else {}
        lignes = [{
            "colonne": col.nom,
            "description": col.nom_affiche,
            "obligatoire": col.obligatoire,
            "en_tete": entetes.get(col.nom),
        } for col in jeu.colonnes]
        import pandas as pd

        return pd.DataFrame(lignes)


@dataclass(frozen=True)
class _RegleDroits:
    """Which rows of a file the user may import: SQL over the normalised rows `n`."""

    colonne: str          # the column the line error points at
    jointure: str
    valeur: str           # what is compared with the allowed codes
    affiche: str          # the value the error and the summary show
    permis: tuple[str, ...]
    nom_ligne: str        # "bailleur" in "bailleur OLS2 hors de vos droits"
    nom_hors: str         # "bailleur(s)" in the summary of the codes refused
    nom_permis: str       # "le(s) bailleur(s)" in "vous importez seulement pour …"

    @property
    def condition(self) -> str:
        return f"{self.valeur} IS NOT NULL AND NOT list_contains($permis, {self.valeur})"

    def message_sql(self) -> str:
        return (f"'{self.nom_ligne} ' || {self.valeur} || ' hors de vos droits : vous importez "
                f"seulement pour {self.nom_permis} ' || $liste")

    def parametres(self) -> dict:
        return {"permis": list(self.permis), "liste": ", ".join(self.permis)}

    def resume(self, hors: list[str]) -> str:
        return (f"Lignes hors de vos droits : {self.nom_hors} {', '.join(hors)} (vous importez "
                f"seulement pour {self.nom_permis} {', '.join(self.permis)}).")


def _regle_droits(habilitation: Habilitation | None, type_donnees: str) -> _RegleDroits | None:
    if habilitation is None:
        return None
    bailleurs = tuple(sorted(habilitation.bailleurs))
    departements = tuple(sorted(habilitation.departements))
    if habilitation.role == BAILLEUR:
        return _RegleDroits("bailleur_code", "", "n.bailleur_code", "n.bailleur_code",
                            bailleurs, "bailleur", "bailleur(s)", "le(s) bailleur(s)")
    if habilitation.role == ETAT and type_donnees == "conventions":
        return _RegleDroits("departement", "", "n.departement", "n.departement", departements,
                            "département", "département(s)", "le(s) département(s)")
    if habilitation.role == ETAT and type_donnees == "documents_epci":
        # The EPCI's own département (the one holding most of its population): one owner each.
        # An EPCI without a known département is nobody's (fail closed: NULL would pass the
        # check); an EPCI missing from the reference is an error of its own (validation).
        return _RegleDroits("epci_siren", "JOIN epci e ON e.epci_siren = n.epci_siren",
                            "coalesce(e.departement, 'inconnu')", "n.epci_siren", departements,
                            "EPCI du département", "EPCI", "le(s) département(s)")
    return None


def _hors_droits(cur, regle: _RegleDroits, norm: str) -> list[str]:
    """The distinct codes of the file outside the user's rights."""
    return [r[0] for r in cur.execute(
        f"SELECT DISTINCT {regle.affiche} FROM {norm} n {regle.jointure} "
        f"WHERE {regle.condition} ORDER BY 1", {"permis": list(regle.permis)}).fetchall()]


def _inserer_erreurs_droits(cur, regle: _RegleDroits, norm: str, err: str) -> None:
    cur.execute(
        f"INSERT INTO {err} SELECT n._ligne, '{regle.colonne}', {regle.affiche}, "
        f"{regle.message_sql()} FROM {norm} n {regle.jointure} WHERE {regle.condition}",
        regle.parametres())


def importer(
    con: duckdb.DuckDBPyConnection,
    type_donnees: str,
    source: str | os.PathLike | bytes,
    nom_fichier: str | None = None,
    *,
    mapping: str | os.PathLike | dict | None = None,
    feuille: str | None = None,
    partiel: bool = False,
    utilisateur: str | None = None,
    simulation: bool = False,
    aujourd_hui: date | None = None,
    habilitation: Habilitation | None = None,
    progression: Callable[[str], None] | None = None,
) -> RapportImport:
    """Import a file (path or bytes). With ``simulation=True`` nothing is written: the report
    says what the import would do (used for the preview in the browser).

    ``progression`` (optional) is told each stage in French, as it starts: « Lecture du
    fichier… », « Vérification de 8 447 lignes… », « Écriture de 8 447 lignes… » (the page
    shows them while a large file is read, checked and written).

    ``habilitation``: the rights of the user (None: every right). The journal records the
    habilitation's user (``utilisateur`` may not name somebody else), else ``utilisateur``,
    else the OS user."""
    if type_donnees not in JEUX:
        raise ValueError(f"type de données inconnu : {type_donnees}")
    if habilitation is not None:
        utilisateur = habilitation.nom_au_journal(utilisateur)
        habilitation.verifier_import(type_donnees)
    with nullcontext() if simulation else verrou_ecriture(con):
        return _importer(con, type_donnees, source, nom_fichier, mapping, feuille, partiel,
                         utilisateur, simulation, aujourd_hui, habilitation, progression)


def _lignes(n: int) -> str:
    """« 8 447 lignes », « 1 ligne » (the stages told to ``progression``)."""
    return f"{nombre(n)} ligne{'s' if n > 1 else ''}"


def _importer(con, type_donnees, source, nom_fichier, mapping, feuille, partiel, utilisateur,
              simulation, aujourd_hui, habilitation, progression=None) -> RapportImport:
    etape = progression or (lambda _texte: None)
    jeu = JEUX[type_donnees]
    droits = _regle_droits(habilitation, type_donnees)
    if nom_fichier is None:
        if isinstance(source, (bytes, bytearray)):
            raise ValueError("nom_fichier est nécessaire quand la source est un contenu")
        nom_fichier = Path(source).name
    rapport = RapportImport(type_donnees, nom_fichier, REJETE)
    cur = con.cursor()
    # The file's fingerprint is computed while DuckDB reads it (hashlib releases the GIL).
    empreinte = _Empreinte(source)
    try:
        try:
            etape("Lecture du fichier…")
            lecture = lire(cur, source, nom_fichier, feuille, jeu=jeu)
            rapport.lecture = lecture
            rapport.lignes_lues = lecture.lignes_lues
            rapport.exemples = _exemples(cur, lecture)
            explicite = lire_mapping(mapping)
            if explicite is None:
                explicite = profils.profil(con, jeu.nom, lecture.entetes)
                rapport.profil_applique = explicite is not None
            corr = associer(jeu, lecture.entetes, explicite,
                            ligne_entetes=lecture.ligne_entetes)
            rapport.correspondance = corr
        except FichierRejete as exc:
            if exc.correspondance is not None:
                rapport.correspondance = exc.correspondance
            if rapport.lecture is not None:
                autre = deviner_type(rapport.lecture.entetes, JEUX.values())
                rapport.type_suggere = autre if autre != type_donnees else None
            rapport.erreurs = exc.erreurs
            rapport.message = "Fichier rejeté : " + exc.erreurs[0].message
            if len(exc.erreurs) > 1:
                rapport.message += f" (et {len(exc.erreurs) - 1} autre(s) problème(s), ci-dessous)"
            return rapport
        etape(f"Vérification de {_lignes(lecture.lignes_lues)}…")
        sha = empreinte.resultat()
        suffixe = uuid.uuid4().hex[:12]
        norm, err, valides = f"norm_{suffixe}", f"err_{suffixe}", f"val_{suffixe}"
        # Fast path: canonical values only, and counts of faults. Only when there are some is
        # the file normalised again with its raw cells, and every error spelt out.
        normaliser(cur, jeu, lecture.table, corr, norm, bruts=False)
        referentiel = resolution = None
        if jeu.nom in identites.JEUX_RESOLUS:
            referentiel = identites.Referentiel(cur)
            resolution = identites.resoudre_table(cur, jeu.nom, norm, referentiel)
        hors_droits = _hors_droits(cur, droits, norm) if droits else []
        if (not lecture.erreurs and not hors_droits
                and cellules_lues(cur, jeu, lecture.table, norm, corr.colonnes)
                and compter(cur, jeu, norm, aujourd_hui) == 0):
            rapport.erreurs = []
        else:
            identites.supprimer(cur, norm)
            normaliser(cur, jeu, lecture.table, corr, norm)
            if referentiel is not None:
                referentiel.creees.clear()
                resolution = identites.resoudre_table(cur, jeu.nom, norm, referentiel)
            valider(cur, jeu, norm, err, aujourd_hui)
            if hors_droits:
                _inserer_erreurs_droits(cur, droits, norm, err)
            if partiel:
                # The lines kept define the scope replaced: check again what depends on it.
                revalider_portee(cur, jeu, norm, err, aujourd_hui)
            rapport.erreurs = _erreurs(cur, err) + lecture.erreurs
        rapport.erreurs.sort(key=lambda e: (e.ligne or 0))
        if resolution is not None:
            _rapporter_resolution(rapport, resolution, cur, err if rapport.erreurs else None)
        lignes_en_erreur = {e.ligne for e in rapport.erreurs}
        rapport.lignes_rejetees = len(lignes_en_erreur)
        apercu = cur.execute(f"SELECT * FROM {norm} ORDER BY _ligne LIMIT {APERCU_LIGNES}")
        rapport.lignes_apercu = ([d[0] for d in apercu.description], apercu.fetchall())
        if "bailleur_code" in jeu.noms:
            rapport.bailleurs_du_fichier = [r[0] for r in cur.execute(
                f"SELECT DISTINCT bailleur_code FROM {norm} WHERE bailleur_code IS NOT NULL "
                "ORDER BY 1").fetchall()]
        if rapport.erreurs:
            cur.execute(f"CREATE TEMP TABLE {valides} AS SELECT n.* FROM {norm} n "
                        f"ANTI JOIN {err} e ON e._ligne = n._ligne")
            nb_valides = cur.execute(f"SELECT count(*) FROM {valides}").fetchone()[0]
        else:
            valides = norm
            nb_valides = lecture.lignes_lues

        droits_msg = (" " + droits.resume(hors_droits)) if hors_droits else ""
        if rapport.erreurs and not partiel:
            rapport.message = (
                f"Fichier rejeté : {rapport.lignes_rejetees} ligne(s) en erreur sur "
                f"{rapport.lignes_lues}. Rien n'a été importé.{droits_msg} Corrigez les erreurs, "
                "ou importez en mode partiel pour mettre ces lignes en quarantaine.")
            rapport.ajouter_avertissements()
            return rapport
        if nb_valides == 0:
            rapport.message = ("Fichier rejeté : aucune ligne valide. Rien n'a été importé."
                               + droits_msg)
            rapport.ajouter_avertissements()
            return rapport

        cibles = CIBLES[type_donnees]
        unites = _unites(cur, cibles[0], valides)
        cle_perimetre = type_donnees + "|" + "|".join(":".join(map(str, u)) for u in unites)
        # Same file, same scope, and that import wholly in force (none of its rows replaced).
        entier = " AND ".join(f"NOT EXISTS (SELECT 1 FROM archive_{c.table} a "
                              "WHERE a.import_id = j.import_id)" for c in cibles)
        deja = cur.execute(
            "SELECT import_id FROM journal_imports j WHERE type_donnees = ? AND sha256 = ? "
            f"AND cle_perimetre = ? AND statut = 'ACTIVE' AND {entier} "
            "ORDER BY import_id DESC LIMIT 1",
            [type_donnees, sha, cle_perimetre]).fetchone()
        if deja:
            rapport.statut = INCHANGE
            rapport.import_id = deja[0]
            rapport.lignes_rejetees = 0 if not partiel else rapport.lignes_rejetees
            rapport.message = (f"Ce fichier a déjà été importé (import n° {deja[0]}) pour le même "
                               "périmètre : rien n'a changé.")
            return rapport
        if simulation:
            rapport.statut = IMPORTE
            rapport.lignes_importees = nb_valides
            rapport.message = (f"Prêt à importer {nb_valides} ligne(s)"
                               + (f" ; {rapport.lignes_rejetees} ligne(s) iront en quarantaine."
                                  if rapport.erreurs else ".") + droits_msg)
            rapport.ajouter_avertissements()
            return rapport

        etape(f"Écriture de {_lignes(nb_valides)}…")
        perimetre = _perimetre_lisible(type_donnees, unites, cur, valides)
        _ecrire(cur, rapport, jeu, cibles, lecture, err, valides, sha, cle_perimetre, perimetre,
                utilisateur or utilisateur_local(), nb_valides, resolution)
        if type_donnees == "communes":
            # New territories, new identities (their préfet, commune, EPCI…): idempotent.
            assurer_territoires(con)
        rapport.message += droits_msg
        rapport.ajouter_avertissements()
        return rapport
    finally:
        cur.close()


class _Empreinte(threading.Thread):
    """sha256 of the file, computed in the background."""

    def __init__(self, source):
        super().__init__(daemon=True)
        self.source = source
        self.valeur: str | None = None
        self.start()

    def run(self) -> None:
        if isinstance(self.source, (bytes, bytearray)):
            self.valeur = hashlib.sha256(self.source).hexdigest()
            return
        try:
            chemin = Path(self.source)
            if chemin.stat().st_size > TAILLE_MAX_OCTETS:
                return                  # the reader refuses it: do not read it for nothing
            empreinte = hashlib.sha256()
            with open(chemin, "rb") as fichier:
                for bloc in iter(lambda: fichier.read(1 << 20), b""):
                    empreinte.update(bloc)
            self.valeur = empreinte.hexdigest()
        except OSError:
            self.valeur = None

    def resultat(self) -> str:
        self.join()
        if self.valeur is None:
            raise FichierRejete([Erreur(None, None, None, "Fichier illisible.")])
        return self.valeur


def _exemples(cur, lecture: Lecture, nombre: int = 3) -> dict[str, list[str]]:
    """The first distinct values of each column of the file (at most `nombre`, cut to 40
    characters), read from its first 200 lines."""
    if not lecture.entetes:
        return {}
    listes = cur.execute(
        "SELECT " + ", ".join(f"list(DISTINCT c{i}) FILTER (WHERE c{i} IS NOT NULL)"
                              for i in range(len(lecture.entetes)))
        + f" FROM (SELECT * FROM {lecture.table} LIMIT 200)").fetchone()
    return {h: [str(v)[:40] for v in (valeurs or [])[:nombre]]
            for h, valeurs in zip(lecture.entetes, listes)}


def _rapporter_resolution(rapport: RapportImport, resolution: identites.Bilan, cur,
                          err: str | None) -> None:
    """The réservataires of the file in the report (and a sentence naming the unresolved ones,
    put before the report's message)."""
    rapport.reservataires_non_resolus = resolution.non_resolus
    rapport.bailleurs_par_valeur = resolution.bailleurs_par_valeur
    rapport.reservataires_resolus_automatiquement = resolution.automatiques
    rapport.reservataires_crees = [
        {"reservataire_code": i.code, "nom": i.nom, "type_reservataire": i.type_reservataire}
        for i in resolution.creees]
    rapport.correspondances_nouvelles = [
        {"bailleur_code": b, "valeur": v, "reservataire_code": c, "origine": o, "lignes": n}
        for b, v, c, o, n in resolution.a_enregistrer]
    if resolution.non_resolus:
        apercu = " ; ".join(
            f"« {r['valeur']} » ({r['lignes']} ligne{'s' if r['lignes'] > 1 else ''}"
            + (f", peut-être {', '.join(r['suggestions'])}" if r["suggestions"] else "") + ")"
            for r in resolution.non_resolus[:5])
        plus = (f" et {len(resolution.non_resolus) - 5} autre(s)"
                if len(resolution.non_resolus) > 5 else "")
        n = len(resolution.non_resolus)
        rapport.avertissement_reservataires = (
            f"{n} réservataire{'s' if n > 1 else ''} non reconnu{'s' if n > 1 else ''} : "
            f"{apercu}{plus}.")


def _erreurs(cur, err: str) -> list[Erreur]:
    rows = cur.execute(f"SELECT _ligne, colonne, valeur, message FROM {err}").fetchall()
    return [Erreur(int(l), c, v.strip() if isinstance(v, str) else v, m) for l, c, v, m in rows]


def _unites(cur, cible: Cible, valides: str) -> list[tuple]:
    cols = ", ".join(cible.unite_fichier)
    return cur.execute(f"SELECT DISTINCT {cols} FROM {valides} v ORDER BY ALL").fetchall()


def _perimetre_lisible(type_donnees: str, unites: list[tuple], cur, valides: str) -> str:
    if type_donnees == "communes":
        n_epci = cur.execute(f"SELECT count(DISTINCT epci_siren) FROM {valides}").fetchone()[0]
        return f"{len(unites)} communes, {n_epci} EPCI"
    if type_donnees == "documents_epci":
        return f"{len(unites)} EPCI"
    if type_donnees == "conventions":     # bailleur × year × département
        annees: dict[str, list[str]] = {}
        deps: dict[str, list[str]] = {}
        for bailleur, annee, dep in unites:
            for d, v in ((annees, str(annee)), (deps, dep)):
                if v not in d.setdefault(bailleur, []):
                    d[bailleur].append(v)
        return " ; ".join(f"{b} ({', '.join(a)} ; dép. {', '.join(sorted(deps[b]))})"
                          for b, a in annees.items())
    par_bailleur: dict[str, list[str]] = {}
    for bailleur, annee in unites:
        par_bailleur.setdefault(bailleur, []).append(str(annee))
    return " ; ".join(f"{b} ({', '.join(a)})" for b, a in par_bailleur.items())


def _ecrire(cur, rapport: RapportImport, jeu: Jeu, cibles: tuple[Cible, ...], lecture: Lecture,
            err: str, valides: str, sha: str, cle_perimetre: str, perimetre: str,
            utilisateur: str, nb_valides: int,
            resolution: identites.Bilan | None = None) -> None:
    """The one transaction that writes an import."""
    cur.execute("BEGIN TRANSACTION")
    try:
        if resolution is not None:
            identites.enregistrer(cur, resolution, utilisateur)
        import_id = cur.execute("SELECT nextval('seq_import_id')").fetchone()[0]
        cur.execute(
            "INSERT INTO journal_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?)",
            [import_id, jeu.nom, perimetre, rapport.nom_fichier, sha, rapport.lignes_lues,
             nb_valides, rapport.lignes_rejetees, utilisateur, datetime.now(), cle_perimetre])
        for cible in cibles:
            _remplacer(cur, cible, valides, import_id)
            cols = ", ".join(cible.colonnes)
            exprs = ", ".join(cible.colonnes.values())
            groupe = f" GROUP BY {cible.grouper_par}" if cible.grouper_par else ""
            cur.execute(f"INSERT INTO {cible.table} ({cols}, import_id) "
                        f"SELECT {exprs}, {import_id} FROM {valides} v{groupe}")
        remplaces = [r[0] for r in cur.execute(
            "SELECT DISTINCT import_remplace_id FROM remplacements WHERE import_id = ? "
            "ORDER BY 1", [import_id]).fetchall()]
        mettre_a_jour_statuts(cur, jeu.nom, remplaces)
        if rapport.erreurs:
            _quarantaine(cur, import_id, lecture, err)
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    rapport.statut = IMPORTE
    rapport.import_id = import_id
    rapport.lignes_importees = nb_valides
    rapport.remplaces = remplaces
    msg = f"Import n° {import_id} : {nb_valides} ligne(s) importée(s)"
    if rapport.erreurs:
        msg += f", {rapport.lignes_rejetees} ligne(s) mise(s) en quarantaine"
    if remplaces:
        msg += f" ; remplace l'import n° {', '.join(map(str, remplaces))} pour le même périmètre"
    rapport.message = msg + "."


def _condition_unite(cible: Cible, alias_unites: str) -> str:
    return " AND ".join(f"{expr} = {alias_unites}.u{i}"
                        for i, expr in enumerate(cible.unite_table))


def _remplacer(cur, cible: Cible, valides: str, import_id: int) -> None:
    """Move the live rows of the import's scope to the archive, tagged with the new import."""
    unites = f"unites_{uuid.uuid4().hex[:12]}"
    cols = ", ".join(f"{expr} AS u{i}" for i, expr in enumerate(cible.unite_fichier))
    cur.execute(f"CREATE TEMP TABLE {unites} AS SELECT DISTINCT {cols} FROM {valides} v")
    semi = f"FROM {cible.table} t SEMI JOIN {unites} u ON {_condition_unite(cible, 'u')}"
    cur.execute(f"INSERT INTO archive_{cible.table} BY NAME "
                f"SELECT t.*, {import_id} AS remplace_par {semi}")
    cur.execute(f"INSERT INTO remplacements SELECT DISTINCT {import_id}, t.import_id {semi} "
                "AND t.import_id IS NOT NULL")
    cur.execute(f"DELETE FROM {cible.table} t USING {unites} u "
                f"WHERE {_condition_unite(cible, 'u')}")
    cur.execute(f"DROP TABLE {unites}")


def _champ_csv(champ: str, sep: str) -> str:
    """SQL writing a field back as the CSV file had it (quoted when it needs to be)."""
    return (f"CASE WHEN {champ} IS NULL THEN '' "
            f"WHEN contains({champ}, '{sep}') OR contains({champ}, '\"') "
            f"OR contains({champ}, chr(10)) OR contains({champ}, chr(13)) "
            f"THEN '\"' || replace({champ}, '\"', '\"\"') || '\"' ELSE {champ} END")


def _quarantaine(cur, import_id: int, lecture: Lecture, err: str) -> None:
    n = len(lecture.entetes)
    sep = (lecture.separateur or ";").replace("'", "''")
    champs = ", ".join(_champ_csv(f"l.c{i}", sep) for i in range(n))
    cur.execute(
        f"""INSERT INTO quarantaine
            SELECT {import_id}, e._ligne, any_value(array_to_string([{champs}], '{sep}')),
                   string_agg(e.colonne || ' « ' || coalesce(e.valeur, '') || ' » : ' || e.message,
                              ' | ' ORDER BY e.colonne, e.rowid)
            FROM {err} e JOIN {lecture.table} l ON l._ligne = e._ligne
            GROUP BY e._ligne""")
    structure = [(import_id, e.ligne, lecture.lignes_brutes.get(e.ligne, e.valeur or ""), e.message)
                 for e in lecture.erreurs]
    if structure:
        cur.executemany("INSERT INTO quarantaine VALUES (?, ?, ?, ?)", structure)
