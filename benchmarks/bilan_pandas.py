"""The same bilan (DOMAIN §4.1–§4.4) computed with pandas from the same tables.

Written independently of the SQL models, from DOMAIN.md, as the benchmark's point of comparison
(and a cross-check: its figures must equal ``dashboard.metrics.bilan``'s). It covers the
benchmarked case: no filter, periode ``cumul`` (the ``trimestre`` axis: one row per quarter),
both views.

    tables = charger(con)                       # the store's tables as DataFrames (not timed)
    df = bilan_pandas(tables, 2025, 2, "reservataire")
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TABLES = ("conventions", "parc", "mises_a_disposition", "communes", "epci", "reservataires")
CHUTES = ("REFUS_DEMANDEUR", "REFUS_CALEOL", "SANS_CANDIDAT")
NV = "NON_VENTILE"


def charger(con) -> dict[str, pd.DataFrame]:
    """The tables the bilan reads, as pandas DataFrames."""
    return {t: con.execute(f"SELECT * FROM {t}").df() for t in TABLES}


def _dep_de_code(codes: pd.Series) -> pd.Series:
    return codes.where(~codes.str.startswith("97"), codes.str[:3]).where(
        codes.str.startswith("97"), codes.str[:2]
    )


def _communes(t) -> pd.DataFrame:
    c = t["communes"].sort_values("import_id", na_position="first")
    return c.drop_duplicates("code_insee", keep="last")[["code_insee", "departement", "epci_siren"]]


def _placer(df: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    df = df.merge(communes, on="code_insee", how="left")
    df["departement"] = df["departement"].fillna(_dep_de_code(df["code_insee"]))
    return df


def flux(t, annee: int) -> pd.DataFrame:
    """Flux per bailleur × perimeter (perimetre_type, perimetre_code)."""
    p = t["parc"]
    p = _placer(p[p["annee"] == annee].copy(), _communes(t))
    p["eligible"] = p["parc_total"] - p["logements_exclus"]
    p["base"] = np.where(
        p["taux_rotation"].notna(), p["eligible"] * p["taux_rotation"] / 100.0,
        p["liberations"].astype(float),
    )
    p["deductions"] = p["mutations_prevues"] + p["relogements_prevus"]
    parts = []
    for type_p, col in (("DEPARTEMENT", "departement"), ("EPCI", "epci_siren"),
                        ("COMMUNE", "code_insee")):
        g = p.dropna(subset=[col]).groupby(["bailleur_code", col], as_index=False)[
            ["eligible", "base", "deductions"]].sum()
        g = g.rename(columns={col: "perimetre_code"})
        g["perimetre_type"] = type_p
        parts.append(g)
    f = pd.concat(parts, ignore_index=True)
    f["flux_annuel"] = np.maximum(0.0, f["base"] - f["deductions"])
    return f


def droits(t, annee: int) -> pd.DataFrame:
    c = t["conventions"]
    c = c[c["annee"] == annee].reset_index(drop=True).copy()
    c["cid"] = np.arange(len(c))
    f = flux(t, annee)[["bailleur_code", "perimetre_type", "perimetre_code", "flux_annuel"]]
    c = c.merge(f, on=["bailleur_code", "perimetre_type", "perimetre_code"], how="left")
    assiette = (c["methode"] == "ASSIETTE") & c["flux_annuel"].notna() & c["taux_flux"].notna()
    c["droits"] = np.where(assiette, c["taux_flux"] / 100.0 * c["flux_annuel"], c["droits_annuels"])
    c["connus"] = c["droits"].notna()
    c["part"] = c["flux_annuel"].notna() & c["connus"]
    return c


def _ventilation(t, annee: int, c: pd.DataFrame) -> pd.DataFrame:
    """cid × epci → share of the convention's droits."""
    communes = _communes(t)
    p = t["parc"]
    p = _placer(p[p["annee"] == annee].copy(), communes)
    p["eligible"] = p["parc_total"] - p["logements_exclus"]
    p["epci"] = p["epci_siren"].fillna(NV)
    pe = p.groupby(["bailleur_code", "departement", "epci"], as_index=False)["eligible"].sum()
    pd_ = pe.groupby(["bailleur_code", "departement"], as_index=False)["eligible"].sum()
    dep = c[c["perimetre_type"] == "DEPARTEMENT"][["cid", "bailleur_code", "perimetre_code"]]
    dep = dep.merge(pd_.rename(columns={"departement": "perimetre_code", "eligible": "tot"}),
                    on=["bailleur_code", "perimetre_code"], how="left")
    ok = dep[dep["tot"] > 0].merge(
        pe.rename(columns={"departement": "perimetre_code"}),
        on=["bailleur_code", "perimetre_code"],
    )
    ok = ok[ok["eligible"] > 0]
    ok = ok.assign(share=ok["eligible"] / ok["tot"])[["cid", "epci", "share"]]
    sans = dep[~(dep["tot"] > 0)][["cid"]].assign(epci=NV, share=1.0)
    autres = c[c["perimetre_type"] != "DEPARTEMENT"][["cid", "perimetre_type", "perimetre_code"]]
    autres = autres.merge(communes[["code_insee", "epci_siren"]], how="left",
                          left_on="perimetre_code", right_on="code_insee")
    autres["epci"] = np.where(autres["perimetre_type"] == "EPCI", autres["perimetre_code"],
                              autres["epci_siren"])
    autres["epci"] = autres["epci"].fillna(NV)
    autres = autres[["cid", "epci"]].assign(share=1.0)
    return pd.concat([ok, sans, autres], ignore_index=True)


