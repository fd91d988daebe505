#!/bin/sh
# The shop's own certificate authority and the till server's certificate, with openssl.
#
#   deploy/make-ca.sh DIR NAME [ADDRESS...]
#   e.g. deploy/make-ca.sh /etc/bakery/tls till.shop.lan 192.168.1.10
#
# Writes into DIR:
#   shop-ca.pem   the CA certificate: install it on every tablet (README, "HTTPS on the shop's
#                 network") and give it to the print agent (cafile). Public; copy it freely.
#   shop-ca.key   the CA's private key: whoever holds it can impersonate the till. Made once; keep
#                 a copy OFF the box (USB stick in the safe) and you can remake server certs later.
#   server.pem    the till server's certificate (NAME and each ADDRESS), signed by the CA; 825 days,
#                 the longest iPads and iPhones accept. Run this again before it runs out: the CA
#                 is kept, so tablets need nothing new.
#   server.key    its private key (nginx reads it; mode 0600).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 DIR NAME [ADDRESS...]   e.g. $0 /etc/bakery/tls till.shop.lan 192.168.1.10" >&2
    exit 2
fi
dir=$1; name=$2; shift 2
mkdir -p "$dir"
umask 077
cd "$dir"

san="DNS:$name"
for address in "$@"; do
    case $address in
        *[!0-9.:a-fA-F]*) san="$san,DNS:$address" ;;
        *) san="$san,IP:$address" ;;
    esac
done

if [ ! -f shop-ca.key ]; then
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout shop-ca.key -out shop-ca.pem -days 3650 -sha256 \
        -subj "/O=Bakery co-op/CN=Bakery co-op shop CA ($name)" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" 2>/dev/null
    echo "Made the shop CA: $dir/shop-ca.pem (keep shop-ca.key off this box as well)"
fi

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout server.key -out server.csr -subj "/O=Bakery co-op/CN=$name" 2>/dev/null
cat > server.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EXT
openssl x509 -req -in server.csr -CA shop-ca.pem -CAkey shop-ca.key -CAcreateserial \
    -out server.pem -days 825 -sha256 -extfile server.ext 2>/dev/null
rm -f server.csr server.ext
chmod 0644 shop-ca.pem server.pem
chmod 0600 shop-ca.key server.key
openssl verify -CAfile shop-ca.pem server.pem >/dev/null
echo "Made the server certificate for $san: $dir/server.pem (valid 825 days)"
