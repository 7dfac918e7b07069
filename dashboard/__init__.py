"""Gestion en flux: the core of the dashboard (store, metrics, charts, exports, command line).

Nothing in this package imports Streamlit except the modules under ``dashboard.ui``.
"""
