#!/usr/bin/env bash
# Install the pgvector extension into the local PostgreSQL server so that
# `CREATE EXTENSION vector` works.
#
# Debian 12 (bookworm) ships no pgvector package, so the extension is built
# from the pgvector source package of the next Debian release (trixie). The
# source is fetched with a throw-away apt configuration (its own sources file,
# package lists and caches under a temporary directory) built from the
# machine's own Debian mirror entry, so the machine's apt sources and package
# lists are left exactly as they were and no newer-release binary package can
# ever be installed or upgraded by it.
#
# Idempotent: when vector.control already exists for the server's major
# version, the script prints a line and exits 0 immediately.
#
# Optional overrides (environment):
#   PG_MAJOR              PostgreSQL major version (default: detected, else 15)
#   PGVECTOR_APT_URI      Debian mirror URI (default: taken from apt sources)
#   PGVECTOR_SOURCE_SUITE Debian suite to take the source from (default: the
#                         release after the machine's own)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PSQL_ARGS=(-h 127.0.0.1 -U postgres -d test)

# --- PostgreSQL major version: running server, then /etc/postgresql, then 15.
detect_pg_major() {
  local num dir
  if num=$(psql "${PSQL_ARGS[@]}" -XAtc 'SHOW server_version_num' 2>/dev/null) \
     && [[ "$num" =~ ^[0-9]+$ ]]; then
    echo $((num / 10000)); return
  fi
  dir=$(ls -1 /etc/postgresql 2>/dev/null | grep -E '^[0-9]+$' | sort -n | tail -n1 || true)
  echo "${dir:-15}"
}
PGV="${PG_MAJOR:-$(detect_pg_major)}"
CONTROL="/usr/share/postgresql/${PGV}/extension/vector.control"

# --- Fast path: already installed.
if [[ -f "$CONTROL" ]]; then
  echo "pgvector already installed for PostgreSQL ${PGV} (${CONTROL})"
  exit 0
fi

echo "Installing pgvector for PostgreSQL ${PGV}..."

# Everything noisy goes to LOG, which is printed if the script fails.
LOG=$(mktemp /tmp/install-pgvector.XXXXXX.log)
WORK=$(mktemp -d /tmp/install-pgvector.XXXXXX)
on_exit() {
  local rc=$?
  rm -rf "$WORK"
  if [[ $rc -ne 0 ]]; then
    echo "install-pgvector: FAILED (exit $rc); log follows:" >&2
    cat "$LOG" >&2 || true
  else
    rm -f "$LOG"
  fi
  exit "$rc"
}
trap on_exit EXIT

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo -n"; fi

# --- Build tools and server headers from the machine's own apt sources.
$SUDO apt-get update >>"$LOG" 2>&1

# If a binary package is available (e.g. on a newer Debian), just use it.
candidate=$(apt-cache policy "postgresql-${PGV}-pgvector" 2>/dev/null \
  | awk '/Candidate:/ {print $2}')
if [[ -n "$candidate" && "$candidate" != "(none)" ]]; then
  echo "Installing binary package postgresql-${PGV}-pgvector ${candidate}"
  $SUDO apt-get install -y -q --no-install-recommends \
    "postgresql-${PGV}-pgvector" </dev/null >>"$LOG" 2>&1
