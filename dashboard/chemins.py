"""Where the project's own files are: its root, the reference data shipped with it (communes,
EPCI, départements, régions, map outlines) and the sample data. Depends on nothing, so that the
store, the referentials and the maps all read their paths from one place."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
REFERENCE_DIR = SAMPLE_DIR / "reference"
STATIC_DIR = PROJECT_ROOT / "static"          # served by Streamlit at app/static/
