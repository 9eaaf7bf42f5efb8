#!/usr/bin/env bash
# Idempotent setup: system packages (a browser, Dovecot), then the pinned virtual environment in .venv.
# Usage: scripts/setup.sh            # everything the demo and the tests need
set -euo pipefail
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
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_pkgs+=(postgresql)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${need_pkgs[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
    # The package starts a system Dovecot/PostgreSQL we do not use; tests start their own.
    (systemctl disable --now dovecot postgresql >/dev/null 2>&1 || service dovecot stop >/dev/null 2>&1 || true)
  else
    echo "setup: missing system packages: ${need_pkgs[*]}" >&2
    echo "setup: run as root: apt-get update && apt-get install -y ${need_pkgs[*]}" >&2
    echo "setup: or point SHOPPER_BROWSER at a Chromium/Chrome binary" >&2
    exit 1
  fi
fi

stamp=.venv/.installed
want="$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv with pinned packages (constraints.txt)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]"
  echo "$want" > "$stamp"
fi

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
