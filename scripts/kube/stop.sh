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
    # A test server keeps nothing (its etcd data is removed below): killed at once, not given a second for a
    # clean exit as before, which cost the live suite ~3 s of waiting per server.
    kill -KILL "$pid" 2>/dev/null || true
    # Gone, or a zombie (its parent, start.sh's shell, has exited; whoever adopted it reaps it when it does).
    for _ in $(seq 1 20); do
      state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
      [ -z "$state" ] || [ "$state" = Z ] && break
      sleep 0.05
    done
  fi
  rm -f "$pidfile"
done
[ "${2:-}" = --keep-dir ] || rm -rf "$STATE"