def _mad(t, annee: int, vue: str, trimestre: int) -> pd.DataFrame:
    m = t["mises_a_disposition"]
    date = pd.to_datetime(m["date_bail"] if vue == "baux" else m["date_mise_a_disposition"])
    garder = (date.dt.year == annee) & (date.dt.quarter <= trimestre)
    if vue == "baux":
        garder &= m["issue"] == "BAIL_SIGNE"
    m = m[garder.fillna(False)].copy()
    m["q"] = date[garder.fillna(False)].dt.quarter.to_numpy()
    m = _placer(m, _communes(t))
    m["epci"] = m["epci_siren"].fillna(NV)
    return m


def _rattacher(m: pd.DataFrame, c: pd.DataFrame) -> pd.Series:
    """cid of the most specific covering convention (NaN when none)."""
    flux_mad = m[m["categorie"] == "FLUX"]
    res = pd.Series(np.nan, index=flux_mad.index)
    for type_p, col in (("DEPARTEMENT", "departement"), ("EPCI", "epci_siren"),
                        ("COMMUNE", "code_insee")):  # least specific first: later ones win
        k = c[c["perimetre_type"] == type_p][
            ["bailleur_code", "reservataire_code", "perimetre_code", "cid"]
        ].drop_duplicates(["bailleur_code", "reservataire_code", "perimetre_code"])
        j = flux_mad[["bailleur_code", "reservataire_code", col]].reset_index().merge(
            k, left_on=["bailleur_code", "reservataire_code", col],
            right_on=["bailleur_code", "reservataire_code", "perimetre_code"], how="inner",
        ).set_index("index")["cid"]
        res.loc[j.index] = j
    return res


