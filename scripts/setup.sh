#!/usr/bin/env bash
# Idempotent setup: system packages (a browser, Dovecot, Postfix, ...), then the pinned virtual environment in .venv.
# Usage: scripts/setup.sh [test]     # everything the demo and the tests need (make test)
#        scripts/setup.sh demo       # only what `runner.py demo` needs: a browser, Dovecot, .venv with [demo]
set -euo pipefail
MODE="${1:-test}"
case "$MODE" in demo|test) ;; *) echo "setup: unknown mode '$MODE' (demo or test)" >&2; exit 2;; esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
PYTHON="${PYTHON:-python3}"

need_pkgs=()
have_browser() {
  [ -n "${SHOPPER_BROWSER:-}" ] && [ -x "${SHOPPER_BROWSER}" ] && return 0
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium*/chrome-linux*/chrome >/dev/null 2>&1 && return 0
  for b in chromium chromium-browser google-chrome google-chrome-stable; do command -v "$b" >/dev/null 2>&1 && return 0; done
  return 1
}
have_browser || need_pkgs+=(chromium)
# Headless runs use Chromium's old headless shell when present: a quarter of the CPU per page (optional).
if [ -z "${SHOPPER_BROWSER:-}" ] && ! command -v chromium-headless-shell >/dev/null 2>&1 \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  need_pkgs+=(chromium-headless-shell)
fi
[ -x /usr/sbin/dovecot ] || need_pkgs+=(dovecot-imapd dovecot-lmtpd)
if [ "$MODE" = test ]; then   # test-only parts: PostgreSQL, axe-core, real MTAs, Sisimai
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_pkgs+=(postgresql)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)   # axe-core for the report's accessibility test
# Real MTA output in the tests (tests/fixtures/mta.py): Postfix and Pigeonhole Sieve from their packages;
# Exim's binary is unpacked privately below (the exim4 and postfix packages conflict), so only its libraries.
[ -x /usr/sbin/postfix ] || need_pkgs+=(postfix)
[ -e /usr/lib/dovecot/modules/lib90_sieve_plugin.so ] || need_pkgs+=(dovecot-sieve)
for lib in libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libdb5.3 libpcre2-8-0; do
  dpkg -s "$lib" >/dev/null 2>&1 || need_pkgs+=("$lib")
done
# Sisimai, the anchor of bench/classify_accuracy.py, is Perl.
perl -MJSON -e1 2>/dev/null || need_pkgs+=(libjson-perl)
perl -MClass::Accessor::Lite -e1 2>/dev/null || need_pkgs+=(libclass-accessor-lite-perl)
fi
exim_dir="$here/.venv/exim4"

