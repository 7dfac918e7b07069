"""Files people take out of the app.

- ``tableaux``: any table as CSV for French Excel (``csv_excel``) or as an .xlsx workbook
  (``xlsx``), text cells neutralised against formula injection (``neutraliser``);
- ``bilan_annuel``: the yearly bilan owed to each réservataire (CCH R.441-5-1), one workbook, or
  all réservataires at once as a zip;
- ``trimestriel``: the quarterly bilan pack of the club régional: an .xlsx with one sheet per
  axis, and a standalone .html report (plotly.js embedded, nothing loaded from the network);
- ``impression``: that report laid out for paper (``rapport_impression``: A4 landscape, a
  cover, one part per page);
- ``pdf``: that report printed as PDF by the machine's Chromium (DevTools protocol through
  choreographer; network blocked; never downloads a browser);
- ``images``: a chart as PNG (kaleido through Debian's Chromium; never downloads a browser).

``RienAExporter`` (a ``ValueError``): the selection holds nothing to export (French message).
"""

from dashboard.exports.tableaux import DEBUTS_DANGEREUX, RienAExporter, csv_excel, neutraliser, xlsx

__all__ = ["DEBUTS_DANGEREUX", "RienAExporter", "csv_excel", "neutraliser", "xlsx"]
