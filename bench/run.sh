#!/usr/bin/env bash
# recmock's benchmark (BENCHMARKS.md): installs the peers it compares against into
# bench/.cache, builds recmock and the load tools, and runs bench/benchrun, which prints the
# table of figures and ratios. Arguments go to benchrun (e.g. --only http,start --rounds 5).
#
# Overrides: PRISM=/path/to/prism MAILPIT=/path/to/mailpit use existing installs.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION=5.14.2   # @stoplight/prism-cli, the newest 5.x
MAILPIT_VERSION=v1.33.1
CACHE=bench/.cache
mkdir -p "$CACHE/bin"

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_need=()
command -v wrk >/dev/null 2>&1 || apt_need+=(wrk)
# PostgreSQL's server binaries, for the durable section's throw-away cluster.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || apt_need+=(postgresql)
if [ -z "${PRISM:-}" ] && ! command -v npm >/dev/null 2>&1; then apt_need+=(nodejs npm); fi
if [ ${#apt_need[@]} -gt 0 ]; then
  echo "== apt-get install ${apt_need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_need[@]}"
fi

if [ -z "${PRISM:-}" ]; then
  PRISM="$CACHE/node_modules/.bin/prism"
  if [ ! -x "$PRISM" ] || [ "$("$PRISM" --version 2>/dev/null)" != "$PRISM_VERSION" ]; then
    echo "== npm install @stoplight/prism-cli@$PRISM_VERSION into $CACHE" >&2
    npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION" >&2
  fi
fi
mailpit_desc="mailpit at ${MAILPIT:-}"
if [ -z "${MAILPIT:-}" ]; then
  MAILPIT="$CACHE/bin/mailpit"
  mailpit_desc="mailpit $MAILPIT_VERSION"
  if [ ! -x "$MAILPIT" ] || [ "$(cat "$CACHE/bin/mailpit.version" 2>/dev/null)" != "$MAILPIT_VERSION" ]; then
    echo "== go install github.com/axllent/mailpit@$MAILPIT_VERSION into $CACHE/bin" >&2
    GOBIN="$PWD/$CACHE/bin" go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
    echo "$MAILPIT_VERSION" > "$CACHE/bin/mailpit.version"
  fi
fi

echo "== go build recmock and bench/..." >&2
go build -o "$CACHE/bin/recmock" ./cmd/recmock
for t in bare receiver smtpload benchrun; do
  go build -o "$CACHE/bin/$t" "./bench/$t"
done
rm -f "$CACHE/bin/recmocktest.test"
if [ -d recmocktest ]; then go test -c -o "$CACHE/bin/recmocktest.test" ./recmocktest; fi

peers="$(go version | cut -d' ' -f3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), prism $("$PRISM" --version), $mailpit_desc, Node $(node --version 2>/dev/null || echo '?'), $(uname -sr)"
echo "== $peers" >&2
exec "$CACHE/bin/benchrun" -recmock "$CACHE/bin/recmock" -bare "$CACHE/bin/bare" \
  -receiver "$CACHE/bin/receiver" -smtpload "$CACHE/bin/smtpload" -recmocktest "$CACHE/bin/recmocktest.test" \
  -prism "$PRISM" -mailpit "$MAILPIT" -peers "$peers" "$@"
