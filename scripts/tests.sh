#!/usr/bin/env bash
# The README's test command: install what the tests need, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser test (tests/test_navigateur.py) drives Debian's Chromium through Playwright; no
# browser is ever downloaded by Playwright. Installed once, quietly (its log shown on failure).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    journal="$(mktemp)"
    echo "Installation de chromium et chromium-driver (apt)…" >&2
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
               --no-install-recommends chromium chromium-driver; } >"$journal" 2>&1; then
        cat "$journal" >&2
        rm -f "$journal"
        echo "Échec de l'installation de chromium (apt-get) : voir ci-dessus." >&2
        exit 1
    fi
    rm -f "$journal"
fi

python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The code first: lint (ruff.toml) must be clean.
python3 -m ruff check --quiet .
python3 -m pytest -n 2 "$@"
