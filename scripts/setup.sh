#!/usr/bin/env bash
# Set the project up: .venv with Odoo 19 (from ODOO_SRC, /opt/odoo-19.0 or Odoo's
# git repository), its Python requirements, the pinned PyPI dependencies
# (requirements-dev.txt) and a reachable PostgreSQL server. Idempotent.
source "$(dirname "$0")/lib.sh"

command -v "${PYTHON:-python3}" >/dev/null || die "No Python 3 found: install python3 (3.10 to 3.12) or set PYTHON."
pyver=$("${PYTHON:-python3}" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$pyver" in
    3.10|3.11|3.12) ;;
    *) die "Odoo 19 needs Python 3.10 to 3.12; ${PYTHON:-python3} is $pyver. Set PYTHON to one of those." ;;
esac

src=$(find_odoo_src)
say "Odoo source: $src"

if [ ! -x "$VENV/bin/python" ]; then
    say "Creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV" || die "Could not create a virtual environment: install python3-venv."
fi
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }

stamp="$VENV/.setup-stamp"
want="$(cat "$src/requirements.txt" "$ROOT"/requirements-*.txt | sha1sum | cut -c1-12) $src"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing Odoo's Python requirements"
    # Odoo pins cbor2 5.4.2 for Python < 3.12, whose sdist no longer builds:
    # 5.6.x is API compatible. psycopg2-binary avoids compiling against libpq.
    # python-ldap (auth_ldap only) needs the LDAP headers and is left out.
    sed -e 's/^cbor2==5\.4\.2.*/cbor2==5.6.5 ; python_version < "3.12"/' \
        -e 's/^psycopg2==/psycopg2-binary==/' \
        -e '/^python-ldap/d' \
        "$src/requirements.txt" >"$VENV/odoo-requirements.txt"
    pip install --upgrade "pip>=24" "setuptools>=68,<81" wheel
    pip install -r "$VENV/odoo-requirements.txt" ||
        die "Installing Odoo's requirements failed (see above): PyPI must be reachable."
    say "Installing Odoo 19 from $src (editable, no dependency resolution)"
    pip install --no-deps --no-build-isolation -e "$src" --config-settings editable_mode=compat ||
        die "Installing Odoo from $src failed."
    say "Installing the pinned PyPI dependencies (requirements-dev.txt, requirements-oca.txt)"
    # Odoo's pins constrain the tools, so that nothing upgrades Odoo's libraries.
    pip install -r "$ROOT/requirements-dev.txt" -c "$VENV/odoo-requirements.txt" ||
        die "Installing requirements-dev.txt failed (see above): PyPI must be reachable."
    pip install --no-deps -r "$ROOT/requirements-oca.txt" ||
        die "Installing requirements-oca.txt failed (see above): PyPI must be reachable."
    echo "$src" >"$VENV/.odoo_src"
    echo "$want" >"$stamp"
else
    say "Python environment up to date"
fi

# Debian packages the tests need, installed only when missing: Chromium for
# the browser tours (without it Odoo skips them).
if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "Installing Debian's chromium (browser tests)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
            die "Installing chromium failed: apt-get install chromium by hand."
    else
        say "WARNING: chromium is missing: the browser tests need it (apt-get install chromium)."
    fi
fi

ensure_postgres
say "PostgreSQL reachable (${PGHOST:-local socket})"
say "Set-up done. Odoo: $VENV/bin/odoo, addons path: $(addons_path)"
