"""Every staging and intermediate SQL model has its own unit-test file in tests/modeles/,
``test_<model>.py``, whose docstring names the model it tests."""

from pathlib import Path

from dashboard.metrics.modeles import SQL_DIR

DOSSIER = Path(__file__).resolve().parent


def test_chaque_modele_stg_et_int_a_son_fichier_de_tests():
    modeles = sorted(f.stem for f in SQL_DIR.glob("*.sql")
                     if f.stem.startswith(("stg_", "int_")))
    assert "int_mad_rattachees" in modeles and "stg_parc" in modeles
    sans_test = [m for m in modeles if not (DOSSIER / f"test_{m}.py").is_file()]
    assert not sans_test, f"modèles sans fichier de tests : {sans_test}"
    for m in modeles:
        texte = (DOSSIER / f"test_{m}.py").read_text(encoding="utf-8")
        assert texte.startswith(f'"""Model ``{m}``'), f"test_{m}.py ne nomme pas {m}"
