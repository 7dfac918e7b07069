"""The command line ``python -m dashboard``: one sub-command module per family of commands.

Each module of ``COMMAND_MODULES`` exposes ``register(subparsers)``, which adds its sub-commands
with ``set_defaults(func=handler)``; a handler takes the parsed arguments and returns the exit
status. Exit status 2 is a usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# The module of each command: only the module of the command run is imported (an import does
# not pay for pandas' formatting, the charts and plotly); help and usage errors import them all.
COMMANDES = {
    "init": "dashboard.commands.donnees",
    "import": "dashboard.commands.donnees",
    "imports": "dashboard.commands.donnees",
    "rollback": "dashboard.commands.donnees",
    "reservataires": "dashboard.commands.reservataires",
    "correspondances": "dashboard.commands.reservataires",
    "bilan": "dashboard.commands.bilans",
    "hors-flux": "dashboard.commands.bilans",
    "controles": "dashboard.commands.bilans",
    "signatures": "dashboard.commands.signatures",
    "export": "dashboard.commands.exports",
    "orienter": "dashboard.commands.orientation",
    "detail": "dashboard.commands.detail",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDES.values()))


# argparse's own messages, in French (argparse looks its strings up through `argparse._`).
_TRADUCTIONS = {
    "usage: ": "utilisation : ",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "expected one argument": "une valeur est attendue",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "show this help message and exit": "affiche cette aide et quitte",
    "positional arguments": "arguments",
    "options": "options",
    "one of the arguments %s is required": "l'un de ces arguments est obligatoire : %s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ambiguous option: %(option)s could match %(matches)s":
        "option ambiguë : %(option)s peut désigner %(matches)s",
}
_gettext_argparse = argparse._


def _traduire(message: str) -> str:
    return _TRADUCTIONS.get(message, _gettext_argparse(message))


argparse._ = _traduire


class _FrenchParser(argparse.ArgumentParser):
    """argparse with its usage errors in French (exit status 2 kept)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur d'utilisation : {message}\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the command `argv` names (its first word)."""
    parser = _FrenchParser(
        prog="python -m dashboard",
        description="Gestion en flux des réservations de logements sociaux : données et bilans.",
    )
    sub = parser.add_subparsers(dest="commande", metavar="COMMANDE", parser_class=_FrenchParser)
    sub.required = True
    premier = next((a for a in (argv or []) if not a.startswith("-")), None)
    modules = [COMMANDES[premier]] if premier in COMMANDES else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:      # output piped into `head`: not an error
        sys.stderr.close()
        return 0
