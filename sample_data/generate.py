"""Seeded generator of the fictional but realistic PACA sample data (years 2024, 2025, 2026).

    python -m sample_data.generate [--out DIR] [--seed N]

What is realistic, and where the figures come from (shared/reference/SOURCE.md, DOMAIN.md §4.6):

- territories: the real 946 communes and 52 EPCI of PACA (COG/DGCL 2026, ``reference/``);
- parc: the social dwellings of 1 January 2025 per département (DREAL PACA, RPLS) are matched
  *exactly* by the 2025 parc rows, spread over real communes by population (the big communes hold
  most of it, small villages often none; the three métropoles come out close to their RPLS
  figures); 2024 and 2026 drift by about 1 %;
- rotation: the 2021 mobility rate per département (04 12.2 % … 06 5.6 %), with noise per
  bailleur and commune; the resulting ≈ 22 000 mises à disposition a year match the 21 000–23 500
  attributions a year of PACA; hors flux (mutations, ANRU relogements, first lettings, stock)
  ≈ 15–17 %; outcomes ≈ 71 % bail signé, 12 % refus du demandeur, 4 % refus CALEOL, 6 % sans
  candidat; QPV ≈ 35 % (35.4 % of the parc in SOURCE.md);
- conventions: the 2024 signature rates are those observed in PACA in February 2024 (Action
  Logement 60 %, communes 14 %, EPCI 32 %, other réservataires 35 %), rising in 2025 and 2026;
- taux: préfet 25 %, agents de l'État 5 %, Action Logement 20–25 %, conseil départemental 3–5 %,
  communes and EPCI 10–20 % of their territory (capped where the conventions of a bailleur in a
  département would add up to more than 100 %).

Everything about the bailleurs, the "Autre" réservataires and the dwellings is invented: names,
codes, RPLS numbers and references are fictional. A handful of anomalies are deliberate (the
``ANOMALY_*`` constants below, README.md); everything else is valid data per DOMAIN §3.

The generator only uses the standard library and openpyxl. Every random draw comes from a
``random.Random`` seeded by the seed and the name of what is drawn, so two runs give byte-identical
files (xlsx included: fixed document properties and zip timestamps).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import functools
import io
import itertools
import json
import math
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------

HERE = Path(__file__).resolve().parent
REFERENCE_DIR = HERE / "reference"
DEFAULT_SEED = 2024

YEARS = (2024, 2025, 2026)
PARC_YEAR = 2025                      # the year whose parc matches SOURCE.md exactly
EXTRACTION_END = date(2026, 9, 30)    # last day covered by the data
# Date at which each year's MAD exports were taken: later leases or decisions are "En cours".
EXPORT_DATES = {2024: date(2025, 1, 31), 2025: date(2026, 1, 31), 2026: EXTRACTION_END}
FIXED_TIMESTAMP = datetime(2026, 10, 1, 8, 0, 0)   # xlsx document properties and zip entries

# Social dwellings on 1 January 2025 (DREAL PACA, RPLS) — SOURCE.md.
SOCIAL_DWELLINGS_2025 = {"04": 7941, "05": 8026, "06": 65436, "13": 168339, "83": 60534,
                         "84": 37334}
# Yearly mobility (rotation) rate 2021, percent — SOURCE.md.
ROTATION_RATE = {"04": 12.2, "05": 10.3, "06": 5.6, "13": 6.3, "83": 7.0, "84": 8.7}
# Parc drift relative to 2025 (new programmes, sales, demolitions), with ±0.8 % noise per row.
PARC_DRIFT = {2024: -0.013, 2025: 0.0, 2026: 0.012}
PARC_ROW_NOISE = 0.008

# Spreading a bailleur's parc over the communes of a département.
POP_EXPONENT = 1.1            # weight = population ** 1.1: cities hold more than their share
POP_FULL_PRESENCE = 20_000    # from this population a commune is (almost) always served
FOCUS_WEIGHT = 6.0            # a bailleur's home EPCI weighs six times more
FOCUS_PRESENCE = 3.0          # … and its communes are three times likelier to be served

EXCLUDED_SHARE_MAX = 0.05     # logements exclus: 0.5–5 % of rows of 20 dwellings or more
AGREED_RATE_SHARE = 0.3       # bailleur × département giving an agreed taux_rotation
MUTATION_SHARE = 0.10         # mutations internes ≈ 10 % of the libérations
RELOGEMENT_RATE = 0.003       # ANRU/NPNRU relogements ≈ 0.3 % of the parc of the cities below
# Communes with a large urban renewal project (NPNRU): relogements and more QPV.
ANRU_COMMUNES = (
    "04070", "04112", "05061", "06029", "06069", "06088", "13001", "13004", "13055", "13056",
    "13063", "13117", "83050", "83061", "83126", "83137", "84007", "84031", "84035", "84087",
)

# Mises à disposition (MAD): in-flux MAD ≈ K × flux annuel; hors flux from the parc estimates.
MAD_PER_FLUX = 0.92
MAD_PER_MUTATION = 0.8
MAD_PER_RELOGEMENT = 0.9
STOCK_SHARE = 0.012                # rights still managed in stock (defence, health)
NEW_DWELLINGS_RATE = 0.0025        # first lettings a year per dwelling of the parc
PROGRAMME_SIZE = (8, 60)           # dwellings of a new programme
MONTH_WEIGHTS = (0.95, 0.9, 1.0, 1.0, 1.0, 1.05, 1.1, 0.75, 1.15, 1.05, 1.0, 0.95)

# How far each réservataire is from its droits (MAD ÷ droits prévus), before noise.
PERFORMANCE_DEFAULT = {
    "ETAT": 1.0, "ETAT_AGENTS": 0.75, "ACTION_LOGEMENT": 0.9, "COMMUNE": 1.0, "EPCI": 0.85,
    "DEPARTEMENT": 0.9, "REGION": 0.9, "AUTRE": 0.8,
}
PERFORMANCE_SPECIFIC = {"CD-13": 0.6, "COM-13055": 1.2, "COM-83126": 1.1}
PERFORMANCE_NOISE = 0.06         # per bailleur × réservataire, clipped at ±2 sd

TYPOLOGIES = (("T1", 8), ("T2", 22), ("T3", 38), ("T4", 24), ("T5", 6), ("T6", 2))
FINANCEMENTS = (("PLAI", 20), ("PLUS", 65), ("PLS", 12), ("PLI", 2), ("AUTRE", 1))
# Outcome of a MAD by category, before "too recent to be known" turns some into EN_COURS.
ISSUES_BY_CATEGORY = {
    "FLUX": (("BAIL_SIGNE", 67), ("REFUS_DEMANDEUR", 13.5), ("REFUS_CALEOL", 4.5),
             ("SANS_CANDIDAT", 9), ("EN_COURS", 6)),
    "NON_RESERVE": (("BAIL_SIGNE", 72), ("REFUS_DEMANDEUR", 13.5), ("REFUS_CALEOL", 4.5),
                    ("SANS_CANDIDAT", 3.5), ("EN_COURS", 6.5)),
    "MUTATION": (("BAIL_SIGNE", 90), ("REFUS_DEMANDEUR", 6), ("REFUS_CALEOL", 1), ("EN_COURS", 3)),
    "RELOGEMENT": (("BAIL_SIGNE", 88), ("REFUS_DEMANDEUR", 8), ("EN_COURS", 4)),
    "PREMIERE_LOCATION": (("BAIL_SIGNE", 86), ("REFUS_DEMANDEUR", 8), ("REFUS_CALEOL", 2),
                          ("SANS_CANDIDAT", 1), ("EN_COURS", 3)),
    "STOCK": (("BAIL_SIGNE", 74), ("REFUS_DEMANDEUR", 12), ("REFUS_CALEOL", 4),
              ("SANS_CANDIDAT", 5), ("EN_COURS", 5)),
}
BAIL_DELAY_DAYS = (5, 60, 18)       # min, max, mode of MAD → bail
DECISION_DELAY_DAYS = (7, 45)       # MAD → refusal / no candidate
PUBLIC_PRIORITAIRE = {"ETAT": 0.9, "ETAT_AGENTS": 0.03, "FLUX": 0.15, "NON_RESERVE": 0.28,
                      "MUTATION": 0.05, "RELOGEMENT": 0.35, "PREMIERE_LOCATION": 0.2, "STOCK": 0.1}
CANDIDAT_BAILLEUR = {"DELEGUEE": 0.55, "DIRECTE": 0.07}
RPLS_MISSING = 0.01

# Convention signature: share signed per group and year (PACA, February 2024, for 2024).
SIGNATURE_TARGETS = {
    "ACTION_LOGEMENT": {2024: 0.60, 2025: 0.85, 2026: 0.95},
    "COMMUNE": {2024: 0.14, 2025: 0.45, 2026: 0.70},
    "EPCI": {2024: 0.32, 2025: 0.65, 2026: 0.85},
    "AUTRES": {2024: 0.35, 2025: 0.75, 2026: 0.90},
}
SIGNATURE_NOISE = 0.22           # how loosely signing follows a bailleur's diligence
SMALL_BAILLEUR_DILIGENCE = 0.05  # per convention: bailleurs with fewer partners sign sooner
BAILLEURS_ABOVE_50 = 0.5         # share of bailleurs with > 50 % of their conventions signed (2024)
BAILLEURS_ABOVE_75 = 0.2         # … and > 75 %
LEGAL_DEADLINE = date(2023, 11, 24)
# Window in which the conventions first signed for a year were signed: (start, early, end):
# about a third before `early` (late 2023 / the previous year), the rest from `early` to `end`.
SIGNATURE_WINDOWS = {
    2024: (date(2023, 9, 1), LEGAL_DEADLINE, date(2024, 2, 29)),
    2025: (date(2024, 3, 1), date(2025, 1, 1), date(2025, 3, 31)),
    2026: (date(2025, 4, 1), date(2026, 1, 1), date(2026, 6, 30)),
}
EARLY_SIGNATURE_SHARE = 0.35
MOTIFS_EN_COURS = (
    "Convention en relecture", "Attente de délibération", "Circuit de signature en cours",
    "Attente de la signature du réservataire", "Annexes de parc en cours de mise à jour",
)
MOTIFS_NON_SIGNEE = (
    "Désaccord sur le taux", "Réservataire injoignable", "Désaccord sur le périmètre",
    "Attente de délibération", "Désaccord sur la méthode de calcul", "Données de parc contestées",
)
DELEGUEE_SHARE = {"ETAT": 0.15, "ETAT_AGENTS": 0.6, "ACTION_LOGEMENT": 0.05, "COMMUNE": 0.35,
                  "EPCI": 0.3, "DEPARTEMENT": 0.5, "AUTRE": 0.8}
MODE_MISSING = 0.05

# --------------------------------------------------------------------------------------------
# Fictional bailleurs (codes, names, software vendor, implantations)
# --------------------------------------------------------------------------------------------

# (code, name, vendor, ((département, weight in the département, home EPCI or None), ...)).
# The weight is the bailleur's relative size among those of the département.
BAILLEURS = (
    ("OLS01", "Habitat des Trois Vallées", "A",
     (("13", 30, None), ("84", 10, "248400251"), ("04", 4, "200034700"))),
    ("OLS02", "Toits de la Durance", "B",
     (("13", 18, None), ("83", 10, None), ("84", 8, "248400236"))),
    ("OLS03", "Azur Horizons Habitat", "A", (("06", 30, None), ("83", 12, "200035319"))),
    ("OLS04", "Cité Lavande Habitat", "B", (("13", 14, None), ("06", 8, None), ("83", 6, None))),
    ("OLS05", "Les Oliviers d'Argent", "C", (("13", 12, None), ("84", 6, None))),
    ("OLS06", "Résidences Sainte-Victoire", "A", (("13", 10, None),)),
    ("OLS07", "Foyer Méridien Solidaire", "A", (("13", 8, None),)),
    ("OLS08", "Les Jardins de l'Huveaune", "B", (("13", 6, None),)),
    ("OLS09", "Habitat Pierre Blanche", "A", (("13", 5, None),)),
    ("OLS10", "Habitat Rhône-Camargue", "B", (("13", 4, "241300417"),)),
    ("OLS11", "Bastides Solidaires", "A", (("13", 3, "200035087"),)),
    ("OLS12", "Toit de la Crau", "C", (("13", 2, None),)),
    ("OLS13", "Horizon Paillon Habitat", "A", (("06", 20, "200030195"),)),
    ("OLS14", "Les Terrasses de l'Estérel", "B", (("06", 14, "200039915"),)),
    ("OLS15", "Habitat Val de Siagne", "A", (("06", 10, "200039857"),)),
    ("OLS16", "Résidences Roches Rouges", "B", (("06", 6, "240600585"),)),
    ("OLS17", "Alcôve Sud Logement", "A", (("06", 5, None),)),
    ("OLS18", "Nid Méditerranéen", "C", (("06", 4, "240600551"),)),
    ("OLS19", "Habitat Massif des Maures", "A", (("83", 25, "248300543"),)),
    ("OLS20", "Résidences Garrigue et Pins", "B", (("83", 15, None),)),
    ("OLS21", "Habitat Cigalois", "A", (("83", 10, "248300493"),)),
    ("OLS22", "Les Salins Habitat", "B", (("83", 6, "200036077"),)),
    ("OLS23", "Coopérative Toit Commun du Sud", "A", (("83", 5, "200068104"),)),
    ("OLS24", "Les Toits du Ventoux", "B", (("84", 25, None),)),
    ("OLS25", "Logement Solidaire du Comtat", "A", (("84", 12, "248400053"),)),
    ("OLS26", "Lumière du Luberon Habitat", "C", (("84", 8, "200040442"),)),
    ("OLS27", "Maisons de l'Ubaye", "A", (("04", 10, "200067437"), ("05", 3, "240500439"))),
    ("OLS28", "Foyers de la Haute Durance", "B", (("04", 6, "200034700"),)),
    ("OLS29", "Office des Hauts Plateaux", "A", (("05", 12, "200067825"), ("04", 3, "240400440"))),
    ("OLS30", "Terres d'Écrins Habitat", "C", (("05", 8, "240500462"),)),
)

# Parc that a bailleur does not declare (no parc rows): its conventions there only carry a
# droits_annuels estimate. (bailleur, département, dwellings, home EPCI)
UNDECLARED_PARC = (("OLS30", "04", 380, "200068765"), ("OLS12", "84", 650, "200040442"))

# --------------------------------------------------------------------------------------------
# Réservataires
# --------------------------------------------------------------------------------------------

DEPARTEMENT_NAMES = {  # "Préfet des …", "Conseil départemental des …"
    "04": "des Alpes-de-Haute-Provence", "05": "des Hautes-Alpes", "06": "des Alpes-Maritimes",
    "13": "des Bouches-du-Rhône", "83": "du Var", "84": "de Vaucluse",
}
# EPCI réservataires: the three métropoles and a few big communautés d'agglomération.
EPCI_RESERVATAIRES = ("200054807", "200030195", "248300543", "248400251", "248300493",
                      "200067437")
COMMUNE_RESERVATAIRES = ("13055", "13001", "13004", "06088", "06004", "06029", "83137", "83126",
                         "84007", "05061", "04070")
# Fictional "Autre" réservataires: (code, name, départements, share of the bailleurs there).
AUTRES_RESERVATAIRES = (
    ("AUT-CELP", "Collectif Employeurs Logement Provence", ("13", "84"), 0.5),
    ("AUT-FSAS", "Fonds Solidarité Allocataires du Sud", ("06", "83"), 0.5),
    ("AUT-MHSE", "Mutuelle Hospitalière du Sud-Est", ("13", "06"), 0.35),
)
ALS_DROITS_ACQUIS = (("OLS01", "13"), ("OLS20", "83"), ("OLS24", "84"), ("OLS13", "06"))
ALS_DROITS_ACQUIS_SHARE = 0.23   # droits de suite × rotation, as a share of the flux

TAUX_CHOICES = {  # (taux, weight)
    "ETAT": ((25, 90), (24, 4), (22.5, 3), (20, 3)),
    "ETAT_AGENTS": ((5, 80), (4, 10), (3, 6), (2.5, 4)),
    "ACTION_LOGEMENT": ((20, 20), (22, 20), (22.5, 20), (23, 15), (24, 10), (25, 15)),
    "DEPARTEMENT": ((3, 30), (3.5, 20), (4, 30), (5, 20)),
    "AUTRE": ((1, 30), (1.5, 30), (2, 30), (3, 10)),
    "EPCI": ((10, 30), (12, 25), (12.5, 15), (15, 20), (17.5, 5), (20, 5)),
    "COMMUNE": ((10, 30), (12, 25), (15, 25), (17.5, 10), (20, 10)),
}
COLLECTIVITY_MAX = 20.0
TAUX_BUDGET = 100.0  # Σ taux per bailleur × département (all perimeters together)

# --------------------------------------------------------------------------------------------
# Deliberate anomalies (README.md): everything else is valid.
# --------------------------------------------------------------------------------------------

ANOMALY_YEAR = 2025
ANOMALY_TAUX_OVER_100 = ("OLS19", "83")   # collectivities at 20 %, ALS 25 %…: Σ > 100 % in a zone
ANOMALY_ETAT_OVER_30 = ("OLS21", "83", 28.0)          # préfet at 28 %: with the agents, > 30 %
ANOMALY_SIGNED_UNDATED = "OLS11"                      # one signed convention without date
ANOMALY_MAD_WITHOUT_CONVENTION = (
    ("OLS07", "AUT-CELP", None, 9),     # a known réservataire with no convention with OLS07
    ("OLS24", "COM-84087", "84087", 6),  # a code no convention mentions (type INCONNU)
)
ANOMALY_MISSING_QUARTER = ("OLS16", 2026, date(2026, 7, 1))  # no 2026 T3 export

# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    insee: str
    nom: str
    departement: str
    epci: str
    population: int


@dataclass(frozen=True)
class Epci:
    siren: str
    nom: str
    nature: str
    departement: str


@dataclass(frozen=True)
class Bailleur:
    code: str
    nom: str
    logiciel: str
    implantations: tuple[tuple[str, int, str | None], ...]


@dataclass(frozen=True)
class Reservataire:
    code: str
    nom: str
    type: str
    perimetre_type: str = "DEPARTEMENT"
    perimetre_code: str | None = None    # EPCI SIREN or commune INSEE code
    departement: str | None = None       # None: any département (Action Logement)


@dataclass
class ParcRow:
    bailleur: str
    insee: str
    annee: int
    parc_total: int
    logements_exclus: int
    liberations: int | None
    taux_rotation: float | None
    mutations: int
    relogements: int

    @property
    def eligible(self) -> int:
        return self.parc_total - self.logements_exclus

    @property
    def base(self) -> float:
        if self.taux_rotation is not None:
            return self.eligible * self.taux_rotation / 100
        return float(self.liberations or 0)

    @property
    def flux(self) -> float:
        return max(0.0, self.base - self.mutations - self.relogements)


@dataclass
class Convention:
    bailleur: str
    reservataire: Reservataire
    departement: str
    annee: int
    statut: str
    date_signature: date | None
    motif: str | None
    methode: str
    taux: float | None
    droits_annuels: float | None
    mode_gestion: str | None


@dataclass
class Mad:
    bailleur: str
    date: date
    insee: str
    categorie: str
    reservataire: str | None = None
    mode_gestion: str | None = None
    type_reservataire: str | None = None
    reference: str = ""
    rpls: str | None = None
    qpv: bool = False
    typologie: str = "T3"
    financement: str = "PLUS"
    annee_construction: int = 1970
    issue: str = "EN_COURS"
    date_bail: date | None = None
    candidat_bailleur: bool = False
    public_prioritaire: bool = False


@dataclass
class Dataset:
    communes: dict[str, Commune]
    epcis: dict[str, Epci]
    bailleurs: list[Bailleur]
    reservataires: dict[str, Reservataire]
    parc: dict[int, list[ParcRow]] = field(default_factory=dict)
    parc_non_declare: dict[int, list[ParcRow]] = field(default_factory=dict)
    conventions: dict[int, list[Convention]] = field(default_factory=dict)
    mad: dict[int, list[Mad]] = field(default_factory=dict)
    documents: list[tuple[str, str, str, date | None]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _rng(seed: int, *parts: object) -> random.Random:
    """An independent, reproducible random stream for one named part of the data."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder, exact sum)."""
    s = sum(weights)
    quotas = [total * w / s for w in weights]
    parts = [math.floor(q) for q in quotas]
    rest = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def _stochastic_round(x: float, rng: random.Random) -> int:
    n = math.floor(x)
    return n + (1 if rng.random() < x - n else 0)


