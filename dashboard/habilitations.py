"""Who may do what: the roles file, and the rights of one user.

Knows nothing of Streamlit: the app (dashboard.ui.authentification), the command line
(``--as EMAIL --roles FILE``) and the import pipeline (data_loaders.ingest) share it.

The roles file is TOML (see ``roles.exemple.toml`` at the root of the project)::

    [defaut]                      # optional: a signed-in address that no rule names
    role = "lecteur"              # reads (omit the section to refuse such addresses)

    [adresses."admin@dreal.example"]
    role = "admin"

    [domaines."habitat-sud.example"]
    role = "bailleur"
    bailleurs = ["OLS01", "OLS02"]

    [domaines."ddets-13.example"]
    role = "etat"
    departements = ["13"]

An exact address wins over its domain; a domain rule matches that domain exactly (not its
sub-domains). Roles:

- ``admin``: every import (communes reference included), rollback;
- ``lecteur``: reads;
- ``bailleur``: imports ``parc`` and ``mises_a_disposition`` rows of its own bailleur codes;
- ``etat``: imports ``conventions`` (of its départements) and ``documents_epci`` (of the EPCI
  whose département is one of its départements).

Everybody signed in reads. Without sign-in (local mode) the user has every right.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import vocabulaire as voc

ENV_VAR = "FLUX_ROLES"

ADMIN, LECTEUR, BAILLEUR, ETAT = "admin", "lecteur", "bailleur", "etat"
ROLES: dict[str, str] = {
    ADMIN: "administrateur",
    LECTEUR: "lecteur",
    BAILLEUR: "bailleur",
    ETAT: "services de l'État",
}
# The kinds of data each role may import (DOMAIN §3: bailleurs send their exports, the State
# services the conventions and the EPCI documents; the communes reference is the admin's).
TYPES_PAR_ROLE: dict[str, tuple[str, ...]] = {
    ADMIN: tuple(voc.TYPES_DONNEES),
    LECTEUR: (),
    BAILLEUR: ("parc", "mises_a_disposition"),
    ETAT: ("conventions", "documents_epci"),
}

_DEPARTEMENT = re.compile(r"[0-9]{2}|2[AB]|97[0-9]")
_CODE_BAILLEUR = re.compile(r"[A-Z0-9][A-Z0-9._-]*")
_ADRESSE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAINE = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")


class DroitsInsuffisants(PermissionError):
    """The user may not do this; the message says why, in French."""


class FichierRolesInvalide(ValueError):
    """The roles file cannot be used; the message names the line, the key, the value and
    what was expected, in French."""


@dataclass(frozen=True)
class Habilitation:
    """The rights of one user."""

    utilisateur: str                                   # e-mail, or the local user name
    role: str
    bailleurs: frozenset[str] = field(default_factory=frozenset)
    departements: frozenset[str] = field(default_factory=frozenset)
    locale: bool = False                               # local mode: nobody signed in

    @classmethod
    def mode_local(cls, utilisateur: str | None = None) -> "Habilitation":
        """Local mode (no sign-in configured): every right, under the OS user's name."""
        return cls(utilisateur or utilisateur_local(), ADMIN, locale=True)

    @property
    def types_importables(self) -> tuple[str, ...]:
        return TYPES_PAR_ROLE[self.role]

    def peut_importer(self, type_donnees: str) -> bool:
        return type_donnees in self.types_importables

    @property
    def peut_annuler(self) -> bool:
        return self.role == ADMIN

    def description(self) -> str:
        """The role in French, with its codes: ``bailleur (OLS01, OLS02)``."""
        if self.role == BAILLEUR:
            return f"bailleur ({', '.join(sorted(self.bailleurs))})"
        if self.role == ETAT:
            deps = ", ".join(sorted(self.departements))
            return f"services de l'État (département{'s' if len(self.departements) > 1 else ''} {deps})"
        return ROLES[self.role]

    def verifier_import(self, type_donnees: str) -> None:
        """Raise DroitsInsuffisants when this kind of data is not the user's to import."""
        if self.peut_importer(type_donnees):
            return
        libelle = voc.TYPES_DONNEES.get(type_donnees, type_donnees).lower()
        permis = self.types_importables
        if not permis:
            suite = "ce rôle ne permet pas d'importer des données."
        else:
            suite = ("ce rôle permet d'importer : "
                     + ", ".join(f"« {voc.TYPES_DONNEES[t].lower()} »" for t in permis) + ".")
        raise DroitsInsuffisants(
            f"{self.utilisateur} ({self.description()}) ne peut pas importer de « {libelle} » : "
            + suite)

    def nom_au_journal(self, utilisateur: str | None = None) -> str:
        """Who the journal names when acting with these rights: the authorised user, never
        another (ValueError when `utilisateur` names somebody else)."""
        if utilisateur is not None and utilisateur != self.utilisateur:
            raise ValueError(f"utilisateur « {utilisateur} » différent de celui de "
                             f"l'habilitation « {self.utilisateur} »")
        return self.utilisateur

    def verifier_correspondances(self, bailleurs) -> None:
        """Who may set réservataire correspondences: an admin or the State's services for any
        bailleur, a bailleur for its own codes only, a reader never."""
        if self.role == ADMIN or self.role == ETAT:
            return
        if self.role == BAILLEUR:
            autres = sorted(set(bailleurs) - set(self.bailleurs))
            if not autres:
                return
            raise DroitsInsuffisants(
                f"{self.utilisateur} ({self.description()}) ne peut pas définir les "
                f"correspondances du (des) bailleur(s) {', '.join(autres)} : seulement celles "
                f"de {', '.join(sorted(self.bailleurs))}.")
        raise DroitsInsuffisants(
            f"{self.utilisateur} ({self.description()}) ne peut pas définir de correspondances "
            "de réservataires.")

    def verifier_annulation(self) -> None:
        if not self.peut_annuler:
            raise DroitsInsuffisants(
                f"{self.utilisateur} ({self.description()}) ne peut pas annuler un import : "
                "seul un administrateur le peut.")


