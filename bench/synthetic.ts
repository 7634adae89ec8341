/**
 * Synthetic CiliumNetworkPolicy-shaped objects (~500 bytes of JSON each) for the delivery tests and the
 * benchmark: the real policy constructs are built elsewhere, and these only need a realistic size and shape.
 */
export interface SyntheticPolicy {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Policy number `i`; `revision` changes the spec (to simulate an edit) without changing the identity. */
export function syntheticPolicy(i: number, revision = 0): SyntheticPolicy {
  const ns = `team-${String(i % 40).padStart(2, '0')}`;
  const app = `svc-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: {
      name: `allow-${app}`,
      namespace: ns,
      labels: { 'app.kubernetes.io/managed-by': 'cdk-cilium-mesh' },
    },
    spec: {
      endpointSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
      ingress: [
        {
          fromEndpoints: [
            { matchLabels: { 'app.kubernetes.io/name': `${app}-client`, 'k8s:io.kubernetes.pod.namespace': ns } },
          ],
          toPorts: [{ ports: [{ port: String(8000 + (i % 1000) + revision), protocol: 'TCP' }] }],
        },
      ],
      egress: [
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }],
        },
      ],
    },
  };
}

/** Policies 0..n-1. */
export function syntheticPolicies(n: number): SyntheticPolicy[] {
  return Array.from({ length: n }, (_, i) => syntheticPolicy(i));
}