class _Weighted:
    """A fixed weighted distribution, sampled with one draw (faster than Random.choices)."""

    def __init__(self, weighted: tuple[tuple[object, float], ...]):
        self.values = tuple(v for v, _ in weighted)
        self.cumulative = tuple(itertools.accumulate(w for _, w in weighted))

    def pick(self, rng: random.Random):
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(index, len(self.values) - 1)]


@functools.lru_cache(maxsize=None)
def _distribution(weighted: tuple[tuple[object, float], ...]) -> _Weighted:
    return _Weighted(weighted)


def _choice(rng: random.Random, weighted: tuple[tuple[object, float], ...]):
    """One value of a constant (value, weight) table."""
    return _distribution(weighted).pick(rng)


# Fixed public holidays (month, day): no MAD, lease or signature on those days nor at weekends.
PUBLIC_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def _is_working_day(d: date) -> bool:
    return d.weekday() < 5 and (d.month, d.day) not in PUBLIC_HOLIDAYS


def _next_working_day(d: date) -> date:
    while not _is_working_day(d):
        d += timedelta(days=1)
    return d


@functools.lru_cache(maxsize=None)
def _working_days(start: date, end: date) -> tuple[date, ...]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return tuple(d for d in days if _is_working_day(d))


def _random_date(rng: random.Random, start: date, end: date) -> date:
    """A working day between start and end (inclusive)."""
    days = _working_days(start, end)
    return days[rng.randrange(len(days))] if days else _next_working_day(start)


