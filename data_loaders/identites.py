"""Resolving the réservataire each line names to one identity of the referential (DOMAIN §3.6).

Each bailleur's software names réservataires its own way (`PREF13`, `Préfecture 13 - contingent
prioritaire`, `ETAT-13`…). At import, the value of each line resolves, in this order, by:

1. a **correspondence** of that bailleur (the value folded: case, accents and punctuation aside);
2. for a convention, **its type and territory** (DOMAIN §3.1: an `ETAT` convention of the
   département 13 is `ETAT-13`, a `COMMUNE` convention of perimeter 06088 is `COM-06088`…); an
   `AUTRE` or `REGION` convention creates its identity when none has that name. A value that a
   correspondence or the referential already ties to another identity is an error naming both;
3. a **referential code** written as such (`etat 13` is `ETAT-13`);
4. a **name that identifies one identity without doubt**: the exact name of an identity; `Ville
   de …`, `Mairie de …`, `Commune de …` with a commune name unique in the reference; an EPCI's
   name without its nature, or its initials (`NCA`); Action Logement's usual names; the
   préfet, its agents' contingent or the conseil départemental named by words (`Préfecture`,
   `PREF`, `Conseil départemental`, `CD`) with the département written in the value or, failing
   that, the département of the line;
5. otherwise the value is **unresolved**: a line error (strict import) or a quarantined line
   (partial import), reported once per value with its number of lines and up to three
   suggestions. Never a separate réservataire.

Resolution runs once per distinct (bailleur, value, département of the line) in Python, then
one join writes the identity of every line: a 500 000-line file has a few dozen such tuples.
"""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from dashboard import referentiel as ref
from dashboard.vocabulaire import TYPES_RESERVATAIRE
from data_loaders.specs import cle

# Origins of a correspondence (DOMAIN §3.6, the `origine` column).
CONVENTION, AUTOMATIQUE, MANUELLE = "convention", "automatique", "manuelle"
JEUX_RESOLUS = ("conventions", "mises_a_disposition")
SUGGESTIONS_MAX = 3
# Beyond this many distinct values, only correspondences and codes are tried (a column of
# free text read as réservataires is a broken file, not a thousand réservataires).
DISTINCTS_MAX_NOMS = 5000
SUGGERER_MAX = 50      # distinct unresolved values that get suggestions

_MOTS_ETAT = {"etat", "prefet", "prefete", "prefecture", "pref", "prefectoral", "prefectorale",
              "ddets", "ddetspp", "ddcs", "sgar"}
_MOTS_AGENTS = {"agent", "agents", "fonctionnaire", "fonctionnaires", "militaire", "militaires",
                "civils", "ag"}
_MOTS_CD = {"cd", "cg", "departement", "departemental", "departementale", "general",
            "conseildepartemental"}
_MOTS_REGION = {"region", "regional", "regionale"}
_NOMS_ALS = {cle(n) for n in (
    "Action Logement", "Action Logement Services", "ALS", "AL", "Action Logement (ALS)",
    "1% patronal", "1 % patronal", "1% logement", "1 % logement", "PEEC", "Action logement 1%",
    "Collecteur Action Logement", "AL Services")}
_PREFIXES_COMMUNE = re.compile(
    r"^(?:ville|mairie|commune|cne|municipalite)\s+(?:(de|du|des|d)\s+)?(.+)$")
_NATURES_EPCI = re.compile(
    r"^(?:metropole|communaute\s+d\s*agglomeration|communaute\s+urbaine|communaute\s+de\s+"
    r"communes|ca|cc|cu|cote|agglo|agglomeration)\s+(?:(?:de|du|des|d|la|l)\s+)*")
_MOTS_VIDES = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "en", "sur", "aux", "au"}


def _mots(texte: str) -> list[str]:
    """Folded words of a value: « PREF13 » gives pref, 13; « 2A » stays 2a."""
    import unicodedata

    s = unicodedata.normalize("NFKD", texte)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.findall(r"2[ab](?![a-z])|[a-z]+|[0-9]+", s)


def _espace(texte: str) -> str:
    return " ".join(_mots(texte))


