# shellcheck shell=bash
# Test certificates, made at test time with openssl (EC P-256: fast) in a
# directory of the caller's; nothing is checked in and nothing outlives the
# test's temporary directory.
#
#   make_test_certs DIR
#       DIR/ca.crt            a test CA (trust it with UP_CA_BUNDLE=DIR/ca.crt)
#       DIR/valid.{crt,key}   signed by the CA, for 127.0.0.1 and localhost
#       DIR/selfsigned.{crt,key}
#                             self-signed, for 127.0.0.1 and localhost: no CA
#                             vouches for it
#       DIR/expired.{crt,key} signed by the CA, for 127.0.0.1 and localhost,
#                             valid only in January 2020
#       DIR/wronghost.{crt,key}
#                             signed by the CA, for wrong-host.example.test only
#   Keys are mode 0600. Returns non-zero (openssl's output in DIR/openssl.log)
#   when a certificate cannot be made.

_tls_openssl() { openssl "$@" >>"$TLS_DIR/openssl.log" 2>&1; }

# _tls_leaf NAME SAN: a key and a CSR for NAME with subjectAltName SAN
_tls_leaf() {
    _tls_openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$TLS_DIR/$1.key" -out "$TLS_DIR/$1.csr" -subj "/CN=$1 test certificate" &&
        chmod 0600 "$TLS_DIR/$1.key" &&
        printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
            "$2" >"$TLS_DIR/$1.ext"
}

# _tls_sign NAME DAYS: the CA signs NAME's CSR, valid from now for DAYS
_tls_sign() {
    _tls_openssl x509 -req -in "$TLS_DIR/$1.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" \
        -CAcreateserial -days "$2" -sha256 -extfile "$TLS_DIR/$1.ext" -out "$TLS_DIR/$1.crt"
}

make_test_certs() {
    TLS_DIR=$1
    mkdir -p "$TLS_DIR" && chmod 0700 "$TLS_DIR" || return 1
    : >"$TLS_DIR/openssl.log"
    local here='IP:127.0.0.1,DNS:localhost'
    # the CA
    _tls_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" -days 2 -subj "/CN=docker-credential-upbound test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" || return 1
    chmod 0600 "$TLS_DIR/ca.key"
    # valid, and for the wrong host: signed now for two days
    _tls_leaf valid "$here" && _tls_sign valid 2 || return 1
    _tls_leaf wronghost 'DNS:wrong-host.example.test' && _tls_sign wronghost 2 || return 1
    # self-signed: the same names, nobody vouching for it
    _tls_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$TLS_DIR/selfsigned.key" -out "$TLS_DIR/selfsigned.crt" -days 2 \
        -subj "/CN=selfsigned test certificate" -addext "subjectAltName=$here" || return 1
    chmod 0600 "$TLS_DIR/selfsigned.key"
    # expired: `openssl x509 -req` (3.0) cannot date a certificate in the
    # past, `openssl ca` can
    _tls_leaf expired "$here" || return 1
    mkdir -p "$TLS_DIR/ca-db"
    : >"$TLS_DIR/ca-db/index.txt"
    cat >"$TLS_DIR/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $TLS_DIR/ca-db
database = \$dir/index.txt
new_certs_dir = \$dir
rand_serial = yes
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
EOF
    _tls_openssl ca -batch -config "$TLS_DIR/ca.cnf" -cert "$TLS_DIR/ca.crt" -keyfile "$TLS_DIR/ca.key" \
        -in "$TLS_DIR/expired.csr" -out "$TLS_DIR/expired.crt" -notext \
        -startdate 20200101000000Z -enddate 20200131000000Z -extfile "$TLS_DIR/expired.ext" || return 1
    # every certificate is what its name says
    _tls_openssl verify -CAfile "$TLS_DIR/ca.crt" "$TLS_DIR/valid.crt" || return 1
    ! _tls_openssl verify -CAfile "$TLS_DIR/ca.crt" "$TLS_DIR/selfsigned.crt" || return 1
    ! _tls_openssl verify -CAfile "$TLS_DIR/ca.crt" "$TLS_DIR/expired.crt" || return 1
    _tls_openssl verify -CAfile "$TLS_DIR/ca.crt" -verify_ip 127.0.0.1 "$TLS_DIR/valid.crt" || return 1
    ! _tls_openssl verify -CAfile "$TLS_DIR/ca.crt" -verify_ip 127.0.0.1 "$TLS_DIR/wronghost.crt" || return 1
}