_MONTHS = _Weighted(tuple(zip(range(1, 13), MONTH_WEIGHTS)))


def _random_day_of_year(rng: random.Random, year: int) -> date:
    """A working day of the year, months weighted by MONTH_WEIGHTS (fewer in August)."""
    month = _MONTHS.pick(rng)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return _random_date(rng, date(year, month, 1), following - timedelta(days=1))


def _decimal_fr(x: float | None) -> str:
    """12.5 → "12,5"; 25.0 → "25"; None → ""."""
    if x is None:
        return ""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _group(type_reservataire: str) -> str:
    if type_reservataire in ("ACTION_LOGEMENT", "COMMUNE", "EPCI"):
        return type_reservataire
    return "AUTRES"


# --------------------------------------------------------------------------------------------
# Reference, bailleurs and réservataires
# --------------------------------------------------------------------------------------------


def load_reference(
    reference_dir: Path = REFERENCE_DIR,
) -> tuple[dict[str, Commune], dict[str, Epci]]:
    with open(reference_dir / "paca_communes.csv", encoding="utf-8", newline="") as f:
        communes = {
            r["code_insee"]: Commune(r["code_insee"], r["nom"], r["departement"], r["epci_siren"],
                                     int(r["population"]))
            for r in csv.DictReader(f, delimiter=";")
        }
    with open(reference_dir / "paca_epci.csv", encoding="utf-8", newline="") as f:
        epcis = {
            r["epci_siren"]: Epci(r["epci_siren"], r["nom"], r["nature"], r["departement"])
            for r in csv.DictReader(f, delimiter=";")
        }
    return dict(sorted(communes.items())), dict(sorted(epcis.items()))


