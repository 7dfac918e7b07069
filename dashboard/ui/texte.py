"""Text that comes from users' files, shown inside a Markdown body without being interpreted.

Streamlit escapes HTML in `st.markdown`, `st.caption`, `st.error`…, but Markdown itself (links,
bold, images), GitHub autolinks and Streamlit's own directives (``:red[…]``, ``:emoji:``,
``$LaTeX$``) still apply. Every value that comes from an imported file (a header, a sheet name,
a bailleur's or réservataire's name, a message quoting a cell) goes through `texte_brut` before
it is put in such a body.
"""

from __future__ import annotations

import re

# What Markdown, HTML, GFM autolinks or Streamlit (:red[…], :emoji:, $LaTeX$) would interpret
# in a text: these signs, a colon glued to what follows (https://…) and the dot of "www.".
# French punctuation (« … » : ; ( ) , . -) is left as it is.
_SIGNES = re.compile(r"[\\`*_\[\]<>|#~$@]|:(?=\S)|(?<=[wW]{3})\.")


def texte_brut(texte: object) -> str:
    """The text on one line, every sign Markdown or Streamlit would interpret escaped."""
    une_ligne = " ".join(str(texte).splitlines())
    return _SIGNES.sub(lambda m: "\\" + m.group(0), une_ligne)
