#!/usr/bin/env bash
# Stands in for kube-controller-manager's namespace controller on the test API server (which runs no
# controllers): every 0.5 s, a Terminating namespace whose objects of the mesh kinds are gone is finalized.
# Objects with finalizers of their own (a Gateway held by a load-balancer controller) keep it Terminating,
# as on a real cluster. Usage: namespace-controller.sh KUBECTL (KUBECONFIG from the environment).
K=$1
KINDS=ciliumnetworkpolicies.cilium.io,services,httproutes.gateway.networking.k8s.io,gateways.gateway.networking.k8s.io,referencegrants.gateway.networking.k8s.io
while true; do
  for ns in $("$K" get namespaces -o jsonpath='{range .items[?(@.status.phase=="Terminating")]}{.metadata.name}{"\n"}{end}' 2>/dev/null); do
    "$K" delete "$KINDS" -n "$ns" --all --wait=false >/dev/null 2>&1
    if [ -z "$("$K" get "$KINDS" -n "$ns" -o name 2>/dev/null)" ]; then
      "$K" get namespace "$ns" -o json 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); d["spec"]["finalizers"]=[]; print(json.dumps(d))' |
        "$K" replace --raw "/api/v1/namespaces/$ns/finalize" -f - >/dev/null 2>&1
    fi
  done
  sleep 0.5
done