def build_reservataires(communes: dict[str, Commune],
                        epcis: dict[str, Epci]) -> dict[str, Reservataire]:
    res: list[Reservataire] = []
    for dep, de in DEPARTEMENT_NAMES.items():
        res.append(Reservataire(f"ETAT-{dep}", f"Préfet {de} — contingent préfectoral", "ETAT",
                                departement=dep))
        res.append(Reservataire(f"ETAT-AG-{dep}",
                                f"Préfet {de} — agents civils et militaires de l'État",
                                "ETAT_AGENTS", departement=dep))
        res.append(Reservataire(f"CD-{dep}", f"Conseil départemental {de}", "DEPARTEMENT",
                                departement=dep))
    res.append(Reservataire("ALS", "Action Logement Services", "ACTION_LOGEMENT"))
    for siren in EPCI_RESERVATAIRES:
        e = epcis[siren]
        res.append(Reservataire(f"EPCI-{siren}", e.nom, "EPCI", "EPCI", siren, e.departement))
    for insee in COMMUNE_RESERVATAIRES:
        c = communes[insee]
        res.append(Reservataire(f"COM-{insee}", f"Ville de {c.nom}", "COMMUNE", "COMMUNE", insee,
                                c.departement))
    for code, nom, _, _ in AUTRES_RESERVATAIRES:
        res.append(Reservataire(code, nom, "AUTRE"))
    return {r.code: r for r in res}


# --------------------------------------------------------------------------------------------
# Parc
# --------------------------------------------------------------------------------------------


def _spread_parc(total: int, dep: str, focus: str | None, reach: float,
                 communes: dict[str, Commune], rng: random.Random) -> dict[str, int]:
    """Spread `total` dwellings over the communes of `dep` (population-weighted, exact sum)."""
    candidates = [c for c in communes.values() if c.departement == dep]
    anchor_pool = [c for c in candidates if c.epci == focus] or candidates
    anchor = max(anchor_pool, key=lambda c: (c.population, c.insee))
    chosen, weights = [], []
    for c in candidates:
        in_focus = focus is not None and c.epci == focus
        presence = reach * (c.population / POP_FULL_PRESENCE) ** 0.7
        if in_focus:
            presence *= FOCUS_PRESENCE
        weight = c.population ** POP_EXPONENT * rng.lognormvariate(0, 0.5)
        if in_focus:
            weight *= FOCUS_WEIGHT
        if c is anchor or rng.random() < presence:
            chosen.append(c.insee)
            weights.append(weight)
    parts = _apportion(total, weights)
    return {insee: n for insee, n in zip(chosen, parts) if n > 0}


def build_parc_2025(bailleurs: list[Bailleur], communes: dict[str, Commune],
                    seed: int) -> dict[tuple[str, str], dict[str, int]]:
    """Parc total per (bailleur, département) → commune, for 2025; sums match SOURCE.md."""
    result: dict[tuple[str, str], dict[str, int]] = {}
    for dep, total in SOCIAL_DWELLINGS_2025.items():
        present = [(b, w, focus) for b in bailleurs for d, w, focus in b.implantations if d == dep]
        shares = _apportion(total, [w for _, w, _ in present])
        weight_sum = sum(w for _, w, _ in present)
        for (b, w, focus), share in zip(present, shares):
            reach = min(1.0, 0.2 + 2.5 * w / weight_sum)
            rng = _rng(seed, "parc-spread", b.code, dep)
            result[(b.code, dep)] = _spread_parc(share, dep, focus, reach, communes, rng)
    return result


def _parc_rows(bailleur: str, dep: str, by_commune: dict[str, int], year: int,
               seed: int) -> list[ParcRow]:
    """The parc rows of one bailleur × département for one year (figures at 31/12 of n-1)."""
    rng = _rng(seed, "parc-rows", bailleur, dep, year)
    pair_rng = _rng(seed, "parc-pair", bailleur, dep)          # same choices every year
    agreed = pair_rng.random() < AGREED_RATE_SHARE
    bailleur_factor = pair_rng.gauss(1.0, 0.12)
    agreed_rate = round(ROTATION_RATE[dep] * bailleur_factor * rng.gauss(1.0, 0.04), 1)
    rows = []
    for insee, parc_2025 in sorted(by_commune.items()):
        parc = parc_2025
        if year != PARC_YEAR:
            parc = max(1, round(parc_2025 * (1 + PARC_DRIFT[year] + rng.gauss(0, PARC_ROW_NOISE))))
        exclus = round(parc * rng.uniform(0.005, EXCLUDED_SHARE_MAX)) if parc >= 20 else 0
        eligible = parc - exclus
        rate = ROTATION_RATE[dep] * bailleur_factor * max(0.5, rng.gauss(1.0, 0.15))
        liberations = None if agreed else _stochastic_round(eligible * rate / 100, rng)
        expected_lib = eligible * (agreed_rate if agreed else rate) / 100
        mutations = _stochastic_round(expected_lib * MUTATION_SHARE * rng.uniform(0.6, 1.4), rng)
        relogements = 0
        if insee in ANRU_COMMUNES:
            relogements = _stochastic_round(eligible * RELOGEMENT_RATE * rng.uniform(0.5, 1.5), rng)
        rows.append(ParcRow(bailleur, insee, year, parc, exclus, liberations,
                            agreed_rate if agreed else None, mutations, relogements))
    return rows


def build_parc(ds: Dataset, seed: int) -> None:
    parc_2025 = build_parc_2025(ds.bailleurs, ds.communes, seed)
    undeclared = {}
    for code, dep, total, focus in UNDECLARED_PARC:
        undeclared[(code, dep)] = _spread_parc(total, dep, focus, 0.3, ds.communes,
                                               _rng(seed, "parc-undeclared", code, dep))
    for year in YEARS:
        rows = []
        for (code, dep), by_commune in sorted(parc_2025.items()):
            rows.extend(_parc_rows(code, dep, by_commune, year, seed))
        ds.parc[year] = sorted(rows, key=lambda r: (r.bailleur, r.insee))
        hidden = []
        for (code, dep), by_commune in sorted(undeclared.items()):
            hidden.extend(_parc_rows(code, dep, by_commune, year, seed))
        ds.parc_non_declare[year] = hidden


# --------------------------------------------------------------------------------------------
# Conventions
# --------------------------------------------------------------------------------------------


@dataclass
class _Family:
    """A convention across the years: bailleur × réservataire × périmètre."""

    bailleur: str
    reservataire: Reservataire
    departement: str
    taux: float | None
    methode: str = "ASSIETTE"
    mode_gestion: str | None = "DIRECTE"
    estimate_only: bool = False          # no parc declared: droits_annuels estimate
    readiness: float = 0.0
    first_signed: int | None = None       # first year signed
    date_signature: date | None = None
    motif_en_cours: str = ""
    motif_non_signee: str = ""


def _flux_by_perimeter(rows: list[ParcRow], communes: dict[str, Commune]) -> dict[tuple, float]:
    """flux_annuel per (bailleur, perimeter) — DOMAIN §4.1, clipped at the perimeter."""
    base: dict[tuple, float] = {}
    minus: dict[tuple, float] = {}
    for r in rows:
        c = communes[r.insee]
        for key in ((r.bailleur, "DEPARTEMENT", c.departement), (r.bailleur, "EPCI", c.epci),
                    (r.bailleur, "COMMUNE", r.insee)):
            base[key] = base.get(key, 0.0) + r.base
            minus[key] = minus.get(key, 0.0) + r.mutations + r.relogements
    return {k: max(0.0, base[k] - minus[k]) for k in base}


