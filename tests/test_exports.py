"""Exports of a table: CSV for French Excel and .xlsx, with formula injection neutralised."""

import io
from datetime import date

import numpy as np
import openpyxl
import pandas as pd

from dashboard.exports import csv_excel, neutraliser, xlsx


def _table():
    return pd.DataFrame({
        "cle": ["ALS", "=HYPERLINK(\"http://x\")"],
        "libelle": ["Action Logement Services", "@SUM(A1)"],
        "droits_prevus": [1234.5, np.nan],
        "mises_a_disposition": [1000, 3],
        "taux_realisation": [0.81, np.nan],
        "date_signature": pd.to_datetime([date(2025, 6, 30), None]),
    })


def test_csv_pour_excel_francais():
    contenu = csv_excel(_table())
    assert contenu.startswith(b"\xef\xbb\xbf")            # UTF-8 with BOM
    lignes = contenu.decode("utf-8-sig").splitlines()
    assert lignes[0] == "cle;libelle;droits_prevus;mises_a_disposition;taux_realisation;date_signature"
    assert lignes[1] == "ALS;Action Logement Services;1234,5;1000;0,81;30/06/2025"
    # Formula-looking cells get a leading apostrophe; undefined values stay empty (not 0).
    assert lignes[2] == "\"'=HYPERLINK(\"\"http://x\"\")\";'@SUM(A1);;3;;"


def test_neutraliser_chaque_debut_dangereux():
    for debut in ("=", "+", "-", "@", "\t", "\r"):
        assert neutraliser(f"{debut}1+1") == f"'{debut}1+1"
    assert neutraliser("Marseille") == "Marseille"
    assert neutraliser(-3) == -3                            # numbers are not text


def test_xlsx_nombres_dates_en_tetes_et_injection():
    classeur = openpyxl.load_workbook(io.BytesIO(xlsx({"Bilan": _table()})))
    ws = classeur["Bilan"]
    assert [c.value for c in ws[1]] == ["Clé", "Libellé", "Droits prévus", "Mises à disposition",
                                        "Taux de réalisation", "Date de signature"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"
    assert ws["C2"].value == 1234.5 and ws["C2"].data_type == "n"
    assert ws["D2"].value == 1000
    assert ws["E2"].value == 0.81 and ws["E2"].number_format == "0.0%"
    assert ws["F2"].is_date and ws["F2"].value.date() == date(2025, 6, 30)
    assert ws["C3"].value is None and ws["E3"].value is None
    assert ws["A3"].value == "'=HYPERLINK(\"http://x\")"
    assert ws["B3"].value == "'@SUM(A1)"


def test_xlsx_en_tetes_donnes_par_la_page():
    df = pd.DataFrame({"cle": ["OLS1"], "mises_a_disposition": [3], "libelle": ["T2"]})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx(
        {"Bilan": df}, en_tetes={"cle": "Bailleur", "libelle": "QPV / hors QPV"})))["Bilan"]
    assert [c.value for c in ws[1]] == ["Bailleur", "Mises à disposition", "QPV / hors QPV"]