else
  $SUDO apt-get install -y -q --no-install-recommends \
    "postgresql-server-dev-${PGV}" build-essential dpkg-dev </dev/null >>"$LOG" 2>&1

  # --- Find the machine's main Debian mirror entry: a "deb" entry whose suites
  # include the release codename itself (not -updates / -security). Prints
  # "URI KEYRING" (KEYRING may be empty). Handles one-line sources.list files
  # and deb822 *.sources files.
  . /etc/os-release
  CODENAME="${VERSION_CODENAME:-bookworm}"
  find_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f "$f" ]] || continue
      awk -v cn="$CODENAME" '
        /^[[:space:]]*deb[[:space:]]/ {
          line = $0; key = ""
          if (match(line, /\[[^]]*\]/)) {
            opts = substr(line, RSTART + 1, RLENGTH - 2)
            if (match(opts, /signed-by=[^ ]+/)) key = substr(opts, RSTART + 10, RLENGTH - 10)
            line = substr(line, 1, index(line, "[") - 1) substr(line, index(line, "]") + 1)
          }
          n = split(line, w, /[[:space:]]+/)
          i = (w[1] == "") ? 2 : 1
          if (w[i + 2] == cn) print w[i + 1], key
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f "$f" ]] || continue
      awk -v cn="$CODENAME" '
        function flush() {
          if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled !~ /^[[:space:]]*no/ \
              && (" " suites " ") ~ (" " cn " ") && uris != "") {
            split(uris, u, /[[:space:]]+/); print u[1], key
          }
          types = uris = suites = key = enabled = ""
        }
        /^[[:space:]]*#/ { next }
        /^[[:space:]]*$/ { flush(); next }
        /^[^[:space:]]/ {
          fld = tolower($0); sub(/:.*/, "", fld)
          val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
          if (fld == "types") types = val
          else if (fld == "uris") uris = val
          else if (fld == "suites") { gsub(/[[:space:]]+/, " ", val); suites = val }
          else if (fld == "signed-by" && val ~ /^\//) key = val
          else if (fld == "enabled") enabled = tolower(val)
        }
        END { flush() }' "$f"
    done
  }
  read -r MIRROR KEYRING < <(find_mirror | grep -v -i security | head -n1 || true) || true
  MIRROR="${PGVECTOR_APT_URI:-${MIRROR:-}}"
  if [[ -z "$MIRROR" ]]; then
    echo "install-pgvector: no Debian mirror for '${CODENAME}' found in apt sources" >>"$LOG"
    exit 1
  fi
  if [[ -z "${KEYRING:-}" && -f /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
    KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
  fi

  # The release after the machine's own, whose pgvector source is used.
  case "$CODENAME" in
    buster) NEXT=bullseye ;; bullseye) NEXT=bookworm ;; bookworm) NEXT=trixie ;;
    trixie) NEXT=forky ;; *) NEXT=trixie ;;
  esac
  NEXT="${PGVECTOR_SOURCE_SUITE:-$NEXT}"
  echo "Fetching pgvector source from ${MIRROR} (${NEXT})"

  # --- Private apt state: a deb-src-only source list for the next release,
  # with its own package lists and caches, so the system apt is not touched.
  mkdir -p "$WORK/etc/sources.list.d" "$WORK/lists/partial" "$WORK/cache/archives/partial" "$WORK/src"
  chmod -R a+rX "$WORK"
  chown _apt "$WORK/lists/partial" "$WORK/src" 2>/dev/null || true
  {
    echo "Types: deb-src"
    echo "URIs: ${MIRROR}"
    echo "Suites: ${NEXT}"
    echo "Components: main"
    if [[ -n "${KEYRING:-}" ]]; then echo "Signed-By: ${KEYRING}"; fi
  } >"$WORK/etc/sources.list.d/pgvector-src.sources"
  APT_PRIVATE=(
    -o Dir::Etc::SourceList=/dev/null
    -o Dir::Etc::SourceParts="$WORK/etc/sources.list.d"
    -o Dir::State::Lists="$WORK/lists"
    -o Dir::Cache="$WORK/cache"
  )
  apt-get "${APT_PRIVATE[@]}" update >>"$LOG" 2>&1
  (cd "$WORK/src" && apt-get "${APT_PRIVATE[@]}" source -q pgvector </dev/null) >>"$LOG" 2>&1

  SRCDIR=$(find "$WORK/src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
  if [[ -z "$SRCDIR" ]]; then
    echo "install-pgvector: pgvector source not found after apt-get source" >>"$LOG"
    exit 1
  fi
  echo "Building $(basename "$SRCDIR")"

  # --- Build and install against the server's own pg_config. OPTFLAGS is
  # emptied to avoid -march=native, so the build runs on any x86-64 CPU.
  PG_CONFIG="/usr/lib/postgresql/${PGV}/bin/pg_config"
  make -C "$SRCDIR" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >>"$LOG" 2>&1
  $SUDO make -C "$SRCDIR" install PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >>"$LOG" 2>&1
fi

if [[ ! -f "$CONTROL" ]]; then
  echo "install-pgvector: ${CONTROL} missing after install" >>"$LOG"
  exit 1
fi

# --- Verify in the running server.
psql "${PSQL_ARGS[@]}" -X -v ON_ERROR_STOP=1 \
  -c 'CREATE EXTENSION IF NOT EXISTS vector; SELECT extversion FROM pg_extension WHERE extname=$$vector$$' \
  </dev/null
echo "pgvector installed for PostgreSQL ${PGV}"