def _families(ds: Dataset, seed: int) -> list[_Family]:
    """One family per bailleur × réservataire × périmètre where the bailleur has parc."""
    rng = _rng(seed, "conventions-families")
    parc_2025 = ds.parc[PARC_YEAR]
    hidden_deps = {(code, dep) for code, dep, _, _ in UNDECLARED_PARC}
    families: list[_Family] = []
    for b in ds.bailleurs:
        rows = [r for r in parc_2025 if r.bailleur == b.code]
        deps = sorted({ds.communes[r.insee].departement for r in rows})
        # An EPCI convention belongs to the EPCI's département: it needs parc there (the
        # métropole Aix-Marseille-Provence also holds Pertuis, 84, and Saint-Zacharie, 83).
        epcis = sorted({c.epci for c in (ds.communes[r.insee] for r in rows)
                        if c.departement == ds.epcis[c.epci].departement})
        insees = sorted({r.insee for r in rows})
        for dep in sorted(set(deps) | {d for c, d in hidden_deps if c == b.code}):
            hidden = (b.code, dep) in hidden_deps
            for code in (f"ETAT-{dep}", f"ETAT-AG-{dep}", "ALS", f"CD-{dep}"):
                families.append(_Family(b.code, ds.reservataires[code], dep, None,
                                        estimate_only=hidden))
            for code, _, autre_deps, share in AUTRES_RESERVATAIRES:
                excluded = (b.code, code) in {a[:2] for a in ANOMALY_MAD_WITHOUT_CONVENTION}
                if dep in autre_deps and not hidden and not excluded and rng.random() < share:
                    families.append(_Family(b.code, ds.reservataires[code], dep, None))
        for siren in EPCI_RESERVATAIRES:
            if siren in epcis:
                r = ds.reservataires[f"EPCI-{siren}"]
                families.append(_Family(b.code, r, r.departement, None))
        for insee in COMMUNE_RESERVATAIRES:
            if insee in insees:
                r = ds.reservataires[f"COM-{insee}"]
                families.append(_Family(b.code, r, r.departement, None))
    for f in families:
        f.taux = _choice(rng, TAUX_CHOICES[f.reservataire.type])
        als = f.reservataire.type == "ACTION_LOGEMENT"
        if als and (f.bailleur, f.departement) in ALS_DROITS_ACQUIS:
            f.methode, f.taux = "DROITS_ACQUIS", None
        mode = "DELEGUEE" if rng.random() < DELEGUEE_SHARE[f.reservataire.type] else "DIRECTE"
        f.mode_gestion = None if rng.random() < MODE_MISSING else mode
        f.motif_en_cours = rng.choice(MOTIFS_EN_COURS)
        f.motif_non_signee = rng.choice(MOTIFS_NON_SIGNEE)
    _fit_taux_budget(families)
    return families


def _fit_taux_budget(families: list[_Family]) -> None:
    """Keep Σ taux ≤ TAUX_BUDGET per bailleur × département by capping the collectivities' taux.

    The sum is taken over all the conventions of the département, whatever their perimeter: the
    strictest reading of the control of DOMAIN §4.7. The highest local taux are capped first, at
    a common level rounded down to the half point, so that the smaller ones keep their value.
    """
    # A droits-acquis convention counts for its droits ÷ flux, at most 110 % of the usual share.
    most = {id(f): f.taux if f.taux is not None else ALS_DROITS_ACQUIS_SHARE * 110
            for f in families}
    for pair in sorted({(f.bailleur, f.departement) for f in families}):
        group = [f for f in families if (f.bailleur, f.departement) == pair]
        local = [f for f in group if f.reservataire.type in ("EPCI", "COMMUNE")]
        room = TAUX_BUDGET - sum(most[id(f)] for f in group) + sum(f.taux for f in local)
        if sum(f.taux for f in local) <= room:
            continue
        cap = max(f.taux for f in local)
        while cap > 0 and sum(min(f.taux, cap) for f in local) > room:
            cap -= 0.5
        for f in local:
            f.taux = min(f.taux, cap)


def _assign_signatures(families: list[_Family], bailleurs: list[Bailleur], seed: int) -> None:
    """Decide which conventions are signed each year (nested sets, exact share per group).

    First year: the most diligent bailleurs sign just enough to pass 75 % (the first fifth) or
    50 % (the first half) of their conventions, taking from the groups with the most quota left;
    the rest of each group's quota goes to the other bailleurs, readiest first. Later years add
    the readiest unsigned conventions until each group reaches its target.
    """
    rng = _rng(seed, "conventions-signature")
    # Small bailleurs tend to be quicker: fewer conventions, fewer partners to agree with.
    count = {b.code: sum(f.bailleur == b.code for f in families) for b in bailleurs}
    diligence = {b.code: rng.random() - SMALL_BAILLEUR_DILIGENCE * count[b.code] for b in bailleurs}
    for f in families:
        f.readiness = diligence[f.bailleur] + rng.gauss(0, SIGNATURE_NOISE)
    group_of = [_group(f.reservataire.type) for f in families]
    size = {g: group_of.count(g) for g in SIGNATURE_TARGETS}
    first_year = YEARS[0]
    quota = {g: round(SIGNATURE_TARGETS[g][first_year] * size[g]) for g in SIGNATURE_TARGETS}
    initial = dict(quota)
    signed: set[int] = set()
    ranked = sorted(bailleurs, key=lambda b: (-diligence[b.code], b.code))
    n_excellent = round(BAILLEURS_ABOVE_75 * len(bailleurs))
    n_good = round(BAILLEURS_ABOVE_50 * len(bailleurs))
    tier = {b.code: rank < n_good for rank, b in enumerate(ranked)}
    for rank, b in enumerate(ranked[:n_good]):
        own = [i for i, f in enumerate(families) if f.bailleur == b.code]
        threshold = 0.75 if rank < n_excellent else 0.5
        for _ in range(math.floor(threshold * len(own)) + 1):
            options = [i for i in own if i not in signed and quota[group_of[i]] > 0]
            if not options:
                break
            best = max(options, key=lambda i: (quota[group_of[i]] / initial[group_of[i]],
                                               families[i].readiness, -i))
            signed.add(best)
            quota[group_of[best]] -= 1
    for group in SIGNATURE_TARGETS:
        rest = [i for i in range(len(families)) if group_of[i] == group and i not in signed]
        rest.sort(key=lambda i: (tier[families[i].bailleur], -families[i].readiness, i))
        signed.update(rest[:quota[group]])
    for i in signed:
        families[i].first_signed = first_year
    for year in YEARS[1:]:
        for group in SIGNATURE_TARGETS:
            members = [f for f, g in zip(families, group_of) if g == group]
            already = sum(f.first_signed is not None for f in members)
            waiting = sorted((f for f in members if f.first_signed is None),
                             key=lambda f: -f.readiness)
            for f in waiting[:round(SIGNATURE_TARGETS[group][year] * size[group]) - already]:
                f.first_signed = year
    for f in families:
        if f.first_signed is not None:
            start, early, end = SIGNATURE_WINDOWS[f.first_signed]
            if rng.random() < EARLY_SIGNATURE_SHARE:
                f.date_signature = _random_date(rng, start, early - timedelta(days=1))
            else:
                f.date_signature = _random_date(rng, early, end)


def build_conventions(ds: Dataset, seed: int) -> None:
    families = _families(ds, seed)
    _assign_signatures(families, ds.bailleurs, seed)
    order = list(TAUX_CHOICES)
    families.sort(key=lambda f: (f.bailleur, f.departement, order.index(f.reservataire.type)
                                 if f.reservataire.type in order else 99, f.reservataire.code))
    for year in YEARS:
        rng = _rng(seed, "conventions-year", year)
        flux = _flux_by_perimeter(ds.parc[year], ds.communes)
        hidden_flux = _flux_by_perimeter(ds.parc_non_declare[year], ds.communes)
        rows = []
        for f in families:
            r = f.reservataire
            signed = f.first_signed is not None and f.first_signed <= year
            if signed:
                statut, motif = "SIGNEE", None
            elif rng.random() < 0.6:
                statut, motif = "EN_COURS", f.motif_en_cours
            else:
                statut, motif = "NON_SIGNEE", f.motif_non_signee
            droits = None
            if f.methode == "DROITS_ACQUIS":
                dep_flux = flux[(f.bailleur, "DEPARTEMENT", f.departement)]
                droits = round(dep_flux * ALS_DROITS_ACQUIS_SHARE * rng.uniform(0.9, 1.1), 1)
            elif f.estimate_only:
                dep_flux = hidden_flux[(f.bailleur, "DEPARTEMENT", f.departement)]
                droits = float(round(f.taux / 100 * dep_flux * rng.uniform(0.85, 1.15)))
            rows.append(Convention(f.bailleur, r, f.departement, year, statut,
                                   f.date_signature if signed else None, motif, f.methode,
                                   f.taux, droits, f.mode_gestion))
        ds.conventions[year] = rows
    _apply_convention_anomalies(ds)


def _worst_zone_sum(pair: list[Convention], communes: dict[str, Commune]) -> float:
    """Σ taux of the conventions covering each zone of one bailleur × département (the
    département, each EPCI, each commune: DOMAIN §4.7); the largest."""
    departement = sum(c.taux or 0.0 for c in pair if c.reservataire.perimetre_type == "DEPARTEMENT")
    epci = {c.reservataire.perimetre_code: c.taux or 0.0 for c in pair
            if c.reservataire.perimetre_type == "EPCI"}
    sums = [departement] + [departement + t for t in epci.values()]
    for c in pair:
        if c.reservataire.perimetre_type == "COMMUNE":
            home = communes[c.reservataire.perimetre_code].epci
            sums.append(departement + (c.taux or 0.0) + epci.get(home, 0.0))
    return max(sums)


