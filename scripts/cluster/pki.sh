# Generates the local cluster's certificates and credentials once (idempotent).
# shellcheck shell=bash

cluster_pki() {
  local pki=$1
  [ -f "$pki/done" ] && return
  command -v openssl >/dev/null || fail "openssl is required (apt-get install openssl)"
  mkdir -p "$pki" && chmod 700 "$pki"
  info "generating certificates in $pki"
  (
    cd "$pki" || exit
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rollgate-local-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    cat >apiserver.ext <<'EXT'
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
extendedKeyUsage=serverAuth
EXT
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    # A static bearer token for the local admin (group system:masters).
    openssl rand -hex 32 >admin.token
    printf '%s,admin,admin,"system:masters"\n' "$(cat admin.token)" >tokens.csv
    chmod 600 ./*.key admin.token tokens.csv
    touch ./done
  )
}
