#!/usr/bin/env bash
# Linters, as OCA's pre-commit runs them: ruff (lint and format check) and
# pylint-odoo with OCA's mandatory checks. Offline: the tools come from .venv.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ -x "$VENV/bin/ruff" ] || die "The project is not set up: run scripts/setup.sh first."
say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "pylint-odoo (OCA mandatory checks)"
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory --score=n "$ADDON"
say "wheel (whool)"
rm -rf "$CACHE/dist"
"$VENV/bin/python" -m pip wheel -q --no-deps --no-build-isolation "./$ADDON" -w "$CACHE/dist"
ls "$CACHE"/dist/odoo_addon_topgeschenken_oci-*.whl
say "lint passed"