def _apply_convention_anomalies(ds: Dataset) -> None:
    rows = ds.conventions[ANOMALY_YEAR]
    # Σ taux > 100 %: every réservataire but the État asks for the top of its usual range, so
    # that the conventions covering one commune add up to more than 100 % (Action Logement
    # takes the rest if that is not enough).
    code, dep = ANOMALY_TAUX_OVER_100
    pair = [c for c in rows if c.bailleur == code and c.departement == dep]
    for c in pair:
        top = max(t for t, _ in TAUX_CHOICES[c.reservataire.type])
        if c.taux is not None and c.reservataire.type not in ("ETAT", "ETAT_AGENTS"):
            c.taux = max(c.taux, top)
    excess = _worst_zone_sum(pair, ds.communes) - 100.0
    if excess <= 0:
        next(c for c in pair if c.reservataire.type == "ACTION_LOGEMENT").taux += 1.5 - excess
    # ETAT + ETAT_AGENTS > 30 %: the préfet at 28 %, Action Logement lowered so Σ stays ≤ 100 %.
    code, dep, etat_taux = ANOMALY_ETAT_OVER_30
    pair = [c for c in rows if c.bailleur == code and c.departement == dep]
    etat = next(c for c in pair if c.reservataire.type == "ETAT")
    als = next(c for c in pair if c.reservataire.type == "ACTION_LOGEMENT")
    als.taux -= etat_taux - etat.taux
    etat.taux = etat_taux
    # A signed convention without date_signature (that bailleur's first, else the first of all).
    signed = [c for c in rows if c.statut == "SIGNEE"]
    own = [c for c in signed if c.bailleur == ANOMALY_SIGNED_UNDATED]
    (own or signed)[0].date_signature = None


# --------------------------------------------------------------------------------------------
# Mises à disposition
# --------------------------------------------------------------------------------------------


def _coverage(conventions: list[Convention], commune: Commune,
              flux: dict[tuple, float]) -> list[tuple[Convention, float]]:
    """Conventions covering a commune, with the share of the flux they are entitled to."""
    result = []
    for c in conventions:
        r = c.reservataire
        covers = ((r.perimetre_type == "DEPARTEMENT" and c.departement == commune.departement)
                  or (r.perimetre_type == "EPCI" and r.perimetre_code == commune.epci)
                  or (r.perimetre_type == "COMMUNE" and r.perimetre_code == commune.insee))
        if not covers:
            continue
        if c.taux is not None:
            share = c.taux / 100
        else:
            dep_flux = flux.get((c.bailleur, "DEPARTEMENT", c.departement), 0.0)
            share = (c.droits_annuels or 0.0) / dep_flux if dep_flux else 0.0
        result.append((c, share))
    return result


def _performance(rng: random.Random, r: Reservataire) -> float:
    base = PERFORMANCE_SPECIFIC.get(r.code, PERFORMANCE_DEFAULT[r.type])
    noise = max(-2.0, min(2.0, rng.gauss(0.0, 1.0))) * PERFORMANCE_NOISE
    return base * (1.0 + noise)


def _mad_for_row(row: ParcRow, commune: Commune, choices: list[tuple[object, float]],
                 year: int, rng: random.Random) -> list[Mad]:
    """The freed dwellings of one parc row in one year, before their outcome is drawn."""
    events = []
    orientation = _Weighted(tuple(choices))
    n_flux = _stochastic_round(row.flux * MAD_PER_FLUX * rng.lognormvariate(0, 0.06), rng)
    for _ in range(n_flux):
        target = orientation.pick(rng)
        when = _random_day_of_year(rng, year)
        if rng.random() < STOCK_SHARE:
            events.append(Mad(row.bailleur, when, row.insee, "STOCK"))
        elif target is None:
            events.append(Mad(row.bailleur, when, row.insee, "NON_RESERVE"))
        else:
            r = target.reservataire
            events.append(Mad(row.bailleur, when, row.insee, "FLUX", r.code, target.mode_gestion,
                              r.type))
    for categorie, expected in (("MUTATION", row.mutations * MAD_PER_MUTATION),
                                ("RELOGEMENT", row.relogements * MAD_PER_RELOGEMENT)):
        for _ in range(_stochastic_round(expected * rng.uniform(0.8, 1.2), rng)):
            events.append(Mad(row.bailleur, _random_day_of_year(rng, year), row.insee, categorie))
    return events


def _first_lettings(rows: list[ParcRow], year: int, rng: random.Random) -> list[Mad]:
    """New programmes delivered in the year: a burst of first lettings in one commune."""
    total_parc = sum(r.parc_total for r in rows)
    mean_size = sum(PROGRAMME_SIZE) / 2
    events = []
    for _ in range(_stochastic_round(total_parc * NEW_DWELLINGS_RATE / mean_size, rng)):
        row = rng.choices(rows, [r.parc_total for r in rows])[0]
        delivery = _random_day_of_year(rng, year)
        for _ in range(rng.randint(*PROGRAMME_SIZE)):
            when = _next_working_day(delivery + timedelta(days=rng.randint(0, 20)))
            if when.year == year:
                events.append(Mad(row.bailleur, when, row.insee, "PREMIERE_LOCATION"))
    return events


def _lease_date(mad_date: date, delay: int) -> date:
    """A working day about `delay` days after the MAD, within BAIL_DELAY_DAYS."""
    day = _next_working_day(mad_date + timedelta(days=delay))
    if (day - mad_date).days > BAIL_DELAY_DAYS[1]:
        day = mad_date + timedelta(days=delay)
        while not _is_working_day(day):
            day -= timedelta(days=1)
    return day


def _draw_outcome(m: Mad, year: int, rng: random.Random) -> None:
    m.issue = _choice(rng, ISSUES_BY_CATEGORY[m.categorie])
    known_by = EXPORT_DATES[year]
    if m.issue == "BAIL_SIGNE":
        low, high, mode = BAIL_DELAY_DAYS
        m.date_bail = _lease_date(m.date, round(rng.triangular(low, high, mode)))
        if m.date_bail > known_by:
            m.issue, m.date_bail = "EN_COURS", None
    elif m.issue != "EN_COURS":
        if m.date + timedelta(days=rng.randint(*DECISION_DELAY_DAYS)) > known_by:
            m.issue = "EN_COURS"


def _qpv_rate(commune: Commune) -> float:
    if commune.insee in ANRU_COMMUNES:
        return 0.45
    for population, rate in ((50_000, 0.34), (20_000, 0.25), (10_000, 0.15), (5_000, 0.05)):
        if commune.population >= population:
            return rate
    return 0.0


def _describe_dwelling(m: Mad, commune: Commune, year: int, rng: random.Random) -> None:
    first_letting = m.categorie == "PREMIERE_LOCATION"
    m.rpls = None if rng.random() < RPLS_MISSING else f"{rng.randrange(10**10):010d}"
    m.qpv = rng.random() < (0.1 * _qpv_rate(commune) if first_letting else _qpv_rate(commune))
    m.typologie = _choice(rng, TYPOLOGIES)
    m.financement = _choice(rng, FINANCEMENTS)
    if first_letting:
        m.annee_construction = min(2025, year - rng.randint(0, 1))
    elif m.financement in ("PLAI", "PLS"):
        m.annee_construction = rng.randint(1992, 2025)
    elif m.qpv:
        m.annee_construction = round(rng.triangular(1950, 1990, 1966))
    else:
        m.annee_construction = round(rng.triangular(1950, 2025, 1975))
    prioritaire = PUBLIC_PRIORITAIRE.get(m.type_reservataire or "", PUBLIC_PRIORITAIRE[m.categorie])
    m.public_prioritaire = rng.random() < prioritaire
    if m.categorie == "FLUX":
        m.candidat_bailleur = rng.random() < CANDIDAT_BAILLEUR.get(m.mode_gestion or "DIRECTE", 0.1)


