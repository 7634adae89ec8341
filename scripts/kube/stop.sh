#!/usr/bin/env bash
# Stops the kube-apiserver and etcd that scripts/kube/start.sh started in STATE_DIR and removes the directory
# (--keep-dir keeps it). Idempotent: nothing running, nothing to do.
set -uo pipefail
STATE=${1:-${KUBE_STATE_DIR:-${TMPDIR:-/tmp}/cdk-cilium-mesh-kube}}
[ -d "$STATE" ] || exit 0
for name in controller-manager apiserver etcd; do
  pidfile="$STATE/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    # KUBE_CPU_LOG (set by test-cluster.sh): `<name> <CPU seconds, user + system>` of each process stopped.
    if [ -n "${KUBE_CPU_LOG:-}" ] && [ -r "/proc/$pid/stat" ]; then
      # fields 14 and 15 of /proc/PID/stat (after the parenthesized command name): utime and stime, in clock ticks
      sed 's/^.*) //' "/proc/$pid/stat" |
        awk -v n="$name" -v hz="$(getconf CLK_TCK)" '{ printf "%s %.2f\n", n, ($12 + $13) / hz }' >>"$KUBE_CPU_LOG"
    fi
    kill -TERM "$pid" 2>/dev/null
    # a test server keeps nothing: one second for a clean exit, then it is killed
    for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done
[ "${2:-}" = --keep-dir ] || rm -rf "$STATE"
