#!/bin/sh
# Regenerates the test certificates of the SMTP fixture (see README.md). Needs only the
# openssl CLI (written against OpenSSL 3.0). The private keys are for tests only.
#   sh test/support/certs/generate.sh
set -eu
cd "$(dirname "$0")"

# Fixed validity dates rather than "from now", so the files are valid on any machine
# whose clock is roughly right, and the expired one is expired everywhere.
# `openssl x509 -days` can neither backdate nor date in the past; `openssl ca` takes
# -startdate/-enddate, so every certificate is signed from a throwaway CA database.
CA_FROM=20250101000000Z;   CA_UNTIL=20550101000000Z     # 30 years
LEAF_FROM=20250101000000Z; LEAF_UNTIL=20500101000000Z   # 25 years
OLD_FROM=20200101000000Z;  OLD_UNTIL=20210101000000Z    # expired.pem

# Every leaf that claims to be "the relay" names all loopback addresses fixtures bind.
IPS=$(for i in $(seq 1 30); do printf 'IP:127.0.0.%s,' "$i"; done)IP:::1
RELAY_NAMES="DNS:localhost,DNS:relay.test,DNS:*.relay.test,DNS:mail.relay.test,$IPS"
# Extensions of a server certificate (P-256 keys sign, so digitalSignature is enough).
LEAF_EXT="basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid"

db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
touch "$db/index.txt"
cat > "$db/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $db/index.txt
new_certs_dir = $db
rand_serial = yes
default_md = sha256
policy = any
preserve = yes
unique_subject = no
[any]
organizationName = optional
commonName = supplied
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[relay_ext]
$LEAF_EXT
subjectAltName = $RELAY_NAMES
[providers_ext]
$LEAF_EXT
subjectAltName = DNS:smtp.office365.com,DNS:smtp.gmail.com
[wronghost_ext]
$LEAF_EXT
subjectAltName = DNS:other.example
[selfsigned_ext]
$LEAF_EXT
subjectAltName = DNS:relay.test,$IPS
CNF

# request NAME CN: a fresh P-256 key NAME-key.pem and its signing request.
request() {
  openssl ecparam -name prime256v1 -genkey -noout -out "$1-key.pem"
  openssl req -new -sha256 -key "$1-key.pem" -subj "/O=Relais Tests/CN=$2" -out "$db/$1.csr"
}
# sign NAME EXTENSIONS FROM UNTIL [extra openssl ca options]: NAME.pem signed by the test CA.
sign() {
  name=$1; ext=$2; from=$3; until=$4; shift 4
  openssl ca -batch -notext -config "$db/ca.cnf" -extensions "$ext" \
    -startdate "$from" -enddate "$until" -in "$db/$name.csr" -out "$name.pem" "$@"
}

request ca "Relais Test CA"
sign ca ca_ext "$CA_FROM" "$CA_UNTIL" -selfsign -keyfile ca-key.pem

request relay relay.test
sign relay relay_ext "$LEAF_FROM" "$LEAF_UNTIL" -cert ca.pem -keyfile ca-key.pem

# The real providers' host names, for browser tests of their presets (fixed host) through a test resolver.
request providers smtp.office365.com
sign providers providers_ext "$LEAF_FROM" "$LEAF_UNTIL" -cert ca.pem -keyfile ca-key.pem

request wronghost other.example
sign wronghost wronghost_ext "$LEAF_FROM" "$LEAF_UNTIL" -cert ca.pem -keyfile ca-key.pem

request expired relay.test
sign expired relay_ext "$OLD_FROM" "$OLD_UNTIL" -cert ca.pem -keyfile ca-key.pem

# Self-signed: a valid relay certificate in every respect except that no trusted CA issued it.
request selfsigned relay.test
sign selfsigned selfsigned_ext "$LEAF_FROM" "$LEAF_UNTIL" -selfsign -keyfile selfsigned-key.pem