def _mad_without_convention(events: list[Mad], res_code: str, insee: str | None, n: int,
                            rng: random.Random) -> None:
    """Anomaly: turn `n` NON_RESERVE MAD into FLUX towards a réservataire without convention."""
    pool = [m for m in events
            if m.categorie == "NON_RESERVE" and (insee is None or m.insee == insee)]
    for m in rng.sample(pool, min(n, len(pool))):
        m.categorie, m.reservataire, m.type_reservataire = "FLUX", res_code, None
        m.mode_gestion = None


def build_mad(ds: Dataset, seed: int) -> None:
    for year in YEARS:
        flux = _flux_by_perimeter(ds.parc[year] + ds.parc_non_declare[year], ds.communes)
        result: list[Mad] = []
        for b in ds.bailleurs:
            rng = _rng(seed, "mad", b.code, year)
            convs = [c for c in ds.conventions[year] if c.bailleur == b.code]
            perf = {c.reservataire.code: _performance(rng, c.reservataire) for c in convs}
            rows = [r for r in ds.parc[year] + ds.parc_non_declare[year] if r.bailleur == b.code]
            events: list[Mad] = []
            for row in rows:
                commune = ds.communes[row.insee]
                covering = _coverage(convs, commune, flux)
                choices = [(c, share * perf[c.reservataire.code] / MAD_PER_FLUX)
                           for c, share in covering]
                rest = 1.0 - sum(w for _, w in choices)
                choices.append((None, max(0.0, rest)))
                events.extend(_mad_for_row(row, commune, choices, year, rng))
            events.extend(_first_lettings(rows, year, rng))
            if year == ANOMALY_YEAR:
                for code, res_code, insee, n in ANOMALY_MAD_WITHOUT_CONVENTION:
                    if code == b.code:
                        _mad_without_convention(events, res_code, insee, n, rng)
            events = [m for m in events if m.date <= EXTRACTION_END]
            code, missing_year, from_date = ANOMALY_MISSING_QUARTER
            if (b.code, year) == (code, missing_year):
                events = [m for m in events if m.date < from_date]
            events.sort(key=lambda m: (m.date, m.insee, m.categorie, m.reservataire or ""))
            for number, m in enumerate(events, start=1):
                m.reference = f"{b.code}-{year}-{number:06d}"
                _draw_outcome(m, year, rng)
                _describe_dwelling(m, ds.communes[m.insee], year, rng)
            result.extend(events)
        ds.mad[year] = result


# --------------------------------------------------------------------------------------------
# Documents of the EPCI
# --------------------------------------------------------------------------------------------

DOCUMENTS = ("CIL", "CIA", "PPGDID", "COTATION")
# Probability of (ADOPTE, EN_COURS) per nature of EPCI; the rest is NON_ENGAGE.
DOCUMENT_PROGRESS = {
    "METRO": {"CIL": (1.0, 0.0), "CIA": (0.7, 0.3), "PPGDID": (1.0, 0.0), "COTATION": (0.7, 0.3)},
    "CA": {"CIL": (0.8, 0.15), "CIA": (0.45, 0.35), "PPGDID": (0.55, 0.3), "COTATION": (0.4, 0.4)},
    "CC": {"CIL": (0.15, 0.2), "CIA": (0.05, 0.1), "PPGDID": (0.1, 0.15), "COTATION": (0.05, 0.1)},
}
# Adoption windows (first, last) per document; "En cours" documents started 2022–2026.
ADOPTION_WINDOWS = {"CIL": (date(2015, 6, 1), date(2023, 12, 31)),
                    "CIA": (date(2018, 1, 1), date(2025, 12, 31)),
                    "PPGDID": (date(2016, 1, 1), date(2024, 12, 31)),
                    "COTATION": (date(2021, 6, 1), date(2025, 12, 31))}
STARTED_WINDOW = (date(2022, 1, 1), date(2026, 9, 30))


def build_documents(ds: Dataset, seed: int) -> None:
    rng = _rng(seed, "documents")
    for siren, e in ds.epcis.items():
        progress = DOCUMENT_PROGRESS.get(e.nature, DOCUMENT_PROGRESS["CC"])
        cil_adopted: date | None = None
        for doc in DOCUMENTS:
            adopted, started = progress[doc]
            u = rng.random()
            statut = ("ADOPTE" if u < adopted
                      else "EN_COURS" if u < adopted + started else "NON_ENGAGE")
            if doc == "CIA" and cil_adopted is None and statut == "ADOPTE":
                statut = "EN_COURS"                # a CIA follows an adopted CIL
            when = None
            if statut == "ADOPTE":
                first, last = ADOPTION_WINDOWS[doc]
                if doc == "CIA" and cil_adopted is not None:
                    first = max(first, cil_adopted + timedelta(days=180))
                when = _random_date(rng, first, max(first, last))
            elif statut == "EN_COURS":
                when = _random_date(rng, *STARTED_WINDOW)
            if doc == "CIL" and statut == "ADOPTE":
                cil_adopted = when
            ds.documents.append((siren, doc, statut, when))


# --------------------------------------------------------------------------------------------
# Writers: one shape per dataset and software vendor
# --------------------------------------------------------------------------------------------

TYPE_LABELS = {"ETAT": "Etat", "ETAT_AGENTS": "Etat agents", "ACTION_LOGEMENT": "Action Logement",
               "COMMUNE": "Commune", "EPCI": "EPCI", "DEPARTEMENT": "Département",
               "REGION": "Région", "AUTRE": "Autre"}
PERIMETRE_LABELS = {"DEPARTEMENT": "Département", "EPCI": "EPCI", "COMMUNE": "Commune"}
STATUT_LABELS = {"SIGNEE": "Signée", "EN_COURS": "En cours de signature",
                 "NON_SIGNEE": "Non signée"}
METHODE_LABELS = {"ASSIETTE": "Assiette", "DROITS_ACQUIS": "Droits acquis"}
MODE_LABELS = {"DIRECTE": "Directe", "DELEGUEE": "Déléguée"}
CATEGORIE_LABELS = {"FLUX": "Flux réservataire", "NON_RESERVE": "Non réservé",
                    "MUTATION": "Mutation interne", "RELOGEMENT": "Relogement ANRU",
                    "PREMIERE_LOCATION": "Première mise en location", "STOCK": "Stock"}
ISSUE_LABELS = {"BAIL_SIGNE": "Bail signé", "REFUS_DEMANDEUR": "Refus du demandeur",
                "REFUS_CALEOL": "Refus CALEOL", "SANS_CANDIDAT": "Sans candidat",
                "EN_COURS": "En cours"}
FINANCEMENT_LABELS_A = {"PLAI": "PLA-I", "PLUS": "PLUS", "PLS": "PLS", "PLI": "PLI",
                        "AUTRE": "Autre"}
DOCUMENT_LABELS = {"CIL": "CIL", "CIA": "CIA", "PPGDID": "PPGDID", "COTATION": "Cotation"}
DOCUMENT_STATUT_LABELS = {"ADOPTE": "Adopté", "EN_COURS": "En cours", "NON_ENGAGE": "Non engagé"}

PARC_HEADERS = ["Code bailleur", "Code INSEE", "Année", "Parc total", "Logements exclus",
                "Libérations", "Taux de rotation", "Mutations prévues", "Relogements prévus"]
CONVENTION_HEADERS = ["Code bailleur", "Nom bailleur", "Code réservataire", "Nom réservataire",
                      "Type de réservataire", "Département", "Type de périmètre", "Code périmètre",
                      "Année", "Statut", "Date de signature", "Motif de non-signature", "Méthode",
                      "Taux (%)", "Droits annuels", "Mode de gestion"]
MAD_HEADERS_A = ["Code bailleur", "N° de référence", "Date MAD", "Code INSEE", "Catégorie",
                 "Contingent", "N° RPLS", "QPV", "Typologie", "Financement",
                 "Année de construction", "Issue", "Date du bail", "Candidat bailleur",
                 "Public prioritaire"]
MAD_HEADERS_B = ["bailleur_code", "reference", "date_mise_a_disposition", "code_insee",
                 "categorie", "reservataire_code", "rpls", "qpv", "typologie", "financement",
                 "annee_construction", "issue", "date_bail", "candidat_bailleur",
                 "public_prioritaire"]
MAD_HEADERS_C = ["Bailleur", "Référence", "Date de mise à disposition", "Commune (code INSEE)",
                 "Catégorie", "Réservataire", "RPLS", "QPV", "Typologie", "Financement",
                 "Année construction", "Issue", "Date de bail", "Candidat bailleur",
                 "Public prioritaire"]
