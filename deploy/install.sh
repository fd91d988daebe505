#!/bin/sh
# Install the till on a small Debian 12 box, as root, from a copy of this repository:
#
#   sudo deploy/install.sh NAME ADDRESS       e.g.  sudo deploy/install.sh till.shop.lan 192.168.1.10
#
# NAME is what the tablets type (a name your router's DNS gives this box), ADDRESS its fixed LAN
# address. It installs nginx, PostgreSQL and Python from Debian; the app in /opt/bakery as the
# unprivileged user `bakery`; the shop CA and certificate in /etc/bakery/tls; nginx on 80 (a
# redirect) and 443; the app, print worker and backup timer as systemd services. Safe to run again
# after an update (git pull): it migrates the database and restarts the services.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 NAME ADDRESS   e.g. $0 till.shop.lan 192.168.1.10" >&2
    exit 2
fi
name=$1; address=$2
src=$(cd "$(dirname "$0")/.." && pwd)
app=/opt/bakery

echo "== Debian packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light postgresql python3-venv openssl logrotate rsync

echo "== the bakery user and folders"
id bakery >/dev/null 2>&1 || adduser --system --group --home /var/lib/bakery --no-create-home bakery
install -d -o bakery -g bakery -m 0700 /var/lib/bakery
install -d -o bakery -g bakery -m 0750 /var/log/bakery
install -d -o root -g bakery -m 0750 /etc/bakery
install -d -o bakery -g bakery -m 0700 /mnt/bakery-backups

echo "== the app in $app"
if [ "$src" != "$app" ]; then
    rsync -a --delete --exclude .venv --exclude instance --exclude .git "$src/" "$app/"
fi
[ -x "$app/.venv/bin/python" ] || python3 -m venv "$app/.venv"
"$app/.venv/bin/pip" install --quiet --upgrade pip
"$app/.venv/bin/pip" install --quiet -e "$app[server]"
# The services see /opt read-only: compile now, or every start compiles again in memory.
"$app/.venv/bin/python" -m compileall -q "$app/bakery" "$app/printers" "$app/migrations" >/dev/null || true

echo "== PostgreSQL"
"$src/deploy/postgres-setup.sh" bakery bakery
if [ ! -f /etc/bakery/bakery.env ]; then
    install -o root -g bakery -m 0640 "$src/deploy/bakery.env.example" /etc/bakery/bakery.env
fi

echo "== the shop CA and the server certificate"
"$src/deploy/make-ca.sh" /etc/bakery/tls "$name" "$address"
chmod 0755 /etc/bakery/tls 2>/dev/null || true
chmod 0600 /etc/bakery/tls/*.key
echo "The shop CA's fingerprint (check it on each tablet when you install it):"
openssl x509 -in /etc/bakery/tls/shop-ca.pem -noout -fingerprint -sha256

echo "== nginx"
"$src/deploy/nginx/render.sh" "$name $address" "" 80 443 127.0.0.1:8000 \
    /etc/bakery/tls/server.pem /etc/bakery/tls/server.key /etc/bakery/tls/shop-ca.pem \
    > /etc/nginx/sites-available/bakery
ln -sf /etc/nginx/sites-available/bakery /etc/nginx/sites-enabled/bakery
rm -f /etc/nginx/sites-enabled/default
nginx -t

echo "== the database schema"
runuser -u bakery -- sh -c "set -a && . /etc/bakery/bakery.env && cd $app && .venv/bin/flask --app bakery db upgrade"

echo "== services, backups and log rotation"
for unit in bakery.service bakery-print-worker.service bakery-backup.service bakery-backup.timer; do
    install -m 0644 "$src/deploy/$unit" /etc/systemd/system/
done
install -m 0644 "$src/deploy/logrotate.conf" /etc/logrotate.d/bakery
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable --now postgresql nginx bakery bakery-print-worker bakery-backup.timer
    systemctl restart bakery bakery-print-worker
    systemctl reload nginx
else
    echo "systemd is not running here: enable the services on the real box with"
    echo "  systemctl enable --now postgresql nginx bakery bakery-print-worker bakery-backup.timer"
fi

cat <<DONE

Done. Next (README, "Running a real shop"):
  1. Make the first admin:
       sudo /opt/bakery/deploy/flask bakery create-admin
  2. On each tablet open http://$name/shop-ca.crt, install it as a CA certificate (README),
     then open https://$name/ on it.
  3. Copy /var/lib/bakery/ledger_key and /etc/bakery/tls/shop-ca.key to a USB stick for the safe.
DONE