apt_updated=0
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${need_pkgs[*]}"
    apt-get update -q >/dev/null
    apt_updated=1
    # Postfix installed as a program only: no system mail server configured, none listening on port 25.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
    # The packages start a system Dovecot/PostgreSQL/Postfix we do not use; tests start their own.
    for svc in dovecot postgresql postfix; do
      (systemctl disable --now "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true)
    done
  else
    echo "setup: missing system packages: ${need_pkgs[*]}" >&2
    echo "setup: run as root: apt-get update && apt-get install -y ${need_pkgs[*]}" >&2
    echo "setup: or point SHOPPER_BROWSER at a Chromium/Chrome binary" >&2
    exit 1
  fi
fi

# Exim 4 from Debian's packages, unpacked (not installed) into .venv/exim4 and run with its own config.
if [ "$MODE" = test ] && [ ! -x "$exim_dir/usr/sbin/exim4" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: unpacking Debian's exim4 into .venv/exim4 (for the MTA output tests)"
  [ "$apt_updated" = 1 ] || apt-get update -q >/dev/null
  debs="$(mktemp -d)"
  chmod 777 "$debs"   # apt-get download fetches as the _apt user
  (cd "$debs" && apt-get download -q exim4-daemon-light exim4-base exim4-config >/dev/null 2>&1)
  mkdir -p "$exim_dir"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$exim_dir"; done
  rm -rf "$debs"
fi
# The exim4 binary runs deliveries as its built-in user (what the exim4-base package would create).
if [ "$MODE" = test ] && [ "$(id -u)" = 0 ] && ! getent passwd Debian-exim >/dev/null; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin Debian-exim
fi

stamp=.venv/.installed
sum="$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
# a test install holds everything the demo needs; a demo install is topped up for the tests
if [ ! -x .venv/bin/python ] || { [ "$have" != "$sum test" ] && [ "$have" != "$sum $MODE" ]; }; then
  echo "setup: creating .venv with pinned packages (constraints.txt, extras: $MODE)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  # Editable as a path entry (compat mode): no import hook to load at every interpreter start-up.
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[$MODE]" \
    --config-settings editable_mode=compat
  echo "$sum $MODE" > "$stamp"
fi
[ "$MODE" = test ] || exit 0   # the rest is for the tests only

# The real shop the tests audit (tests/fixtures/oscar.py): django-oscar in its own virtualenv, built once
# (about a minute). Its scripts live in ../shared/realshops (or $SHOPPER_REALSHOPS) beside the clone.
realshops="${SHOPPER_REALSHOPS:-$here/../shared/realshops}"
oscar_venv="$here/var/oscar-venv"
if [ -f "$realshops/django-oscar/setup-oscar.sh" ] && \
   ! "$oscar_venv/bin/python" -c 'import oscar, sorl.thumbnail, whoosh, whitenoise, gunicorn' 2>/dev/null; then
  echo "setup: installing django-oscar 4.2.1 for the real-shop tests into var/oscar-venv (about a minute)"
  mkdir -p "$here/var"
  [ -x "$oscar_venv/bin/python" ] || "$PYTHON" -m venv "$oscar_venv"
  "$oscar_venv/bin/python" -m pip install -q --disable-pip-version-check "django-oscar==4.2.1" "Django==5.2.19" \
    "sorl-thumbnail==13.4.0" "whoosh==2.7.4" "whitenoise==6.12.0" "gunicorn==27.0.1"
fi

# The second real shop (tests/fixtures/evershop.py): EverShop's npm install and build, once, under
# var/evershop-lab (about 3 minutes; the test session then starts it in about 15 s). Started and stopped
# here only to build; its own scripts write nothing outside LAB_HOME.
evershop_home="$here/var/evershop-lab"
if [ -f "$realshops/evershop/setup-evershop.sh" ] && command -v npm >/dev/null 2>&1 \
   && [ ! -d "$evershop_home/app/.evershop/build" ]; then
  echo "setup: installing and building EverShop 2.2.1 for the real-shop tests into var/evershop-lab (about 3 minutes)"
  mkdir -p "$evershop_home"
  cp "$realshops/evershop/setup-evershop.sh" "$realshops/evershop/stop-evershop.sh" "$evershop_home/"
  port="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  if LAB_HOME="$evershop_home" bash "$evershop_home/setup-evershop.sh" "$port" >"$evershop_home/setup.log" 2>&1; then
    LAB_HOME="$evershop_home" bash "$evershop_home/stop-evershop.sh" >/dev/null 2>&1 || true
  else
    echo "setup: EverShop did not build (see $evershop_home/setup.log); its tests will build it" >&2
    LAB_HOME="$evershop_home" bash "$evershop_home/stop-evershop.sh" >/dev/null 2>&1 || true
  fi
fi

# axe-core (pinned) for the report's accessibility test, in a project-local directory git ignores
AXE_VERSION=4.11.4
axe_pkg=.tools/node_modules/axe-core/package.json
if ! grep -q "\"version\": \"$AXE_VERSION\"" "$axe_pkg" 2>/dev/null; then
  echo "setup: installing axe-core $AXE_VERSION into .tools/"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --no-save --prefix .tools "axe-core@$AXE_VERSION" >/dev/null
fi