def _initiales(nom: str) -> str:
    return "".join(m[0] for m in _mots(nom) if m not in _MOTS_VIDES and not m.isdigit())


@dataclass
class Identite:
    code: str
    nom: str
    type_reservataire: str
    territoire: str | None = None


@dataclass
class Resolution:
    """The identity of one distinct value (None when unresolved), and how it was found."""

    code: str | None
    comment: str | None = None   # correspondance, type_territoire, code, nom
    erreur: str | None = None    # a French message when the value cannot be taken
    depend_de_la_ligne: bool = False
    suggestions: list[str] = field(default_factory=list)


class Referentiel:
    """The referential, the reference territories and the correspondences, indexed in memory
    for one import (a few thousand rows at regional or national scale)."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, bailleurs: list[str] | None = None):
        self.identites: dict[str, Identite] = {
            code: Identite(code, nom, typ, terr) for code, nom, typ, terr in cur.execute(
                "SELECT reservataire_code, nom, type_reservataire, territoire "
                "FROM reservataires").fetchall()}
        self.par_cle_code = {cle(c): c for c in self.identites}
        self.noms_identites: dict[str, set[str]] = {}
        for i in self.identites.values():
            self.noms_identites.setdefault(cle(i.nom), set()).add(i.code)
        self.communes_par_nom: dict[str, set[str]] = {}
        for insee, nom in cur.execute("SELECT code_insee, nom FROM communes").fetchall():
            self.communes_par_nom.setdefault(cle(nom), set()).add(insee)
        self.epci_par_nom: dict[str, set[str]] = {}
        self.epci_par_sigle: dict[str, set[str]] = {}
        for siren, nom in cur.execute("SELECT epci_siren, nom FROM epci").fetchall():
            court = _NATURES_EPCI.sub("", _espace(nom))
            for forme in {cle(nom), cle(court)}:
                self.epci_par_nom.setdefault(forme, set()).add(siren)
            sigle = _initiales(court)
            if len(sigle) >= 3:
                self.epci_par_sigle.setdefault(sigle, set()).add(siren)
        self.departements = {r[0] for r in cur.execute(
            "SELECT DISTINCT departement FROM communes").fetchall()}
        self.deps_par_nom = {cle(t.nom): code for code, t in ref.departements().items()
                             if code in self.departements}
        filtre = "" if bailleurs is None else "WHERE list_contains($b, bailleur_code)"
        self.correspondances: dict[tuple[str, str], str] = {
            (b, k): code for b, k, code in cur.execute(
                f"SELECT bailleur_code, cle, reservataire_code FROM correspondances {filtre}",
                {"b": bailleurs} if bailleurs is not None else {}).fetchall()}
        self.creees: dict[str, Identite] = {}     # created by conventions of this import

    # ------------------------------------------------------------------ helpers

    def nom(self, code: str | None) -> str:
        i = self.identites.get(code or "") or self.creees.get(code or "")
        return i.nom if i else (code or "")

    def decrire(self, code: str) -> str:
        """« ETAT-13 (Préfet des Bouches-du-Rhône — contingent préfectoral) »."""
        return f"{code} ({self.nom(code)})"

    def existe(self, code: str | None) -> bool:
        return bool(code) and (code in self.identites or code in self.creees)

    def _departement_ecrit(self, mots: list[str]) -> str | None | bool:
        """The département a value writes (code or name); False when it writes several."""
        trouves = set()
        for m in mots:
            if m.isdigit() and len(m) <= 3:
                code = m.zfill(2)
                if code in self.departements:
                    trouves.add(code)
            elif m in ("2a", "2b") and m.upper() in self.departements:
                trouves.add(m.upper())
        colle = "".join(mots)
        for nom, code in self.deps_par_nom.items():
            if len(nom) >= 3 and nom in colle:
                trouves.add(code)
        if len(trouves) > 1:
            return False
        return next(iter(trouves), None)

    def _unique(self, codes: set[str] | None) -> str | None:
        return next(iter(codes)) if codes and len(codes) == 1 else None

    # ------------------------------------------------------------------ resolution

    def par_nom(self, valeur: str, departement_ligne: str | None) -> Resolution | None:
        """Step 4: a name that identifies one identity without doubt."""
        k = cle(valeur)
        code = self._unique(self.noms_identites.get(k))
        if code:
            return Resolution(code, "nom")
        if k in _NOMS_ALS and self.existe(ref.ALS):
            return Resolution(ref.ALS, "nom")
        espace = _espace(valeur)
        m = _PREFIXES_COMMUNE.match(espace)
        if m:
            article, reste = m.group(1), m.group(2)
            formes = [cle(reste)]
            if article == "du":
                formes.append("le" + cle(reste))
            elif article == "des":
                formes.append("les" + cle(reste))
            for forme in formes:
                insee = self._unique(self.communes_par_nom.get(forme))
                if insee and self.existe(f"COM-{insee}"):
                    return Resolution(f"COM-{insee}", "nom")
        siren = (self._unique(self.epci_par_nom.get(k))
                 or self._unique(self.epci_par_nom.get(cle(_NATURES_EPCI.sub("", espace)))))
        if siren is None and 3 <= len(k) <= 6 and k.isalpha():
            siren = self._unique(self.epci_par_sigle.get(k))
        if siren and self.existe(f"EPCI-{siren}"):
            return Resolution(f"EPCI-{siren}", "nom")
        return self._par_mots(valeur, departement_ligne)

    def _type_par_mots(self, mots: set[str]) -> str | None:
        if mots & _MOTS_ETAT:
            return "ETAT_AGENTS" if mots & _MOTS_AGENTS else "ETAT"
        if mots & _MOTS_CD or {"conseil", "departemental"} <= mots:
            return "DEPARTEMENT"
        if mots & _MOTS_REGION:
            return "REGION"
        return None

    def _par_mots(self, valeur: str, departement_ligne: str | None) -> Resolution | None:
        mots = _mots(valeur)
        typ = self._type_par_mots(set(mots))
        if typ is None:
            return None
        ecrit = self._departement_ecrit(mots)
        if ecrit is False:
            return None
        departement, de_la_ligne = (ecrit, False) if ecrit else (departement_ligne, True)
        if not departement:
            return None
        territoire = ref.region_du_departement(departement) if typ == "REGION" else departement
        code = ref.code_identite(typ, territoire)
        if not self.existe(code):
            return None
        return Resolution(code, "nom", depend_de_la_ligne=de_la_ligne)

    def resoudre(self, bailleur: str | None, valeur: str, departement_ligne: str | None,
                 noms: bool = True) -> Resolution:
        """Steps 1, 3, 4 and 5 (MAD; conventions whose type and territory say nothing)."""
        k = cle(valeur)
        code = self.correspondances.get((bailleur or "", k))
        if code:
            return Resolution(code, "correspondance")
        code = self.par_cle_code.get(k) or next(
            (c for c in self.creees if cle(c) == k), None)
        if code:
            return Resolution(code, "code")
        if noms:
            trouve = self.par_nom(valeur, departement_ligne)
            if trouve:
                return trouve
        return Resolution(None)

    def suggestions(self, valeur: str, departement_ligne: str | None) -> list[str]:
        """Up to three identities that the value may mean, the likeliest first."""
        mots = _mots(valeur)
        proposees: list[str] = []
        typ = self._type_par_mots(set(mots))
        if typ:
            ecrit = self._departement_ecrit(mots)
            deps = ([ecrit] if ecrit else []) + ([departement_ligne] if departement_ligne else [])
            for d in deps:
                terr = ref.region_du_departement(d) if typ == "REGION" else d
                code = ref.code_identite(typ, terr)
                if self.existe(code) and code not in proposees:
                    proposees.append(code)
        k = cle(valeur)
        if k:
            notes = []
            for i in self.identites.values():
                score = max(difflib.SequenceMatcher(None, k, cle(i.nom)).ratio(),
                            difflib.SequenceMatcher(None, k, cle(i.code)).ratio())
                notes.append((score, i.code))
            notes.sort(key=lambda t: (-t[0], t[1]))
            proposees += [c for s, c in notes[:SUGGESTIONS_MAX * 2] if s >= 0.45
                          and c not in proposees]
        return proposees[:SUGGESTIONS_MAX]

    # ------------------------------------------------------------------ conventions

    def designee(self, type_reservataire: str | None, departement: str | None,
                 perimetre_type: str | None, perimetre_cle: str | None) -> str | None:
        """The identity a convention's type and territory designate (None: they do not say)."""
        if type_reservataire in ("ETAT", "ETAT_AGENTS", "DEPARTEMENT"):
            return ref.code_identite(type_reservataire, departement)
        if type_reservataire == "ACTION_LOGEMENT":
            return ref.ALS
        if type_reservataire == "COMMUNE" and perimetre_type == "COMMUNE":
            return ref.code_identite("COMMUNE", perimetre_cle)
        if type_reservataire == "EPCI" and perimetre_type == "EPCI":
            return ref.code_identite("EPCI", perimetre_cle)
        if type_reservataire == "REGION":
            return ref.code_identite("REGION", ref.region_du_departement(departement))
        return None

    def resoudre_convention(self, bailleur: str, valeur: str, nom: str | None,
                            type_reservataire: str | None, departement: str | None,
                            perimetre_type: str | None, perimetre_cle: str | None) -> Resolution:
        k = cle(valeur)
        correspondance = self.correspondances.get((bailleur, k))
        code_ecrit = self.par_cle_code.get(k)
        designee = self.designee(type_reservataire, departement, perimetre_type, perimetre_cle)
        if designee is None and type_reservataire == "AUTRE":
            designee = self._autre(valeur, nom)
        if designee is None:
            if type_reservataire in ("COMMUNE", "EPCI"):
                # A commune or EPCI convention at a wider perimeter: the value must say which.
                trouve = self.resoudre(bailleur, valeur, departement)
                if trouve.code and self._type(trouve.code) != type_reservataire:
                    return Resolution(None, erreur=self._conflit_type(valeur, trouve.code,
                                                                      type_reservataire))
                return trouve
            return self.resoudre(bailleur, valeur, departement)
        libelle = _libelle_ligne(type_reservataire, departement, perimetre_type, perimetre_cle)
        if correspondance and correspondance != designee:
            return Resolution(None, erreur=(
                f"« {valeur} » désigne déjà {self.decrire(correspondance)} pour ce bailleur "
                f"(correspondance enregistrée), mais la ligne ({libelle}) désigne "
                f"{self.decrire(designee)} : corrigez le type ou le territoire de la ligne, "
                "ou modifiez la correspondance."))
        if code_ecrit and code_ecrit != designee:
            return Resolution(None, erreur=(
                f"le code {code_ecrit} du référentiel désigne {self.nom(code_ecrit)}, mais la "
                f"ligne ({libelle}) désigne {self.decrire(designee)} : corrigez le code ou le "
                "type et le territoire de la ligne."))
        if type_reservataire == "REGION" and not self.existe(designee):
            region = ref.region_du_departement(departement)
            self.creees[designee] = Identite(designee, ref.nom_identite("REGION", region),
                                             "REGION", region)
        return Resolution(designee, "type_territoire")

    def _type(self, code: str) -> str | None:
        i = self.identites.get(code) or self.creees.get(code)
        return i.type_reservataire if i else None

    def _conflit_type(self, valeur: str, code: str, attendu: str) -> str:
        return (f"« {valeur} » désigne {self.decrire(code)}, de type "
                f"{TYPES_RESERVATAIRE.get(self._type(code) or '', '?')}, mais la ligne est de "
                f"type {TYPES_RESERVATAIRE.get(attendu, attendu)}.")

    def _autre(self, valeur: str, nom: str | None) -> str:
        """The AUTRE identity a convention names: an existing one (same code or same name), or
        one created now (code: the value when it reads as a code, else AUT- and initials)."""
        k = cle(valeur)
        for i in list(self.identites.values()) + list(self.creees.values()):
            if i.type_reservataire != "AUTRE":
                continue
            if cle(i.code) == k or cle(i.nom) == k or (nom and cle(i.nom) == cle(nom)):
                return i.code
        code = code_autre(valeur, nom, self._pris)
        self.creees[code] = Identite(code, (nom or valeur).strip(), "AUTRE", None)
        return code

    def _pris(self, code: str) -> bool:
        return cle(code) in self.par_cle_code or any(cle(c) == cle(code) for c in self.creees)


