"""The filters of the bilans: one tuple of codes per axis, empty = everything."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

# Pseudo-statut selecting the MAD that match no convention (statut filter).
SANS_CONVENTION = "SANS_CONVENTION"


def _codes(valeur: str | Iterable[str] | None) -> tuple[str, ...]:
    if valeur is None:
        return ()
    if isinstance(valeur, str):
        valeur = valeur.split(",")
    codes = []
    for code in valeur:
        code = str(code).strip()
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


@dataclass(frozen=True)
class Filtres:
    """Which rows a bilan keeps. Each field is a tuple of codes; an empty tuple keeps everything.

    - ``departement``: département codes (``"13"``, ``"2A"``) — of the convention, or of the
      commune for a MAD without convention;
    - ``epci``: EPCI SIREN, or ``"NON_VENTILE"``; droits are then taken apportioned to the EPCI;
    - ``bailleur``, ``reservataire``: codes; ``type_reservataire``: ``ETAT``… or ``INCONNU``;
    - ``statut``: ``SIGNEE``, ``EN_COURS``, ``NON_SIGNEE``, and ``SANS_CONVENTION`` for the MAD
      that match no convention (excluded by any statut filter that does not name it).

    A comma-separated string or any iterable is accepted for each field and normalised to a tuple
    (so that the pages can bind them to the URL's query string).
    """

    departement: tuple[str, ...] = ()
    epci: tuple[str, ...] = ()
    bailleur: tuple[str, ...] = ()
    type_reservataire: tuple[str, ...] = ()
    reservataire: tuple[str, ...] = ()
    statut: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for champ in fields(self):
            object.__setattr__(self, champ.name, _codes(getattr(self, champ.name)))

    def parametres(self) -> dict[str, list[str]]:
        """The SQL parameters ``$f_<field>`` (lists, empty = everything)."""
        return {f"f_{champ.name}": list(getattr(self, champ.name)) for champ in fields(self)}

    def est_vide(self) -> bool:
        return not any(getattr(self, champ.name) for champ in fields(self))

    def description(self) -> str:
        """A short French description, e.g. ``département 13 ; bailleur OLS01``."""
        noms = {
            "departement": "département",
            "epci": "EPCI",
            "bailleur": "bailleur",
            "type_reservataire": "type de réservataire",
            "reservataire": "réservataire",
            "statut": "statut",
        }
        parts = [
            f"{noms[champ.name]} {', '.join(getattr(self, champ.name))}"
            for champ in fields(self)
            if getattr(self, champ.name)
        ]
        return " ; ".join(parts)


# The SQL expression holding each filter's value on a row of the models that filter (fct_bilan,
# int_mad_attribuees, int_mad…: the columns of the bilan's keys); a model naming its columns
# otherwise says so in its fragment (see ``condition_sql``).
COLONNES_FILTRES = {
    "departement": "departement",
    "epci": "epci_cle",
    "bailleur": "bailleur_code",
    "type_reservataire": "type_reservataire",
    "reservataire": "reservataire_code",
    "statut": f"coalesce(statut, '{SANS_CONVENTION}')",
}


def condition_sql(colonnes: dict[str, str | None]) -> str:
    """THE filter condition of the models: one term per field of ``Filtres`` named in
    ``colonnes`` (field → SQL expression of its value on the row, None = ``COLONNES_FILTRES``'s),
    each keeping every row when its list ``$f_<field>`` is empty. Written into a model's SQL by
    ``{{ filtres(...) }}`` (see ``modeles``)."""
    champs = [champ.name for champ in fields(Filtres)]
    termes = []
    for champ, expression in colonnes.items():
        if champ not in champs:
            raise ValueError(f"filtre inconnu : {champ!r} (filtres : {', '.join(champs)})")
        valeur = expression or COLONNES_FILTRES[champ]
        termes.append(f"(len($f_{champ}) = 0 OR list_contains($f_{champ}, {valeur}))")
    if not termes:
        raise ValueError("filtres() sans champ : nommer les filtres que le modèle applique")
    return "(" + "\n     AND ".join(termes) + ")"


def parametres(annee: int, filtres: Filtres | None = None, **valeurs) -> dict:
    """The named parameters of a model: ``$annee``, ``valeurs`` (``$trimestre``, ``$par``…) and
    the filters' ``$f_<field>`` (see ``Filtres.parametres``; a model binds only those it uses)."""
    return {"annee": int(annee), **valeurs, **(filtres or Filtres()).parametres()}
