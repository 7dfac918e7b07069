"""The command line's own usage errors are in French (argparse's messages translated)."""

import pytest

from dashboard import cli


def _erreur(capsys, *args) -> str:
    parser = cli._FrenchParser(prog="essai")
    groupe = parser.add_mutually_exclusive_group(required=True)
    groupe.add_argument("--reservataire")
    groupe.add_argument("--tous", action="store_true")
    with pytest.raises(SystemExit) as sortie:
        parser.parse_args(list(args))
    assert sortie.value.code == 2
    return capsys.readouterr().err


def test_arguments_exclusifs_en_francais(capsys):
    err = _erreur(capsys, "--reservataire", "ETAT-13", "--tous")
    assert "essai : erreur d'utilisation : argument --tous : incompatible avec l'argument " \
           "--reservataire" in err
    assert "utilisation : essai" in err


def test_un_argument_obligatoire_parmi_plusieurs(capsys):
    err = _erreur(capsys)
    assert "l'un de ces arguments est obligatoire : --reservataire --tous" in err


def test_commande_inconnue(capsys):
    with pytest.raises(SystemExit) as sortie:
        cli.main(["exporter-tout"])
    assert sortie.value.code == 2
    assert "choix invalide : 'exporter-tout'" in capsys.readouterr().err
