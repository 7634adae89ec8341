#!/usr/bin/env bash
# Starts etcd, kube-apiserver and kube-controller-manager (only the namespace and garbage-collector controllers, so
# that deleted namespaces and owned objects go away as on a real cluster) on 127.0.0.1 and writes a kubeconfig.
# No kubelet, no scheduler, no pods.
# Usage: scripts/kube/start.sh [STATE_DIR]   (default: $KUBE_STATE_DIR or $TMPDIR/cdk-cilium-mesh-kube)
# Prints `export KUBECONFIG=...` on stdout. Idempotent: when the server in STATE_DIR answers /readyz, nothing
# is started. scripts/kube/stop.sh STATE_DIR stops both processes and removes the directory.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${1:-${KUBE_STATE_DIR:-${TMPDIR:-/tmp}/cdk-cilium-mesh-kube}}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
log() { echo "kube/start: $*" >&2; }

ready() {
  [ -f "$STATE/kubeconfig" ] && [ -f "$STATE/apiserver.pid" ] && kill -0 "$(cat "$STATE/apiserver.pid")" 2>/dev/null &&
    curl -sf --cacert "$STATE/pki/ca.crt" -H "Authorization: Bearer $(cat "$STATE/token")" \
      "https://127.0.0.1:$(cat "$STATE/apiserver.port")/readyz" >/dev/null 2>&1
}
if ready; then
  echo "export KUBECONFIG=$STATE/kubeconfig"
  exit 0
fi
# A half-started earlier run in this directory: stop it first.
"$HERE/stop.sh" "$STATE" --keep-dir >/dev/null 2>&1 || true

BIN=$("$HERE/build.sh")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
ETCD_CLIENT=$(free_port); ETCD_PEER=$(free_port); API_PORT=$(free_port)

# Certificates (scripts/kube/pki.sh): the run's shared set when KUBE_PKI_DIR is given, else made here.
PKI="$STATE/pki"
if [ -n "${KUBE_PKI_DIR:-}" ] && [ -f "$KUBE_PKI_DIR/apiserver.crt" ]; then
  mkdir -p "$PKI"
  cp "$KUBE_PKI_DIR"/ca.crt "$KUBE_PKI_DIR"/apiserver.crt "$KUBE_PKI_DIR"/apiserver.key "$KUBE_PKI_DIR"/sa.key \
    "$KUBE_PKI_DIR"/sa.pub "$PKI/"
else
  "$HERE/pki.sh" "$PKI"
fi
# A static token for the test identity (system:masters, as the cluster creator); tests act with it.
TOKEN=$(openssl rand -hex 24)
echo "$TOKEN" >"$STATE/token"
echo "$TOKEN,cdk-cilium-mesh-test,cdk-cilium-mesh-test,system:masters" >"$STATE/tokens.csv"
chmod 600 "$STATE/token" "$STATE/tokens.csv"

log "etcd on 127.0.0.1:$ETCD_CLIENT"
rm -rf "$STATE/etcd"
setsid "$BIN/etcd" --name test --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "test=http://127.0.0.1:$ETCD_PEER" --unsafe-no-fsync --quota-backend-bytes 4294967296 \
  --log-level warn >"$STATE/etcd.log" 2>&1 </dev/null &
echo $! >"$STATE/etcd.pid"

# The admission plugins every EKS platform version enables (docs: EKS platform versions), NamespaceLifecycle among
# them. Those that act on pods or nodes change nothing here, since no pod or node is ever created.
ADMISSION=NamespaceLifecycle,LimitRanger,ServiceAccount,TaintNodesByCondition,PodSecurity,Priority
ADMISSION=$ADMISSION,DefaultTolerationSeconds,DefaultStorageClass,StorageObjectInUseProtection,PersistentVolumeClaimResize
ADMISSION=$ADMISSION,RuntimeClass,CertificateApproval,CertificateSigning,CertificateSubjectRestriction,DefaultIngressClass
ADMISSION=$ADMISSION,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction
ADMISSION=$ADMISSION,ExtendedResourceToleration,ValidatingAdmissionPolicy,ClusterTrustBundleAttest

log "kube-apiserver on 127.0.0.1:$API_PORT"
setsid "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
  --token-auth-file "$STATE/tokens.csv" --authorization-mode Node,RBAC \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$PKI/sa.pub" \
  --service-account-signing-key-file "$PKI/sa.key" --service-cluster-ip-range 172.20.0.0/16 \
  --enable-admission-plugins "$ADMISSION" --allow-privileged=true \
  --cert-dir "$PKI" >"$STATE/apiserver.log" 2>&1 </dev/null &
echo $! >"$STATE/apiserver.pid"
echo "$API_PORT" >"$STATE/apiserver.port"

cat >"$STATE/kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: test
  user:
    token: $TOKEN
contexts:
- name: test
  context: {cluster: test, user: test}
KC
chmod 600 "$STATE/kubeconfig"

for _ in $(seq 1 240); do
  if ready; then
    # Finalizers of namespaces and of owned objects are served by these two controllers on EKS too; nothing else
    # (no Deployment, ReplicaSet or Service controllers: no pod is ever created).
    setsid "$BIN/kube-controller-manager" --kubeconfig "$STATE/kubeconfig" --controllers namespace-controller,garbage-collector-controller \
      --leader-elect=false --secure-port 0 --use-service-account-credentials=false \
      --concurrent-namespace-syncs 4 >"$STATE/controller-manager.log" 2>&1 </dev/null &
    echo $! >"$STATE/controller-manager.pid"
    log "ready after $SECONDS s"
    echo "export KUBECONFIG=$STATE/kubeconfig"
    exit 0
  fi
  if ! kill -0 "$(cat "$STATE/apiserver.pid")" 2>/dev/null || ! kill -0 "$(cat "$STATE/etcd.pid")" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
log "the API server did not become ready; last lines of its log:"
tail -20 "$STATE/apiserver.log" >&2 || true
tail -5 "$STATE/etcd.log" >&2 || true
"$HERE/stop.sh" "$STATE" --keep-dir >/dev/null 2>&1 || true
exit 1
