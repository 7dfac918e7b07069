"""A seeded, vectorised generator of a national-scale store (for the bilan benchmark).

Scale 1.0 ≈ France (DOMAIN §5): 101 départements, ≈ 35 000 communes in ≈ 1 250 EPCI, 600
bailleurs, ≈ 5 million dwellings, ≈ 450 000 MAD a year over 3 years (2023–2025), and the
conventions of every bailleur × département (État, État agents, Action Logement — a third of them
en droits acquis —, département, région, others) plus EPCI- and commune-wide ones. Some data is
deliberately imperfect, as real data is: communes without EPCI, conventions without parc, MAD of
réservataires without convention.

    python benchmarks/national_generateur.py --echelle 0.05 --db /tmp/petit.duckdb
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.store import connect  # noqa: E402

ANNEES = (2023, 2024, 2025)
DEPARTEMENTS = (
    [f"{i:02d}" for i in range(1, 96) if i != 20] + ["2A", "2B"]
    + ["971", "972", "973", "974", "976"]
)


def _region(dep: str) -> int:
    """A stable pseudo-région of a département (13 of them)."""
    return DEPARTEMENTS.index(dep) % 13


def _communes(rng: np.random.Generator, echelle: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_communes = max(len(DEPARTEMENTS) * 3, int(35_000 * echelle))
    poids = rng.gamma(2.0, 1.0, len(DEPARTEMENTS))
    par_dep = np.maximum(3, np.round(poids / poids.sum() * n_communes)).astype(int)
    communes, epcis = [], []
    for i, dep in enumerate(DEPARTEMENTS):
        n = int(par_dep[i]) if len(dep) == 2 else min(int(par_dep[i]), 90)
        chiffres = 3 if len(dep) == 2 else 2
        codes = [f"{dep}{k:0{chiffres}d}" for k in range(1, n + 1)]
        n_epci = max(1, int(round(n / 28)))
        # contiguous blocks of communes per EPCI, of random sizes
        coupures = np.sort(rng.choice(np.arange(1, n), size=min(n_epci - 1, n - 1), replace=False))
        bloc = np.searchsorted(coupures, np.arange(n), side="right")
        sirens = [f"2{i:03d}{e:05d}" for e in range(n_epci)]
        sans_epci = rng.random(n) < 0.003
        communes.append(pd.DataFrame({
            "code_insee": codes,
            "nom": [f"Commune {c}" for c in codes],
            "departement": dep,
            "epci_siren": [None if s else sirens[b] for b, s in zip(bloc, sans_epci)],
            "population": rng.integers(100, 50_000, n),
        }))
        epcis.append(pd.DataFrame({
            "epci_siren": sirens,
            "nom": [f"EPCI {dep}-{e + 1}" for e in range(n_epci)],
            "nature": rng.choice(["CC", "CA", "CU", "METRO"], n_epci, p=[0.7, 0.2, 0.06, 0.04]),
            "departement": dep,
        }))
    return pd.concat(communes, ignore_index=True), pd.concat(epcis, ignore_index=True)


def _implantations(rng, communes: pd.DataFrame, n_bailleurs: int) -> pd.DataFrame:
    """bailleur × commune pairs (the parc rows' keys)."""
    deps = np.array(DEPARTEMENTS)
    lignes = []
    communes_par_dep = {d: g["code_insee"].to_numpy() for d, g in communes.groupby("departement")}
    for b in range(n_bailleurs):
        code = f"B{b + 1:04d}"
        u = rng.random()
        if u < 0.7:
            n_dep = 1
        else:
            n_dep = int(rng.integers(2, 4)) if u < 0.95 else int(rng.integers(5, 16))
        for dep in rng.choice(deps, n_dep, replace=False):
            pool = communes_par_dep[dep]
            k = min(len(pool), int(rng.integers(max(3, len(pool) // 8), max(4, len(pool) // 2))))
            choix = rng.choice(pool, k, replace=False)
            lignes.append(pd.DataFrame({"bailleur_code": code, "code_insee": choix, "dep": dep}))
    return pd.concat(lignes, ignore_index=True)


def generer(chemin: Path, echelle: float = 1.0, graine: int = 2025, verbeux: bool = True) -> Path:
    """Write a new store at ``chemin`` (replaced if present) and return its path."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(graine)
    chemin = Path(chemin)
    for suffixe in ("", ".wal"):
        Path(str(chemin) + suffixe).unlink(missing_ok=True)
    communes, epcis = _communes(rng, echelle)
    n_bailleurs = max(5, int(600 * echelle))
    impl = _implantations(rng, communes, n_bailleurs)
    impl = impl.merge(communes[["code_insee", "epci_siren"]], on="code_insee", how="left")
    n = len(impl)
    # parc at scale: ≈ 5.2 million dwellings nationally
    parc_base = np.maximum(1, rng.lognormal(3.6, 1.1, n)).astype(int)
    parc_base = np.maximum(1, (parc_base * (5_200_000 * echelle / parc_base.sum()))).astype(int)

    parcs, conventions, mads = [], [], []
    for a_idx, annee in enumerate(ANNEES):
        total = np.maximum(1, (parc_base * (1 + 0.02 * a_idx))).astype(int)
        exclus = rng.binomial(total, 0.03)
        eligible = total - exclus
        convenu = rng.random(n) < 0.3
        taux = np.where(convenu, np.round(rng.uniform(5, 12, n), 1), np.nan)
        liberations = np.where(convenu, -1, rng.binomial(eligible, 0.09))
        parcs.append(pd.DataFrame({
            "bailleur_code": impl["bailleur_code"],
            "code_insee": impl["code_insee"],
            "annee": annee,
            "parc_total": total,
            "logements_exclus": exclus,
            "liberations": pd.array(np.where(liberations < 0, None, liberations), dtype="Int64"),
            "taux_rotation": taux,
            "mutations_prevues": rng.binomial(total, 0.012),
            "relogements_prevus": rng.binomial(total, 0.003),
        }))

        # --- conventions: every bailleur × département, plus EPCI- and commune-wide ones
        bd = impl[["bailleur_code", "dep"]].drop_duplicates().reset_index(drop=True)
        # 1 % of conventions in a département without parc (estimate, or unknown droits)
        extra = bd.sample(frac=0.01, random_state=graine + annee).copy()
        extra["dep"] = rng.choice(np.array(DEPARTEMENTS), len(extra))
        extra = extra.merge(bd, how="left", indicator=True).query("_merge == 'left_only'")
        extra = extra.drop(columns="_merge")
        conv = []
        specs = [
            ("ETAT", "ETAT-{d}", 1.0, (25, 25)),
            ("ETAT_AGENTS", "ETATAG-{d}", 1.0, (5, 5)),
            ("ACTION_LOGEMENT", "ALS", 1.0, (18, 35)),
            ("DEPARTEMENT", "CD-{d}", 0.6, (2, 8)),
            ("REGION", "CR-{r}", 0.3, (1, 3)),
            ("AUTRE", "AUTRE-{k}", 0.2, (1, 5)),
        ]
        for source, sans_parc in ((bd, False), (extra, True)):
            for type_r, motif, proba, (t_min, t_max) in specs:
                sel = source[rng.random(len(source)) < proba]
                m = len(sel)
                if m == 0:
                    continue
                deps = sel["dep"].to_numpy()
                codes = [
                    motif.format(d=d, r=_region(d), k=k)
                    for d, k in zip(deps, rng.integers(1, 50, m))
                ]
                methode = np.where(
                    (type_r == "ACTION_LOGEMENT") & (rng.random(m) < 0.33),
                    "DROITS_ACQUIS", "ASSIETTE",
                )
                tx = np.round(rng.uniform(t_min, t_max, m), 1)
                droits = np.where(methode == "DROITS_ACQUIS", rng.integers(5, 400, m), np.nan)
                if sans_parc:
                    droits = np.where(rng.random(m) < 0.5, rng.integers(1, 50, m), np.nan)
                conv.append(pd.DataFrame({
                    "bailleur_code": sel["bailleur_code"].to_numpy(),
                    "reservataire_code": codes,
                    "type_reservataire": type_r,
                    "departement": deps,
                    "perimetre_type": "DEPARTEMENT",
                    "perimetre_code": deps,
                    "methode": methode,
                    "taux_flux": np.where(methode == "ASSIETTE", tx, np.nan),
                    "droits_annuels": droits,
                }))
        be = impl.dropna(subset=["epci_siren"])[["bailleur_code", "dep", "epci_siren"]]
        be = be.drop_duplicates()
        be = be[rng.random(len(be)) < 0.15]
        conv.append(pd.DataFrame({
            "bailleur_code": be["bailleur_code"].to_numpy(),
            "reservataire_code": "EPCI-" + be["epci_siren"].to_numpy(),
            "type_reservataire": "EPCI",
            "departement": be["dep"].to_numpy(),
            "perimetre_type": "EPCI",
            "perimetre_code": be["epci_siren"].to_numpy(),
            "methode": "ASSIETTE",
            "taux_flux": np.round(rng.uniform(5, 15, len(be)), 1),
            "droits_annuels": np.nan,
        }))
        bc = impl[rng.random(n) < 0.05]
        conv.append(pd.DataFrame({
            "bailleur_code": bc["bailleur_code"].to_numpy(),
            "reservataire_code": "COM-" + bc["code_insee"].to_numpy(),
            "type_reservataire": "COMMUNE",
            "departement": bc["dep"].to_numpy(),
            "perimetre_type": "COMMUNE",
            "perimetre_code": bc["code_insee"].to_numpy(),
            "methode": "ASSIETTE",
            "taux_flux": np.round(rng.uniform(5, 20, len(bc)), 1),
            "droits_annuels": np.nan,
        }))
        conv = pd.concat(conv, ignore_index=True)
        conv = conv.drop_duplicates(
            ["bailleur_code", "reservataire_code", "perimetre_type", "perimetre_code"]
        )
        m = len(conv)
        statut = rng.choice(["SIGNEE", "EN_COURS", "NON_SIGNEE"], m, p=[0.8, 0.12, 0.08])
        signature = pd.Timestamp(f"{annee - 1}-09-01") + pd.to_timedelta(
            rng.integers(0, 150, m), "D")
        conv["bailleur_nom"] = "Bailleur " + conv["bailleur_code"]
        conv["reservataire_nom"] = "Réservataire " + conv["reservataire_code"]
        conv["annee"] = annee
        conv["statut"] = statut
        conv["date_signature"] = np.where(
            (statut == "SIGNEE") & (rng.random(m) > 0.01), signature.values, np.datetime64("NaT")
        )
        conv["motif_non_signature"] = np.where(
            statut == "NON_SIGNEE", "Désaccord sur le taux", None)
        conv["mode_gestion"] = rng.choice(["DIRECTE", "DELEGUEE"], m, p=[0.85, 0.15])
        conventions.append(conv)

        # --- MAD: ≈ 450 000 a year, where the parc is (weighted by eligible parc)
        n_mad = int(450_000 * echelle)
        poids = eligible / eligible.sum()
        idx = rng.choice(n, n_mad, p=poids)
        lignes = impl.iloc[idx].reset_index(drop=True)
        categorie = rng.choice(
            ["FLUX", "NON_RESERVE", "MUTATION", "RELOGEMENT", "PREMIERE_LOCATION", "STOCK"],
            n_mad, p=[0.55, 0.2, 0.1, 0.04, 0.08, 0.03],
        )
        # the réservataire of a FLUX MAD
        a_com = pd.MultiIndex.from_arrays([lignes["bailleur_code"], lignes["code_insee"]]).isin(
            pd.MultiIndex.from_arrays([bc["bailleur_code"], bc["code_insee"]]))
        a_epci = pd.MultiIndex.from_arrays([lignes["bailleur_code"], lignes["epci_siren"]]).isin(
            pd.MultiIndex.from_arrays([be["bailleur_code"], be["epci_siren"]]))
        u = rng.random(n_mad)
        type_tire = rng.choice(
            ["ETAT", "ETAT_AGENTS", "ALS", "CD", "CR", "AUTRE", "INCONNU"],
            n_mad, p=[0.35, 0.05, 0.37, 0.1, 0.04, 0.06, 0.03],
        )
        deps = lignes["dep"].to_numpy()
        reg = pd.Series(deps).map({d: _region(d) for d in DEPARTEMENTS}).to_numpy()
        k = rng.integers(1, 50, n_mad)
        res = np.select(
            [
                a_com & (u < 0.2),
                a_epci & (u < 0.35),
                type_tire == "ETAT",
                type_tire == "ETAT_AGENTS",
                type_tire == "ALS",
                type_tire == "CD",
                type_tire == "CR",
                type_tire == "AUTRE",
            ],
            [
                "COM-" + lignes["code_insee"].to_numpy(),
                "EPCI-" + lignes["epci_siren"].fillna("").to_numpy(),
                np.char.add("ETAT-", deps.astype(str)),
                np.char.add("ETATAG-", deps.astype(str)),
                np.full(n_mad, "ALS"),
                np.char.add("CD-", deps.astype(str)),
                np.char.add("CR-", reg.astype(str)),
                np.char.add("AUTRE-", k.astype(str)),
            ],
            default=np.char.add("INCONNU-", k.astype(str)),
        )
        jours = rng.integers(0, 365 + (annee % 4 == 0), n_mad)
        date_mad = pd.Timestamp(f"{annee}-01-01") + pd.to_timedelta(jours, "D")
        issue = rng.choice(
            ["BAIL_SIGNE", "REFUS_DEMANDEUR", "REFUS_CALEOL", "SANS_CANDIDAT", "EN_COURS"],
            n_mad, p=[0.62, 0.15, 0.05, 0.06, 0.12],
        )
        date_bail = date_mad + pd.to_timedelta(rng.integers(0, 60, n_mad), "D")
        mads.append(pd.DataFrame({
            "bailleur_code": lignes["bailleur_code"].to_numpy(),
            "reference": np.char.add(f"{annee}-", np.char.zfill(np.arange(n_mad).astype(str), 7)),
            "date_mise_a_disposition": date_mad,
            "code_insee": lignes["code_insee"].to_numpy(),
            "categorie": categorie,
            "reservataire_code": np.where(categorie == "FLUX", res, None),
            "rpls": None,
            "qpv": rng.random(n_mad) < 0.3,
            "typologie": rng.choice(["T1", "T2", "T3", "T4", "T5", "T6"], n_mad),
            "financement": rng.choice(["PLAI", "PLUS", "PLS", "PLI"], n_mad),
            "annee_construction": rng.integers(1950, 2024, n_mad),
            "issue": issue,
            "date_bail": np.where(issue == "BAIL_SIGNE", date_bail.values, np.datetime64("NaT")),
            "candidat_bailleur": rng.random(n_mad) < 0.1,
            "public_prioritaire": rng.random(n_mad) < 0.25,
        }))

    parc = pd.concat(parcs, ignore_index=True)
    conv = pd.concat(conventions, ignore_index=True)
    mad = pd.concat(mads, ignore_index=True)
    con = connect(chemin)
    try:
        con.register("g_communes", communes)
        con.register("g_epci", epcis)
        con.register("g_parc", parc)
        con.register("g_conv", conv)
        con.register("g_mad", mad)
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO communes SELECT code_insee, nom, departement, epci_siren, "
                    "population, NULL FROM g_communes")
        con.execute(
            "INSERT INTO epci SELECT epci_siren, nom, nature, departement, NULL FROM g_epci")
        con.execute("""INSERT INTO parc SELECT bailleur_code, code_insee, annee, parc_total,
            logements_exclus, liberations, taux_rotation, mutations_prevues, relogements_prevus, 1
            FROM g_parc""")
        con.execute("""INSERT INTO conventions SELECT bailleur_code, bailleur_nom,
            reservataire_code,
            reservataire_nom, type_reservataire, departement, perimetre_type, perimetre_code, annee,
            statut, date_signature::DATE, motif_non_signature, methode, taux_flux, droits_annuels,
            mode_gestion, 2, reservataire_code FROM g_conv""")
        con.execute("""INSERT INTO mises_a_disposition SELECT bailleur_code, reference,
            date_mise_a_disposition::DATE, code_insee, categorie, reservataire_code, rpls, qpv,
            typologie, financement, annee_construction, issue, date_bail::DATE, candidat_bailleur,
            public_prioritaire, 3, reservataire_code FROM g_mad""")
        con.execute("COMMIT")
        # The identities of the generated territories (the codes written are theirs).
        from dashboard.referentiel import assurer_territoires

        assurer_territoires(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if verbeux:
        print(
            f"base générée : {chemin} — {len(communes)} communes, {len(epcis)} EPCI, "
            f"{n_bailleurs} bailleurs, {len(parc)} lignes de parc, {len(conv)} conventions, "
            f"{len(mad)} MAD ({time.perf_counter() - t0:.1f} s)"
        )
    return chemin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère une base nationale de test.")
    parser.add_argument("--echelle", type=float, default=1.0)
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--db", type=Path,
                        default=Path(__file__).parent / "out" / "national_bilan.duckdb")
    args = parser.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    generer(args.db, args.echelle, args.graine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