CODE_AUTRE = re.compile(r"[A-Z0-9][A-Z0-9_.-]{1,29}")


def code_autre(valeur: str, nom: str | None, pris) -> str:
    """The code of a new AUTRE identity: the value itself when it reads as a code (`AUT-CELP`),
    else « AUT- » and the initials of its name (« Caisse d'allocations familiales » → AUT-CAF),
    made unique with -2, -3… `pris(code)` says whether a code is taken (case and punctuation
    aside)."""
    brut = valeur.strip().upper()
    if CODE_AUTRE.fullmatch(brut) and not pris(brut):
        return brut
    base = "AUT-" + (_initiales(nom or valeur).upper()[:12] or "X")
    code, n = base, 2
    while pris(code):
        code, n = f"{base}-{n}", n + 1
    return code


def _libelle_ligne(type_reservataire, departement, perimetre_type, perimetre_cle) -> str:
    libelle = f"type {TYPES_RESERVATAIRE.get(type_reservataire, type_reservataire)}"
    if perimetre_type in ("COMMUNE", "EPCI") and perimetre_cle:
        return f"{libelle}, périmètre {perimetre_cle}"
    return f"{libelle}, département {departement}"


# ---------------------------------------------------------------------------- in the import


@dataclass
class Bilan:
    """What the resolution of one file found, for the report."""

    non_resolus: list[dict] = field(default_factory=list)      # valeur, lignes, suggestions
    bailleurs_par_valeur: dict[str, list[str]] = field(default_factory=dict)  # of non_resolus
    automatiques: list[dict] = field(default_factory=list)     # valeur, reservataire_code, lignes
    creees: list[Identite] = field(default_factory=list)
    # (bailleur, valeur, code, origine, lignes) to save as correspondences when written
    a_enregistrer: list[tuple[str, str, str, str, int]] = field(default_factory=list)


