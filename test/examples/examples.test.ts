import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import { CanaryStack } from '../../examples/canary';
import { EastWestStack } from '../../examples/east-west';
import { EniL7Stack } from '../../examples/eni-l7';
import { ImportedClusterStack } from '../../examples/imported-cluster';
import { ObservabilityStack } from '../../examples/observability';
import { buildGitOpsMesh } from '../../examples/gitops';
import { QuickstartStack } from '../../examples/quickstart';
import { ResilienceStack } from '../../examples/resilience';
import { ZeroTrustStack } from '../../examples/zero-trust';
import { Entity, MeshAssertions, meshDiagram, Peer, Port } from '../../lib';
import { meshSnapshotSerializer } from '../../lib/mesh/review/jest-serializer';

// What users put in their jest config (`snapshotSerializers: ['cdk-cilium-mesh/jest-serializer']`): asset hashes
// masked, the delivered meshes appended as YAML.
expect.addSnapshotSerializer(meshSnapshotSerializer);

type StackClass = new (scope: App, id: string) => Stack;
const STACKS: Record<string, StackClass> = {
  quickstart: QuickstartStack,
  'zero-trust': ZeroTrustStack,
  canary: CanaryStack,
  'east-west': EastWestStack,
  'eni-l7': EniL7Stack,
  observability: ObservabilityStack,
  resilience: ResilienceStack,
  'imported-cluster': ImportedClusterStack,
};

/** Synthesizes a fresh app with one example stack into its own directory; returns every file's bytes. */
function synthToFiles(cls: StackClass): Map<string, Buffer> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  // The whole cloud assembly as `cdk synth` writes it, staged assets included (test/setup/no-asset-staging.ts turns
  // staging off for the other tests).
  const context = process.env.CDK_CONTEXT_JSON;
  delete process.env.CDK_CONTEXT_JSON;
  try {
    const app = new App({ outdir });
    new cls(app, 'Example');
    app.synth();
  } finally {
    if (context === undefined) {
      delete process.env.CDK_CONTEXT_JSON;
    } else {
      process.env.CDK_CONTEXT_JSON = context;
    }
  }
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== 'validation-report.json') files.set(path.relative(outdir, full), fs.readFileSync(full));
    }
  };
  walk(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  return files;
}

function resourceDeps(template: Template, id: string): string[] {
  return template.toJSON().Resources[id].DependsOn ?? [];
}

