"""Text from users' files is escaped before it goes into a Markdown body."""

from dashboard.ui.texte import texte_brut


def test_markdown_et_liens_echappes():
    assert texte_brut("[clic](https://attaquant.example/)") == \
        r"\[clic\](https\://attaquant.example/)"
    assert texte_brut("**urgent** __Gras__") == r"\*\*urgent\*\* \_\_Gras\_\_"
    assert texte_brut("<script>alert(1)</script>") == r"\<script\>alert(1)\</script\>"
    assert texte_brut(":red[alerte] $x$ www.exemple.example") == \
        r"\:red\[alerte\] \$x\$ www\.exemple.example"


def test_ponctuation_francaise_intacte_et_une_seule_ligne():
    assert texte_brut("Office « Habitat 13 » : 12,5 % ; (T1).") == \
        "Office « Habitat 13 » : 12,5 % ; (T1)."
    assert texte_brut("ligne 1\nligne 2\r\nligne 3") == "ligne 1 ligne 2 ligne 3"
    assert texte_brut(42) == "42"