def resoudre_table(cur: duckdb.DuckDBPyConnection, jeu_nom: str, norm: str,
                   referentiel: Referentiel | None = None) -> Bilan:
    """Resolve the réservataire of every line of the normalised table `norm` (in place):
    `reservataire_valeur` keeps the value as written, `reservataire_code` becomes the identity
    (NULL when unresolved) and `reservataire_erreur` says why a line cannot be taken."""
    referentiel = referentiel or Referentiel(cur)
    if jeu_nom == "conventions":
        cles = ("bailleur_code", "reservataire_code", "reservataire_nom", "type_reservataire",
                "departement", "perimetre_type", "perimetre_cle")
        source = f"SELECT {', '.join(cles)} FROM {norm}"
        compte = "count(*)"
    else:
        # The lines that count are those of the flux: an unresolved value elsewhere is kept as
        # written (its réservataire counts nowhere), so only flux lines are reported.
        cles = ("bailleur_code", "reservataire_code", "departement")
        source = (f"SELECT n.bailleur_code, n.reservataire_code, c.departement, n.categorie "
                  f"FROM {norm} n LEFT JOIN communes c ON c.code_insee = n.code_insee")
        compte = "count(*) FILTER (WHERE categorie = 'FLUX')"
    tuples = cur.execute(
        f"SELECT {', '.join(cles)}, {compte} FROM ({source}) "
        f"WHERE reservataire_code IS NOT NULL GROUP BY ALL ORDER BY 4 DESC").fetchall()
    noms = len(tuples) <= DISTINCTS_MAX_NOMS
    lignes_res = []
    bilan = Bilan()
    non_resolus: dict[str, list] = {}
    automatiques: dict[tuple[str, str], int] = {}
    par_valeur: dict[tuple[str, str], set[str]] = {}
    origines: dict[tuple[str, str], tuple[str, int]] = {}
    for t in tuples:
        *valeurs, lignes = t
        if jeu_nom == "conventions":
            bailleur, valeur, nom, typ, dep, ptype, pcle = valeurs
            r = referentiel.resoudre_convention(bailleur or "", valeur, nom, typ, dep, ptype, pcle)
        else:
            bailleur, valeur, dep = valeurs
            r = referentiel.resoudre(bailleur, valeur, dep, noms)
        erreur = r.erreur
        if r.code is None and erreur is None:
            if jeu_nom == "conventions" and (typ is None or (
                    typ in ref.TYPES_DEPARTEMENTAUX + ("REGION",) and not dep)):
                # The type or the département is missing or unreadable: that is the line's
                # error (validation); which réservataire it means cannot be told.
                lignes_res.append((*valeurs, None, None))
                continue
            if lignes == 0:
                # Only outside the flux (MAD): kept as written, no error (see the view).
                lignes_res.append((*valeurs, None, None))
                continue
            entree = non_resolus.setdefault(valeur, [0, dep])
            entree[0] += lignes
            deja = bilan.bailleurs_par_valeur.setdefault(valeur, [])
            if bailleur and bailleur not in deja:
                deja.append(bailleur)
            erreur = (f"réservataire « {valeur} » non reconnu : ni correspondance pour ce "
                      "bailleur, ni code ni nom du référentiel des réservataires. Indiquez à "
                      "quel réservataire il correspond (page « Importer des données », ou "
                      "`correspondances import`)")
        lignes_res.append((*valeurs, r.code, erreur))
        if r.code and (r.comment == "nom" or (r.comment == "code"
                                              and valeur.strip() != r.code)):
            # A code written exactly as the referential's is no resolution worth reporting.
            automatiques[(valeur, r.code)] = automatiques.get((valeur, r.code), 0) + lignes
        if r.code and bailleur and r.comment in ("nom", "type_territoire"):
            cle_v = (bailleur, cle(valeur))
            if cle(valeur) != cle(r.code):
                par_valeur.setdefault(cle_v, set()).add(
                    r.code if not r.depend_de_la_ligne else "")
                origine = CONVENTION if r.comment == "type_territoire" else AUTOMATIQUE
                ancien = origines.get(cle_v, (origine, 0))
                origines[cle_v] = (origine, ancien[1] + lignes)
                origines.setdefault(("valeur",) + cle_v, (valeur, 0))
    for (valeur, code), lignes in sorted(automatiques.items(), key=lambda x: (-x[1], x[0])):
        bilan.automatiques.append({"valeur": valeur, "reservataire_code": code, "lignes": lignes})
    for i, (valeur, (lignes, dep)) in enumerate(sorted(non_resolus.items(),
                                                      key=lambda x: (-x[1][0], x[0]))):
        suggestions = referentiel.suggestions(valeur, dep) if i < SUGGERER_MAX else []
        bilan.non_resolus.append({"valeur": valeur, "lignes": lignes, "suggestions": suggestions})
    for cle_v, codes in par_valeur.items():
        if len(codes) == 1 and "" not in codes and cle_v not in referentiel.correspondances:
            origine, lignes = origines[cle_v]
            valeur = origines[("valeur",) + cle_v][0]
            bilan.a_enregistrer.append((cle_v[0], valeur, next(iter(codes)), origine, lignes))
    bilan.creees = list(referentiel.creees.values())
    _ecrire_resolutions(cur, norm, cles, lignes_res)
    return bilan