def bilan_pandas(t, annee: int, trimestre: int, par: str, vue: str = "mad") -> pd.DataFrame:
    c = droits(t, annee)
    m = _mad(t, annee, vue, trimestre)
    m_dates = _mad(t, annee, "mad", trimestre) if vue == "baux" else m
    fraction = 0.25 if par == "trimestre" else trimestre / 4.0

    # conventions' attributes, and the réservataires' types for the MAD without convention
    tout = t["conventions"]
    comptes = tout.groupby(["reservataire_code", "annee", "type_reservataire"]).size().rename(
        "n").reset_index().sort_values(["reservataire_code", "annee", "n", "type_reservataire"],
                                       ascending=[True, False, False, True])
    type_de = comptes.drop_duplicates("reservataire_code").set_index("reservataire_code")[
        "type_reservataire"]
    if "reservataires" in t:   # the referential of réservataires first (DOMAIN §3.6, §4.3)
        referentiel = t["reservataires"].set_index("reservataire_code")["type_reservataire"]
        type_de = pd.concat([referentiel, type_de[~type_de.index.isin(referentiel.index)]])

    def evenements(mm: pd.DataFrame) -> pd.DataFrame:
        fl = mm[mm["categorie"] == "FLUX"].copy()
        fl["cid"] = _rattacher(mm, c)
        fl["reservataire_code"] = fl["reservataire_code"].fillna("NON_RENSEIGNE")
        attrs = c.set_index("cid")
        avec = fl["cid"].notna()
        fl["type"] = fl["reservataire_code"].map(type_de).fillna("INCONNU")
        fl.loc[avec, "type"] = attrs.loc[fl.loc[avec, "cid"], "type_reservataire"].to_numpy()
        fl.loc[avec, "departement"] = attrs.loc[fl.loc[avec, "cid"], "departement"].to_numpy()
        fl["part"] = False
        fl.loc[avec, "part"] = attrs.loc[fl.loc[avec, "cid"], "part"].to_numpy()
        return fl

    ev = evenements(m)
    ev_dates = evenements(m_dates) if vue == "baux" else ev

    def cle_conv(df: pd.DataFrame) -> pd.Series:
        return {
            "reservataire": df["reservataire_code"],
            "type_reservataire": df["type_reservataire"] if "type_reservataire" in df else None,
            "bailleur": df["bailleur_code"],
            "departement": df["departement"],
        }.get(par)

    # droits per key
    if par == "epci":
        v = _ventilation(t, annee, c).merge(c, on="cid")
        v["d"] = v["droits"] * v["share"]
        v["f"] = v["flux_annuel"] * v["share"]
        droits_k = v.assign(cle=v["epci"])
    elif par == "trimestre":
        droits_k = pd.concat([c.assign(cle=f"{annee}-T{q}") for q in range(1, trimestre + 1)])
        droits_k = droits_k.assign(d=droits_k["droits"], f=droits_k["flux_annuel"])
    else:
        droits_k = c.assign(cle=cle_conv(c), d=c["droits"], f=c["flux_annuel"])
    droits_k = droits_k.reset_index(drop=True)
    droits_k["d_part"] = droits_k["d"].where(droits_k["part"], 0.0)
    droits_k["f_part"] = droits_k["f"].where(droits_k["part"], 0.0)
    g_d = droits_k.groupby("cle").agg(
        droits=("d", "sum"),
        a_connus=("connus", "any"),
        droits_part=("d_part", "sum"),
        flux_part=("f_part", "sum"),
    )

    def cle_ev(df: pd.DataFrame) -> pd.Series:
        if par == "epci":
            return df["epci"]
        if par == "trimestre":
            return str(annee) + "-T" + df["q"].astype(str)
        if par == "type_reservataire":
            return df["type"]
        return {"reservataire": df["reservataire_code"], "bailleur": df["bailleur_code"],
                "departement": df["departement"]}[par]

    ev = ev.assign(cle=cle_ev(ev))
    ev_dates = ev_dates.assign(cle=cle_ev(ev_dates))
    ev["avec"] = ev["cid"].notna()
    ev["bail"] = ev["issue"] == "BAIL_SIGNE"
    g_e = ev.groupby("cle").agg(
        mad=("cid", "size"), mad_part=("part", "sum"), touche=("avec", "any"), baux=("bail", "sum")
    )
    ev_dates = ev_dates.assign(chute=ev_dates["issue"].isin(CHUTES),
                               en_cours=ev_dates["issue"] == "EN_COURS")
    g_c = ev_dates.groupby("cle").agg(
        n=("cid", "size"), chute=("chute", "sum"), en_cours=("en_cours", "sum")
    )
    # denominators of part_reelle: MAD FLUX or NON_RESERVE of the bailleur in each perimeter
    dans = m[m["categorie"].isin(["FLUX", "NON_RESERVE"])]
    cp = c[c["part"]]
    morceaux = []
    for type_p, col in (("DEPARTEMENT", "departement"), ("EPCI", "epci_siren"),
                        ("COMMUNE", "code_insee")):
        j = cp[cp["perimetre_type"] == type_p].merge(
            dans[["bailleur_code", col, "epci", "q"]].rename(columns={col: "zone"}),
            left_on=["bailleur_code", "perimetre_code"], right_on=["bailleur_code", "zone"],
        )
        morceaux.append(j)
    den = pd.concat(morceaux, ignore_index=True)
    if par == "epci":
        den["cle"] = den["epci"]
    elif par == "trimestre":
        den["cle"] = str(annee) + "-T" + den["q"].astype(str)
    else:
        den["cle"] = cle_conv(den)
    g_n = den.groupby("cle").size().rename("denom")
    g_touche = pd.concat([droits_k[["cle"]], den[["cle"]]]).drop_duplicates().assign(t=True)

    r = g_d.join(g_e, how="outer").join(g_c, how="outer").join(g_n, how="outer")
    r = r.join(g_touche.set_index("cle"), how="left")
    for col in ("mad", "mad_part", "baux", "n", "chute", "en_cours", "denom"):
        r[col] = r[col].fillna(0)
    touche = r["t"].fillna(False).astype(bool) | r["touche"].fillna(False).astype(bool)
    inconnus = touche & ~r["a_connus"].fillna(False).astype(bool)
    r["droits_annuels"] = np.where(inconnus, np.nan, r["droits"].fillna(0.0))
    r["droits_prevus"] = r["droits_annuels"] * fraction
    r["mises_a_disposition"] = r["mad"].astype(int)
    r["ecart"] = r["mad"] - r["droits_prevus"]
    with np.errstate(divide="ignore", invalid="ignore"):
        r["taux_realisation"] = np.where(r["droits_prevus"] > 0, r["mad"] / r["droits_prevus"],
                                         np.nan)
        r["baux_signes"] = (r["mad"] if vue == "baux" else r["baux"]).astype(int)
        d = r["n"] - r["en_cours"]
        r["taux_chute"] = np.where(d != 0, r["chute"] / d, np.nan)
        r["part_prevue"] = np.where(r["flux_part"] > 0, r["droits_part"] / r["flux_part"], np.nan)
        r["part_reelle"] = np.where(r["denom"] > 0, r["mad_part"] / r["denom"], np.nan)
    r = r.reset_index().rename(columns={"index": "cle"})
    return r[["cle", "droits_annuels", "droits_prevus", "mises_a_disposition", "ecart",
              "taux_realisation", "baux_signes", "taux_chute", "part_prevue", "part_reelle"]]
