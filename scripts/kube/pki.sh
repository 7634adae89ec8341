#!/usr/bin/env bash
# Writes the certificates a test API server needs into DIR, unless they are there already: one CA, the serving
# certificate for 127.0.0.1/localhost, the service-account signing key pair. scripts/kube/start.sh calls it for
# each server, or copies KUBE_PKI_DIR when set: test-cluster.sh makes one set per run (0.7 CPU-s of RSA key
# generation each time otherwise), shared by servers that never talk to each other and each have their own token.
# Usage: scripts/kube/pki.sh DIR
set -euo pipefail
PKI=${1:?usage: scripts/kube/pki.sh DIR}
[ -f "$PKI/apiserver.crt" ] && exit 0
mkdir -p "$PKI"
cd "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cdk-cilium-mesh-test-ca" \
  -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >ext.cnf
openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf \
  -out apiserver.crt.tmp 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
# Last: its presence says the set is complete.
mv apiserver.crt.tmp apiserver.crt