def _ecrire_resolutions(cur, norm: str, cles: tuple[str, ...], lignes_res: list) -> None:
    res = f"res_{uuid.uuid4().hex[:12]}"
    _table(cur, res, [*cles, "_code", "_erreur"], lignes_res)
    erreur = "r._erreur"
    if "perimetre_cle" not in cles:        # MAD: the département of the line's commune
        jointure = (f"LEFT JOIN communes c ON c.code_insee = n.code_insee "
                    f"LEFT JOIN {res} r ON r.bailleur_code IS NOT DISTINCT FROM n.bailleur_code "
                    "AND r.reservataire_code = n.reservataire_code "
                    "AND r.departement IS NOT DISTINCT FROM c.departement")
        # Outside the flux an unresolved value is no error: its réservataire counts nowhere.
        erreur = ("CASE WHEN r._code IS NULL AND n.categorie IS DISTINCT FROM 'FLUX' "
                  "THEN NULL ELSE r._erreur END")
    else:
        jointure = f"LEFT JOIN {res} r ON " + " AND ".join(
            f"r.{c} IS NOT DISTINCT FROM n.{c}" if c != "reservataire_code"
            else "r.reservataire_code = n.reservataire_code" for c in cles)
    # A view under the table's own name (the table renamed beneath it): the lines are not
    # copied again, each later query joins the few resolved tuples on the way.
    cur.execute(f"ALTER TABLE {norm} RENAME TO {norm}_n")
    cur.execute(
        f"CREATE TEMP VIEW {norm} AS SELECT n.* REPLACE (r._code AS reservataire_code), "
        f"n.reservataire_code AS reservataire_valeur, {erreur} AS reservataire_erreur "
        f"FROM {norm}_n n {jointure}")


