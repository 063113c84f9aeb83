# shellcheck shell=bash
# Shared settings for the project's scripts. Source it; do not run it.
#
# Environment variables a user may set:
#   ODOO_SRC   an Odoo 19.0 community source tree (the folder holding odoo-bin).
#              Default: /opt/odoo-19.0, else a shallow clone of Odoo's official
#              repository (branch 19.0) into .cache/odoo-19.0 of this project.
#   PYTHON     the Python 3.10-3.12 interpreter to build .venv with (default python3).
#   PGHOST, PGPORT, PGUSER  where PostgreSQL runs (default: the local unix socket).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
CACHE="$ROOT/.cache"
ODOO_DEFAULT_SRC="/opt/odoo-19.0"
ODOO_GIT_URL="https://github.com/odoo/odoo.git"
ADDON="topgeschenken_oci"
# Odoo core and OCA modules the addon needs, installed without their tests.
ADDON_DEPENDS="purchase,account_edi_ubl_cii,purchase_edi_ubl_bis3,purchase_request,queue_job"
# Installed beside the dependencies for the tests only: a Dutch company (l10n_nl)
# is what the tests book in.
TEST_EXTRA_MODULES="l10n_nl"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

is_odoo19_src() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] &&
        grep -q "^version_info = (19, 0," "$1/odoo/release.py"
}

# Print the Odoo source tree to use, fetching it only as the last resort.
find_odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo19_src "$ODOO_SRC" ||
            die "ODOO_SRC=$ODOO_SRC is not an Odoo 19.0 source tree (no odoo-bin or odoo/release.py of 19.0)."
        echo "$ODOO_SRC"
        return
    fi
    for candidate in "$ODOO_DEFAULT_SRC" "$CACHE/odoo-19.0"; do
        if is_odoo19_src "$candidate"; then
            echo "$candidate"
            return
        fi
    done
    say "No Odoo 19.0 source in \$ODOO_SRC or $ODOO_DEFAULT_SRC: cloning $ODOO_GIT_URL (19.0, shallow)"
    mkdir -p "$CACHE"
    if ! git clone --quiet --depth 1 --branch 19.0 "$ODOO_GIT_URL" "$CACHE/odoo-19.0.part" >&2; then
        rm -rf "$CACHE/odoo-19.0.part"
        die "No Odoo 19.0 source found and Odoo's git repository cannot be reached: set ODOO_SRC to an Odoo 19.0 community source tree (or put one in $ODOO_DEFAULT_SRC) and run again."
    fi
    mv "$CACHE/odoo-19.0.part" "$CACHE/odoo-19.0"
    echo "$CACHE/odoo-19.0"
}

# PostgreSQL: the running server, else a private cluster in .cache/pgdata.
PRIVATE_PG="$CACHE/pgdata"
pg_env() {
    if [ -f "$PRIVATE_PG/PG_VERSION" ] && [ -z "${PGHOST:-}" ]; then
        export PGHOST="$CACHE/pgrun" PGPORT="${PGPORT:-5432}"
    fi
}
pg_up() { pg_env; pg_isready -q >/dev/null 2>&1; }

ensure_postgres() {
    command -v pg_isready >/dev/null ||
        die "PostgreSQL client tools are missing: install Debian's postgresql package (apt-get install postgresql)."
    if pg_up; then return; fi
    # A Debian cluster that is merely stopped: start it.
    if command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null)" ] && [ -z "${PGHOST:-}" ]; then
        say "Starting the local PostgreSQL cluster"
        pg_lsclusters -h | while read -r ver name _; do
            pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
        done
        sleep 2
        if pg_up; then ensure_pg_role; return; fi
    fi
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bindir" ] || die "No PostgreSQL server is reachable and none is installed: apt-get install postgresql, or set PGHOST/PGPORT to a running server."
    say "No PostgreSQL server reachable: starting a private cluster in $PRIVATE_PG"
    mkdir -p "$PRIVATE_PG" "$CACHE/pgrun"
    local as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PRIVATE_PG" "$CACHE/pgrun"
        as=(runuser -u postgres --)
    fi
    if [ ! -f "$PRIVATE_PG/PG_VERSION" ]; then
        "${as[@]}" "$bindir/initdb" -D "$PRIVATE_PG" -A trust -U postgres >/dev/null
    fi
    "${as[@]}" "$bindir/pg_ctl" -D "$PRIVATE_PG" -l "$CACHE/pg.log" -w \
        -o "-k $CACHE/pgrun -c listen_addresses=''" start >/dev/null
    export PGHOST="$CACHE/pgrun"
    ensure_pg_role
}

ensure_pg_role() {
    local me
    me=$(id -un)
    if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
        psql -U postgres -d postgres -qc "create role \"$me\" superuser login" >/dev/null 2>&1 || true
    fi
    psql -d postgres -tAc "select 1" >/dev/null 2>&1 ||
        die "PostgreSQL runs but role $(id -un) cannot connect: create it (createuser -s $(id -un)) or set PGUSER."
}

odoo_py() { "$VENV/bin/python" "$@"; }

# The addons path: Odoo's own, then this repository (OCA addons installed with
# pip are found through the odoo.addons namespace).
addons_path() {
    local src
    src=$(cat "$VENV/.odoo_src")
    echo "$src/addons,$src/odoo/addons,$ROOT"
}

# Write an Odoo configuration file for this project to $1; extra "key = value"
# lines may follow as arguments.
write_odoo_conf() {
    local file=$1
    shift
    {
        echo "[options]"
        echo "addons_path = $(addons_path)"
        [ -z "${PGHOST:-}" ] || echo "db_host = $PGHOST"
        [ -z "${PGPORT:-}" ] || echo "db_port = $PGPORT"
        [ -z "${PGUSER:-}" ] || echo "db_user = $PGUSER"
        echo "http_interface = 127.0.0.1"
        echo "list_db = False"
        echo "data_dir = $CACHE/odoo-data"
        for line in "$@"; do echo "$line"; done
    } >"$file"
}
