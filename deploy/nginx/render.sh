#!/bin/sh
# Fill in deploy/nginx/bakery.conf.in and print the site (install.sh and make deploy-check both
# use this, so the check tests what a shop installs):
#   deploy/nginx/render.sh SERVER_NAMES LISTEN HTTP_PORT HTTPS_PORT UPSTREAM CERT KEY CA_CERT
#   e.g. render.sh "till.shop.lan 192.168.1.10" "" 80 443 127.0.0.1:8000 \
#        /etc/bakery/tls/server.pem /etc/bakery/tls/server.key /etc/bakery/tls/shop-ca.pem
# LISTEN is "" (every address) or "127.0.0.1:"; the redirect names the HTTPS port unless it is 443.
set -eu
if [ $# -ne 8 ]; then
    echo "usage: $0 SERVER_NAMES LISTEN HTTP_PORT HTTPS_PORT UPSTREAM CERT KEY CA_CERT" >&2
    exit 2
fi
suffix=""
[ "$4" = 443 ] || suffix=":$4"
sed -e "s|@SERVER_NAME@|$1|g" -e "s|@LISTEN@|$2|g" -e "s|@HTTP_PORT@|$3|g" -e "s|@HTTPS_PORT@|$4|g" \
    -e "s|@HTTPS_SUFFIX@|$suffix|g" -e "s|@UPSTREAM@|$5|g" -e "s|@CERT@|$6|g" -e "s|@KEY@|$7|g" \
    -e "s|@CA_CERT@|$8|g" "$(dirname "$0")/bakery.conf.in"
