#!/bin/sh
# Installs the real MTA the integration tests drive (test/support/postfix.ts): Postfix for
# SMTP submission and Dovecot for its SASL authentication, from Debian's packages.
#
# The tests start private instances of both on loopback addresses; the system-wide
# services are never wanted, so package scripts are kept from starting them and any that
# run anyway are stopped and disabled (nothing may listen on a public interface).
# Idempotent and quiet: prints one line saying what it did. Must run as root.
set -eu

log() { echo "install-mta: $*"; }

have_binaries() {
  command -v postfix >/dev/null 2>&1 && command -v dovecot >/dev/null 2>&1
}

# Stop and disable the system-wide daemons so that only the tests' private instances run.
stop_system_services() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    for unit in postfix.service dovecot.service dovecot.socket; do
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
  else
    for svc in postfix dovecot; do
      if [ -x "/etc/init.d/$svc" ]; then "/etc/init.d/$svc" stop >/dev/null 2>&1 || true; fi
    done
  fi
}

PATH="$PATH:/usr/sbin:/sbin"
export PATH

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root" >&2
  exit 1
fi

if have_binaries; then
  stop_system_services
  log "postfix $(postconf -d -h mail_version 2>/dev/null) and dovecot $(dovecot --version 2>/dev/null | cut -d' ' -f1) already installed; system services stopped"
  exit 0
fi

# A policy-rc.d that denies every action keeps the packages' maintainer scripts from
# starting the daemons during installation. Only one we created is removed afterwards.
created_policy=""
cleanup() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=yes
fi

export DEBIAN_FRONTEND=noninteractive
# "No configuration" leaves /etc/postfix/main.cf absent, so the system postfix has nothing to run.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt_log=$(mktemp)
if ! { apt-get -qq update && apt-get -qq install -y --no-install-recommends postfix dovecot-core; } >"$apt_log" 2>&1; then
  cat "$apt_log" >&2
  rm -f "$apt_log"
  log "apt-get failed" >&2
  exit 1
fi
rm -f "$apt_log"

stop_system_services
log "installed postfix $(postconf -d -h mail_version 2>/dev/null) and dovecot $(dovecot --version 2>/dev/null | cut -d' ' -f1); system services stopped"