def utilisateur_local() -> str:
    """The OS user's name (local mode, command line without --as)."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return os.environ.get("USER", "local")


# ------------------------------------------------------------------------------ the roles file

@dataclass(frozen=True)
class Regle:
    role: str
    bailleurs: frozenset[str] = frozenset()
    departements: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Roles:
    """A parsed roles file."""

    adresses: dict[str, Regle]
    domaines: dict[str, Regle]
    defaut: Regle | None = None
    source: str = ""

    def habilitation(self, email: str) -> Habilitation:
        """The rights of a signed-in address; DroitsInsuffisants if it has none."""
        adresse = (email or "").strip().lower()
        if not adresse:
            raise DroitsInsuffisants(
                "Adresse électronique absente : le fournisseur d'identité doit la transmettre "
                "(portée « email »).")
        if not _ADRESSE.fullmatch(adresse):
            raise DroitsInsuffisants(f"Adresse électronique invalide : « {email} ».")
        regle = self.adresses.get(adresse) or self.domaines.get(adresse.rsplit("@", 1)[1])
        if regle is None:
            regle = self.defaut
        if regle is None:
            raise DroitsInsuffisants(
                f"L'adresse {adresse} n'a aucun rôle dans le fichier des rôles : demandez "
                "l'accès à l'administrateur de l'application.")
        return Habilitation(adresse, regle.role, regle.bailleurs, regle.departements)


def chemin_roles(chemin: str | os.PathLike | None = None) -> Path | None:
    """The roles file: the given path, else $FLUX_ROLES, else none."""
    if chemin:
        return Path(chemin)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else None


def lire_roles(chemin: str | os.PathLike) -> Roles:
    """Read and check a roles file (FichierRolesInvalide with a French message if wrong)."""
    chemin = Path(chemin)
    try:
        texte = chemin.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FichierRolesInvalide(f"Fichier des rôles introuvable : {chemin}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FichierRolesInvalide(
            f"Fichier des rôles illisible : {chemin} ({exc}) ; attendu : un fichier texte "
            "TOML en UTF-8.") from None
    return roles_depuis_texte(texte, chemin.name)


def roles_depuis_texte(texte: str, source: str = "roles.toml") -> Roles:
    try:
        donnees = tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        position = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        ou = (f"ligne {position.group(1)}, colonne {position.group(2)}" if position
              else "position inconnue")
        raise FichierRolesInvalide(
            f"{source}, {ou} : syntaxe TOML invalide ({_sans_position(str(exc))}).") from None
    erreurs = _Erreurs(texte, source)
    for cle in donnees:
        if cle not in ("defaut", "adresses", "domaines"):
            erreurs.ajouter(f"[{cle}]" if isinstance(donnees[cle], dict) else cle,
                            f"clé « {cle} » inconnue ; attendu : [defaut], [adresses.\"…\"] "
                            "ou [domaines.\"…\"]")
    adresses: dict[str, Regle] = {}
    domaines: dict[str, Regle] = {}
    for section, cible, motif, attendu in (
            ("adresses", adresses, _ADRESSE, "une adresse électronique (nom@domaine.fr)"),
            ("domaines", domaines, _DOMAINE, "un nom de domaine sans @ (bailleur.example)")):
        table = donnees.get(section, {})
        if not isinstance(table, dict):
            erreurs.ajouter(section, f"« {section} » doit être une table ([{section}.\"…\"])")
            continue
        vues: set[str] = set()
        for nom, valeur in table.items():
            titre = f'[{section}."{nom}"]'
            cle = nom.strip().lower()
            if not motif.fullmatch(cle):
                erreurs.ajouter(titre, f"« {nom} » n'est pas {attendu}")
                continue
            if cle in vues:
                erreurs.ajouter(titre, f"« {nom} » figure deux fois (majuscules mises à part)")
                continue
            vues.add(cle)
            regle = _regle(valeur, titre, erreurs)
            if regle is not None:
                cible[cle] = regle
    defaut = None
    if "defaut" in donnees:
        valeur = donnees["defaut"]
        if not isinstance(valeur, dict) or set(valeur) != {"role"}:
            erreurs.ajouter("[defaut]", "la section [defaut] contient seulement "
                                        "role = \"lecteur\"")
        elif valeur["role"] != LECTEUR:
            erreurs.ajouter("[defaut]", f"rôle par défaut « {valeur['role']} » refusé ; attendu : "
                                        "\"lecteur\" (ou pas de section [defaut])", "role")
        else:
            defaut = Regle(LECTEUR)
    erreurs.lever()
    return Roles(adresses, domaines, defaut, source)


def _sans_position(message: str) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)", "", message)


class _Erreurs:
    """The faults of a roles file, each located by the line of its section or key."""

    def __init__(self, texte: str, source: str):
        self.lignes = texte.splitlines()
        self.source = source
        self.messages: list[tuple[int, str]] = []

    def ligne(self, titre: str, cle: str | None = None) -> int | None:
        """The line of a section (or of its key `cle`, when found within the section)."""
        debut = self._ligne_section(titre)
        if debut is None or cle is None:
            return debut
        motif = re.compile(rf"(^|[{{,\s]){re.escape(cle)}\s*=")
        for i in range(debut, len(self.lignes) + 1):
            code = self.lignes[i - 1].split("#", 1)[0]
            if i > debut and code.strip().startswith("["):
                break
            if motif.search(code):
                return i
        return debut

    def _ligne_section(self, titre: str) -> int | None:
        """The line of a section header such as [adresses."x@y.fr"] (quotes and spaces aside)."""
        cible = re.sub(r"[\s'\"]", "", titre)
        # The same rule written as a key: `adresses."x@y.fr" = {...}` or `"x@y.fr" = {...}`.
        cles = {cible.strip("[]"), cible.strip("[]").split(".", 1)[-1]}
        for i, ligne in enumerate(self.lignes, start=1):
            code = ligne.split("#", 1)[0]
            if re.sub(r"[\s'\"]", "", code) == cible:
                return i
            if "=" in code and re.sub(r"[\s'\"]", "", code.split("=", 1)[0]) in cles:
                return i
        return None

    def ajouter(self, titre: str, message: str, cle: str | None = None) -> None:
        n = self.ligne(titre, cle)
        ou = f"ligne {n}, " if n else ""
        quoi = f"{titre} {cle}" if cle else titre
        self.messages.append((n or 0, f"{self.source}, {ou}{quoi} : {message}."))

    def lever(self) -> None:
        if self.messages:
            raise FichierRolesInvalide("\n".join(m for _, m in sorted(self.messages)))


def _regle(valeur, titre: str, erreurs: _Erreurs) -> Regle | None:
    if not isinstance(valeur, dict):
        erreurs.ajouter(titre, "attendu : une table avec role = \"…\"")
        return None
    avant = len(erreurs.messages)
    inconnues = set(valeur) - {"role", "bailleurs", "departements"}
    for cle in sorted(inconnues):
        erreurs.ajouter(titre, f"clé « {cle} » inconnue ; attendu : role, bailleurs, "
                               "departements", cle)
    role = valeur.get("role")
    if role is None:
        erreurs.ajouter(titre, "rôle absent ; attendu : role = \"admin\", \"lecteur\", "
                               "\"bailleur\" ou \"etat\"")
        return None
    if role not in ROLES:
        erreurs.ajouter(titre, f"rôle « {role} » inconnu ; attendu : " + ", ".join(ROLES),
                        "role")
        return None
    bailleurs = _liste(valeur, "bailleurs", titre, erreurs, _CODE_BAILLEUR,
                       "des codes de bailleur entre guillemets, par exemple [\"OLS01\"]",
                       lambda v: v.strip().upper())
    departements = _liste(valeur, "departements", titre, erreurs, _DEPARTEMENT,
                          "des codes de département entre guillemets, par exemple [\"04\", \"13\"]",
                          lambda v: v.strip().upper())
    if role == BAILLEUR and not bailleurs and "bailleurs" not in valeur:
        erreurs.ajouter(titre, "le rôle bailleur demande ses codes : bailleurs = [\"OLS01\"]")
    if role == ETAT and not departements and "departements" not in valeur:
        erreurs.ajouter(titre, "le rôle etat demande ses départements : departements = [\"13\"]")
    if role != BAILLEUR and "bailleurs" in valeur:
        erreurs.ajouter(titre, f"« bailleurs » ne vaut que pour le rôle bailleur (rôle : {role})",
                        "bailleurs")
    if role != ETAT and "departements" in valeur:
        erreurs.ajouter(titre, f"« departements » ne vaut que pour le rôle etat (rôle : {role})",
                        "departements")
    if len(erreurs.messages) > avant:
        return None
    return Regle(role, frozenset(bailleurs), frozenset(departements))


def _liste(valeur: dict, cle: str, titre: str, erreurs: _Erreurs, motif: re.Pattern,
           attendu: str, normaliser) -> list[str]:
    if cle not in valeur:
        return []
    liste = valeur[cle]
    if not isinstance(liste, list) or not liste:
        erreurs.ajouter(titre, f"valeur « {liste} » refusée ; attendu : une liste non vide, "
                               f"{attendu}", cle)
        return []
    codes = []
    for element in liste:
        code = normaliser(element) if isinstance(element, str) else None
        if code is None or not motif.fullmatch(code):
            erreurs.ajouter(titre, f"valeur « {element} » refusée ; attendu : {attendu}", cle)
        else:
            codes.append(code)
    return codes