describe('examples', () => {
  test.each(Object.keys(STACKS))('%s synthesizes twice to identical bytes', (name) => {
    // One call site for both runs: warning metadata carries the construction stack trace.
    const [first, second] = [1, 2].map(() => synthToFiles(STACKS[name]));
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    for (const [file, bytes] of first) {
      expect({ file, same: bytes.equals(second.get(file)!) }).toEqual({ file, same: true });
    }
    expect([...first.keys()].some((f) => f.endsWith('.template.json'))).toBe(true);
    // staged assets are part of the compared assembly (e.g. the delivery handler's or the kubectl layer's)
    expect([...first.keys()].some((f) => f.startsWith('asset.'))).toBe(true);
  });

  test('quickstart (the default app): the Cilium values are exactly the aws-cni chaining values plus what it asks for', () => {
    const template = Template.fromStack(new QuickstartStack(new App(), 'Q'));
    const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'));
    const values = JSON.parse(release.Properties.Values);
    expect(release.Properties).toMatchObject({
      Chart: 'cilium',
      Release: 'cilium',
      Namespace: 'kube-system',
      Version: '1.20.2',
    });
    expect(values).toEqual({
      cni: { chainingMode: 'aws-cni', exclusive: false },
      enableIPv4Masquerade: false,
      routingMode: 'native',
      endpointRoutes: { enabled: true },
      kubeProxyReplacement: false,
      hubble: {
        enabled: true,
        relay: { enabled: true },
        metrics: {
          enabled: [
            'flow',
            'tcp',
            'policy:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload',
            'drop:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload',
          ],
        },
      },
      prometheus: { enabled: true },
      operator: { prometheus: { enabled: true } },
    });
  });

  test('canary: order is Gateway API CRDs → Cilium → routes, and the routes are in the delivered batch', () => {
    const stack = new CanaryStack(new App(), 'C');
    const template = Template.fromStack(stack);
    const ids = (type: string) => Object.keys(template.findResources(type));
    const [crds] = ids('Custom::CiliumMeshObjects').filter((id) => /GatewayApiCrds/.test(id));
    const [routes] = ids('Custom::CiliumMeshObjects').filter((id) => /Mesh/.test(id) && !/GatewayApiCrds/.test(id));
    const [cilium] = ids('Custom::AWSCDK-EKS-HelmChart');
    // exactly one of each, so the dependency checks below compare real resources
    expect([ids('Custom::CiliumMeshObjects').length, ids('Custom::AWSCDK-EKS-HelmChart').length]).toEqual([2, 1]);
    expect([crds, routes].map((id) => typeof id)).toEqual(['string', 'string']);
    expect(resourceDeps(template, cilium)).toContain(crds);
    expect(resourceDeps(template, routes)).toContain(cilium);
    const delivered = stack.node.findAll().find((c) => c.node.id === 'Mesh-shop') as unknown as {
      plan: { batches: { content: string }[] };
    };
    const kinds = delivered.plan.batches.flatMap((b) =>
      JSON.parse(b.content).items.map((o: { kind: string }) => o.kind),
    );
    expect(kinds).toEqual(expect.arrayContaining(['Gateway', 'HTTPRoute', 'Service']));
  });

  test('canary: the diagram shows the split, the header targeting and the mirror; no policy, so all is open', () => {
    const stack = new CanaryStack(new App(), 'Canary');
    expect(meshDiagram(stack.mesh)).toMatchSnapshot();
    const mesh = MeshAssertions.of(stack.mesh);
    mesh.allows(Peer.entity(Entity.INGRESS), 'shop/api', 8080);
    mesh.allows(Peer.entity(Entity.INGRESS), 'shop/api-canary', 8080);
    mesh.allows(Peer.entity(Entity.WORLD), 'shop/api-shadow', 8080);
  });

  test('zero-trust: five policies delivered after Cilium, with the chaining warnings surfaced in the CDK app', () => {
    const stack = new ZeroTrustStack(new App(), 'Z');
    const template = Template.fromStack(stack);
    const policies = stack.mesh.toJson().filter((o: { kind: string }) => o.kind === 'CiliumNetworkPolicy');
    expect(policies.map((p: { metadata: { name: string } }) => p.metadata.name).sort()).toEqual([
      'backend-policy',
      'database-policy',
      'frontend-policy',
      'operator-policy',
      'shop',
    ]);
    const warnings = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data)));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/l7Policy on aws-cni-chaining .*cilium\/cilium#42578/),
        expect.stringMatching(/fqdnPolicy on aws-cni-chaining .*cilium\/cilium#47269/),
      ]),
    );
    template.resourceCountIs('Custom::CiliumMeshObjects', 1);
  });

  test('imported-cluster: one call gives the imported cluster a kubectl provider with an access entry; Cilium and the mesh use it', () => {
    const stack = new ImportedClusterStack(new App(), 'Imported');
    expect(stack).toMatchSnapshot();
    const template = Template.fromStack(stack);
    // Two principals get access: the kubectl provider's role (Helm: Cilium) and the mesh delivery handler's role.
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry'));
    expect(entries.map((e) => JSON.stringify(e.Properties.PrincipalArn)).sort()).toEqual(
      [expect.stringContaining('CiliumMeshDelivery'), expect.stringContaining('ProdKubectlRole')].sort(),
    );
    const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'));
    expect(release.Properties).toMatchObject({ ClusterName: 'prod', Release: 'cilium' });
    expect(JSON.stringify(release.Properties.ServiceToken)).toMatch(/ProdKubectlProvider/);
    expect(JSON.parse(release.Properties.Values).encryption).toEqual({ enabled: true, type: 'wireguard' });
    template.resourceCountIs('Custom::CiliumMeshObjects', 1);
  });

  test('zero-trust: what a reviewer sees (stack snapshot with the mesh, the diagram) and what the tests assert', () => {
    const stack = new ZeroTrustStack(new App(), 'ZeroTrust');
    expect(stack).toMatchSnapshot();
    expect(meshDiagram(stack.mesh)).toMatchSnapshot();
    const mesh = MeshAssertions.of(stack.mesh);
    mesh.allows('shop/frontend', 'shop/backend', 8080, { http: { method: 'GET', path: '/api/orders' } });
    mesh.denies('shop/frontend', 'shop/backend', 8080, { http: { method: 'POST', path: '/api/orders' } });
    mesh.allows('shop/backend', 'shop/database', 5432);
    mesh.denies('shop/backend', 'shop/database', 5433);
    mesh.denies('shop/frontend', 'shop/database', 5432);
    mesh.denies(Peer.entity(Entity.WORLD), 'shop/frontend', 8080);
    mesh.allows('shop/backend', Peer.fqdn('api.payments.example.com'), Port.tcp(443));
    mesh.denies('shop/backend', Peer.fqdn('api.other.example.com'), Port.tcp(443));
    mesh.allows('shop/operator', Peer.entity(Entity.KUBE_APISERVER), 443);
    // The mesh cannot see which ServiceAccount the backend's pods run as: if it were shop-operator, this would pass.
    mesh.denies('shop/backend', Peer.entity(Entity.KUBE_APISERVER), 443, { conditional: true });
    expect(mesh.explain('shop/frontend', 'shop/database', 5432).explanation).toMatchSnapshot();
  });

  test('east-west: a GAMMA route whose parent is the reviews Service', () => {
    const stack = new EastWestStack(new App(), 'E');
    const [route] = stack.mesh.toJson().filter((o: { kind: string }) => o.kind === 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', port: 9080 }]);
    expect(route.spec.rules.at(-1).backendRefs).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 80 },
      { name: 'reviews-v2', port: 9080, weight: 20 },
    ]);
    expect(meshDiagram(stack.mesh)).toMatchSnapshot();
    MeshAssertions.of(stack.mesh).allows('bookinfo/reviews-v1', 'bookinfo/reviews-v2', 9080);
  });

  test('resilience: the diagram shows each CiliumEnvoyConfig at its Service with the settings it carries', () => {
    const stack = new ResilienceStack(new App(), 'Resilience');
    expect(meshDiagram(stack.mesh)).toMatchSnapshot();
    // Envoy sits in front of these Services, but no policy restricts them: connectivity is open.
    MeshAssertions.of(stack.mesh).allows('shop/ratings', 'shop/reviews', 9080);
  });

  test('gitops: a plain cdk8s app renders the mesh without AWS', () => {
    const mesh = buildGitOpsMesh(cdk8s.Testing.app());
    expect(
      cdk8s.Testing.synth(mesh)
        .map((o: { kind: string }) => o.kind)
        .sort(),
    ).toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'HTTPRoute', 'Namespace']);
    expect(meshDiagram(mesh)).toMatchSnapshot();
    const assertions = MeshAssertions.of(mesh);
    // Gateway traffic reaches web with the identity `ingress` (cilium/cilium#24826), which web allows.
    assertions.allows(Peer.entity(Entity.INGRESS), 'store/web', 8080);
    assertions.denies(Peer.entity(Entity.WORLD), 'store/web', 8080);
    assertions.allows('store/web', 'store/orders', 9090, { http: { method: 'POST', path: '/orders' } });
    assertions.denies('store/web', 'store/orders', 9090, { http: { method: 'DELETE', path: '/orders' } });
    assertions.denies('store/orders', 'store/web', 8080);
  });

  test('eni-l7: L7, FQDN and a Gateway on the ENI datapath without a capability warning; no VPC CNI', () => {
    const stack = new EniL7Stack(new App(), 'N');
    const template = Template.fromStack(stack);
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning'));
    expect(warnings).toEqual([]);
    const addons = Object.values(template.findResources('AWS::EKS::Addon'))
      .map((r) => r.Properties.AddonName)
      .sort();
    expect(addons).toEqual(['coredns', 'eks-pod-identity-agent']);
    const kinds = stack.mesh
      .toJson()
      .map((o: { kind: string }) => o.kind)
      .sort();
    expect(kinds).toEqual([
      'CiliumNetworkPolicy',
      'CiliumNetworkPolicy',
      'CiliumNetworkPolicy',
      'CiliumNetworkPolicy',
      'Gateway',
      'HTTPRoute',
    ]);
    const backend = stack.mesh
      .toJson()
      .find((o: { metadata: { name: string } }) => o.metadata.name === 'backend-policy');
    expect(JSON.stringify(backend.spec)).toMatch(/"toFQDNs":\[\{"matchName":"api.payments.example.com"\}\]/);
    expect(JSON.stringify(backend.spec)).toMatch(/"http":\[\{"method":"GET","path":"\/api\/\.\*"\}\]/);
  });

  test('observability: flow export to stdout, a dynamic drops file, policy verdict metrics, annotation scraping, no warning', () => {
    const stack = new ObservabilityStack(new App(), 'O');
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning'));
    expect(warnings).toEqual([]);
    const values = stack.resolve(stack.cilium.values);
    expect(values.hubble.export.static).toMatchObject({ enabled: true, filePath: 'stdout' });
    expect(values.hubble.export.dynamic.config.content[0]).toMatchObject({
      name: 'drops',
      includeFilters: [{ verdict: ['DROPPED'] }],
    });
    expect(values.hubble.metrics.enabled).toEqual(
      expect.arrayContaining([expect.stringMatching(/^policy:labelsContext=source_namespace/)]),
    );
    // No ServiceMonitor: the chart annotates the agent and operator pods and the hubble-metrics Service instead.
    expect(JSON.stringify(values)).not.toContain('serviceMonitor');
    expect(values.hubble.ui).toEqual({ enabled: true });
  });
});