MAD_SHEET = "Mises à disposition"
DOCUMENT_HEADERS = ["SIREN EPCI", "Document", "Statut", "Date"]


def _fr_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str,
               delimiter: str = ";") -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_parc(path: Path, rows: list[ParcRow]) -> None:
    _write_csv(path, PARC_HEADERS, [
        [r.bailleur, r.insee, str(r.annee), str(r.parc_total), str(r.logements_exclus),
         "" if r.liberations is None else str(r.liberations), _decimal_fr(r.taux_rotation),
         str(r.mutations), str(r.relogements) if r.relogements else ""]
        for r in rows], "utf-8-sig")


def write_conventions(path: Path, rows: list[Convention], noms: dict[str, str]) -> None:
    _write_csv(path, CONVENTION_HEADERS, [
        [c.bailleur, noms[c.bailleur], c.reservataire.code, c.reservataire.nom,
         TYPE_LABELS[c.reservataire.type], c.departement,
         PERIMETRE_LABELS[c.reservataire.perimetre_type], c.reservataire.perimetre_code or "",
         str(c.annee), STATUT_LABELS[c.statut], _fr_date(c.date_signature), c.motif or "",
         METHODE_LABELS[c.methode], _decimal_fr(c.taux), _decimal_fr(c.droits_annuels),
         MODE_LABELS.get(c.mode_gestion or "", "")]
        for c in rows], "cp1252")


def _typologie_a(m: Mad) -> str:
    if m.typologie != "T1":
        return m.typologie
    return ("T1", "T1", "T1", "T1 bis", "Studio")[int(m.reference[-1]) % 5]


def write_mad_a(path: Path, rows: list[Mad]) -> None:
    yes_no = {True: "Oui", False: "Non"}
    _write_csv(path, MAD_HEADERS_A, [
        [m.bailleur, m.reference, _fr_date(m.date), m.insee, CATEGORIE_LABELS[m.categorie],
         m.reservataire or "", m.rpls or "", yes_no[m.qpv], _typologie_a(m),
         FINANCEMENT_LABELS_A[m.financement], str(m.annee_construction), ISSUE_LABELS[m.issue],
         _fr_date(m.date_bail), yes_no[m.candidat_bailleur], yes_no[m.public_prioritaire]]
        for m in rows], "cp1252")


def write_mad_b(path: Path, rows: list[Mad]) -> None:
    true_false = {True: "true", False: "false"}
    _write_csv(path, MAD_HEADERS_B, [
        [m.bailleur, m.reference, m.date.isoformat(), m.insee, m.categorie, m.reservataire or "",
         m.rpls or "", true_false[m.qpv], m.typologie, m.financement, str(m.annee_construction),
         m.issue, m.date_bail.isoformat() if m.date_bail else "", true_false[m.candidat_bailleur],
         true_false[m.public_prioritaire]]
        for m in rows], "utf-8", delimiter=",")


def write_mad_c(path: Path, rows: list[Mad]) -> None:
    """Vendor C: an Excel workbook with real dates, text codes and O/N booleans."""
    wb = Workbook()
    ws = wb.active
    ws.title = MAD_SHEET
    ws.append(MAD_HEADERS_C)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    o_n = {True: "O", False: "N"}
    for m in rows:
        ws.append([m.bailleur, m.reference, m.date, m.insee, CATEGORIE_LABELS[m.categorie],
                   m.reservataire, m.rpls, o_n[m.qpv], int(m.typologie[1:]), m.financement,
                   m.annee_construction, ISSUE_LABELS[m.issue], m.date_bail,
                   o_n[m.candidat_bailleur], o_n[m.public_prioritaire]])
    for row in ws.iter_rows(min_row=2):
        for index, number_format in ((2, "DD/MM/YYYY"), (12, "DD/MM/YYYY"), (3, "@"), (6, "@")):
            if row[index].value is not None:
                row[index].number_format = number_format
    widths = (10, 20, 14, 12, 24, 16, 13, 6, 10, 12, 10, 18, 13, 10, 10)
    for letter, width in zip("ABCDEFGHIJKLMNO", widths):
        ws.column_dimensions[letter].width = width
    _save_workbook_reproducibly(wb, path)


def _save_workbook_reproducibly(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip timestamps: same data, same bytes."""
    wb.properties.creator = "sample_data.generate"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()    # save_workbook() would stamp "now"
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def write_documents(path: Path, documents: list[tuple[str, str, str, date | None]]) -> None:
    _write_csv(path, DOCUMENT_HEADERS, [
        [siren, DOCUMENT_LABELS[doc], DOCUMENT_STATUT_LABELS[statut], _fr_date(when)]
        for siren, doc, statut, when in documents], "utf-8")


# --------------------------------------------------------------------------------------------
# Consistency checks (the generator refuses to write invalid data by accident)
# --------------------------------------------------------------------------------------------


def check(ds: Dataset) -> None:
    sums: dict[str, int] = {}
    for r in ds.parc[PARC_YEAR]:
        dep = ds.communes[r.insee].departement
        sums[dep] = sums.get(dep, 0) + r.parc_total
    assert sums == SOCIAL_DWELLINGS_2025, sums
    for year in YEARS:
        for r in ds.parc[year]:
            assert 0 <= r.logements_exclus <= r.parc_total
            assert (r.liberations is None) != (r.taux_rotation is None)
        refs = set()
        for m in ds.mad[year]:
            assert m.insee in ds.communes and m.date <= EXTRACTION_END
            assert (m.issue == "BAIL_SIGNE") == (m.date_bail is not None)
            assert m.date_bail is None or m.date <= m.date_bail <= EXPORT_DATES[year]
            assert (m.categorie == "FLUX") == (m.reservataire is not None)
            assert (m.bailleur, m.reference) not in refs
            refs.add((m.bailleur, m.reference))
        for c in ds.conventions[year]:
            assert c.taux is None or 0 <= c.taux <= 100
            assert (c.methode == "ASSIETTE") == (c.taux is not None)
            assert c.statut == "SIGNEE" or (c.date_signature is None and c.motif)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def build(seed: int = DEFAULT_SEED) -> Dataset:
    communes, epcis = load_reference()
    bailleurs = [Bailleur(*b) for b in BAILLEURS]
    ds = Dataset(communes, epcis, bailleurs, build_reservataires(communes, epcis))
    build_parc(ds, seed)
    build_conventions(ds, seed)
    build_mad(ds, seed)
    build_documents(ds, seed)
    check(ds)
    return ds


def generate(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every sample file and manifest.json into `out_dir`; return them in import order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = build(seed)
    noms = {b.code: b.nom for b in ds.bailleurs}
    vendor = {b.code: b.logiciel for b in ds.bailleurs}
    manifest: list[dict[str, str]] = []
    written: list[Path] = []

    def emit(kind: str, name: str, writer, *args, sheet: str | None = None) -> None:
        path = out_dir / name
        writer(path, *args)
        entry = {"type": kind, "fichier": name}
        if sheet:
            entry["feuille"] = sheet
        manifest.append(entry)
        written.append(path)

    for year in YEARS:
        emit("parc", f"parc_{year}.csv", write_parc, ds.parc[year])
    for year in YEARS:
        emit("conventions", f"conventions_{year}.csv", write_conventions, ds.conventions[year],
             noms)
    for year in YEARS:
        rows = sorted(ds.mad[year], key=lambda m: (m.bailleur, m.reference))
        by_vendor = {v: [m for m in rows if vendor[m.bailleur] == v] for v in "ABC"}
        emit("mises_a_disposition", f"mad_{year}_logiciel_a.csv", write_mad_a, by_vendor["A"])
        emit("mises_a_disposition", f"mad_{year}_logiciel_b.csv", write_mad_b, by_vendor["B"])
        emit("mises_a_disposition", f"mad_{year}_logiciel_c.xlsx", write_mad_c, by_vendor["C"],
             sheet=MAD_SHEET)
    emit("documents_epci", "documents_epci.csv", write_documents, ds.documents)
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    written.append(manifest_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate",
                                     description="Génère les données d'exemple PACA (fictives).")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="dossier de sortie (défaut : sample_data/)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"graine (défaut : {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