def supprimer(cur: duckdb.DuckDBPyConnection, norm: str) -> None:
    """Drop a normalised table, or the view `resoudre_table` put in its place and what is
    beneath it."""
    vue = cur.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND temporary",
                      [norm]).fetchone()[0]
    if vue:
        cur.execute(f"DROP VIEW {norm}")
        cur.execute(f"DROP TABLE {norm}_n")
    else:
        cur.execute(f"DROP TABLE {norm}")


def enregistrer(cur: duckdb.DuckDBPyConnection, bilan: Bilan, utilisateur: str,
                maintenant: datetime | None = None) -> None:
    """Inside the import's transaction: the identities created by conventions and the
    correspondences the file declared or that resolved automatically (journalled), each
    written once, in a few set-based statements."""
    maintenant = maintenant or datetime.now()
    for i in bilan.creees:
        cur.execute(
            "INSERT INTO reservataires SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM reservataires WHERE reservataire_code = ?)",
            [i.code, i.nom, i.type_reservataire, i.territoire, ref.ORIGINE_CONVENTION,
             utilisateur, maintenant, i.code])
    if not bilan.a_enregistrer:
        return
    vue = f"corr_{uuid.uuid4().hex[:12]}"
    _table(cur, vue, ["bailleur_code", "valeur", "cle", "reservataire_code", "origine",
                      "lignes"],
           [(b, v, cle(v), c, o, str(n)) for b, v, c, o, n in bilan.a_enregistrer])
    cur.execute(f"""CREATE TEMP TABLE {vue}_t AS
        SELECT n.* REPLACE (n.lignes::INTEGER AS lignes) FROM {vue} n ANTI JOIN correspondances c
            ON c.bailleur_code = n.bailleur_code AND c.cle = n.cle""")
    cur.execute(f"DROP TABLE {vue}")
    cur.execute(f"INSERT INTO correspondances SELECT bailleur_code, valeur, cle, "
                f"reservataire_code, origine, $u, $t FROM {vue}_t",
                {"u": utilisateur, "t": maintenant})
    cur.execute(f"INSERT INTO journal_correspondances SELECT nextval('seq_correspondance'), "
                f"bailleur_code, valeur, NULL, reservataire_code, origine, lignes, $u, $t "
                f"FROM {vue}_t ORDER BY bailleur_code, cle", {"u": utilisateur, "t": maintenant})
    cur.execute(f"DROP TABLE {vue}_t")


def _table(cur: duckdb.DuckDBPyConnection, nom: str, colonnes: list[str],
           lignes: list[tuple]) -> None:
    """A temporary table of text columns holding `lignes`, in one statement: each column is
    passed as a list and unnested side by side (no row-by-row insert, no pandas)."""
    cur.execute(f"CREATE TEMP TABLE {nom} ({', '.join(f'{c} VARCHAR' for c in colonnes)})")
    if not lignes:
        return
    listes = {f"c{i}": [None if v is None else str(v) for v in colonne]
              for i, colonne in enumerate(zip(*lignes))}
    valeurs = ", ".join(f"unnest(${k}::VARCHAR[])" for k in listes)
    cur.execute(f"INSERT INTO {nom} SELECT {valeurs}", listes)
