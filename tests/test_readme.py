"""The README's commands exist, and its Déploiement section says what an operator needs."""

import re
from pathlib import Path

from dashboard import cli

RACINE = Path(__file__).resolve().parent.parent
README = (RACINE / "README.md").read_text(encoding="utf-8")


def _sous_commandes() -> set[str]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "commande")
    return set(action.choices)


def test_chaque_commande_du_readme_existe():
    citees = set(re.findall(r"python3? -m dashboard ([a-z-]+)", README))
    assert {"init", "import", "rollback", "bilan", "export", "orienter", "signatures"} <= citees
    assert citees <= _sous_commandes()


def test_section_deploiement():
    section = README.split("## Déploiement", 1)[1].split("\n## ", 1)[0]
    for attendu in (".streamlit/secrets.toml", "[auth]", "roles.exemple.toml", "FLUX_DB",
                    "data/flux.duckdb", "Sauvegarde", "enableXsrfProtection", "maxUploadSize"):
        assert attendu in section, attendu
    assert (RACINE / "roles.exemple.toml").is_file()
