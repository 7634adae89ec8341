import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import { CanaryStack } from '../../examples/canary';
import { EastWestStack } from '../../examples/east-west';
import { buildGitOpsMesh } from '../../examples/gitops';
import { QuickstartStack } from '../../examples/quickstart';
import { ResilienceStack } from '../../examples/resilience';
import { ZeroTrustStack } from '../../examples/zero-trust';

type StackClass = new (scope: App, id: string) => Stack;
const STACKS: Record<string, StackClass> = {
  quickstart: QuickstartStack,
  'zero-trust': ZeroTrustStack,
  canary: CanaryStack,
  'east-west': EastWestStack,
  resilience: ResilienceStack,
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
    expect(release.Properties).toMatchObject({ Chart: 'cilium', Release: 'cilium', Namespace: 'kube-system', Version: '1.20.2' });
    expect(values).toEqual({
      cni: { chainingMode: 'aws-cni', exclusive: false },
      enableIPv4Masquerade: false,
      routingMode: 'native',
      endpointRoutes: { enabled: true },
      kubeProxyReplacement: false,
      hubble: { enabled: true, relay: { enabled: true }, metrics: { enabled: ['dns', 'drop', 'httpV2:exemplars=true'], enableOpenMetrics: true } },
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
    const delivered = stack.node.findAll().find((c) => c.node.id === 'Mesh-shop') as unknown as { plan: { batches: { content: string }[] } };
    const kinds = delivered.plan.batches.flatMap((b) => JSON.parse(b.content).items.map((o: { kind: string }) => o.kind));
    expect(kinds).toEqual(expect.arrayContaining(['Gateway', 'HTTPRoute', 'Service']));
  });

  test('zero-trust: five policies delivered after Cilium, with the chaining warnings surfaced in the CDK app', () => {
    const stack = new ZeroTrustStack(new App(), 'Z');
    const template = Template.fromStack(stack);
    const policies = stack.mesh.toJson().filter((o: { kind: string }) => o.kind === 'CiliumNetworkPolicy');
    expect(policies.map((p: { metadata: { name: string } }) => p.metadata.name).sort())
      .toEqual(['backend-policy', 'database-policy', 'frontend-policy', 'operator-policy', 'shop']);
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data)));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/l7Policy on aws-cni-chaining .*cilium\/cilium#42578/),
      expect.stringMatching(/fqdnPolicy on aws-cni-chaining .*cilium\/cilium#47269/),
    ]));
    template.resourceCountIs('Custom::CiliumMeshObjects', 1);
  });

  test('east-west: a GAMMA route whose parent is the reviews Service', () => {
    const stack = new EastWestStack(new App(), 'E');
    const [route] = stack.mesh.toJson().filter((o: { kind: string }) => o.kind === 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', port: 9080 }]);
    expect(route.spec.rules.at(-1).backendRefs).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 80 },
      { name: 'reviews-v2', port: 9080, weight: 20 },
    ]);
  });

  test('gitops: a plain cdk8s app renders the mesh without AWS', () => {
    const mesh = buildGitOpsMesh(cdk8s.Testing.app());
    expect(cdk8s.Testing.synth(mesh).map((o: { kind: string }) => o.kind).sort())
      .toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'HTTPRoute', 'Namespace']);
  });
});
