/**
 * The delivery guarantees of issue #8 (docs/delivery.md), each proven on a live API server of their own
 * (scripts/kube/start.sh) with the layer's kubectl, through the same engine the Lambda handler runs (driven by `cdk-cilium-mesh deliver` and, for the
 * requests only CloudFormation sends, by its Update and Delete events). Every test uses namespaces of its own.
 */
import * as fs from 'fs';
import * as childProcess from 'child_process';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { CanaryStack } from '../../../examples/canary';
import { EastWestStack } from '../../../examples/east-west';
import { ZeroTrustStack } from '../../../examples/zero-trust';
import { main } from '../../../lib/delivery/cli/deliver';
import {
  batchesOf,
  create,
  deliverAssembly,
  errorOf,
  installCrds,
  k,
  KUBECONFIG,
  KUBECTL,
  meshOf,
  names,
  policy,
  reconcile,
  remove,
  startDeliveryServer,
  stopDeliveryServer,
  synth,
  update,
} from './util';

const PARENTS = 'meshdeliveries.cdk-cilium-mesh.io';
beforeAll(() => {
  startDeliveryServer();
  installCrds();
});
afterAll(() => {
  stopDeliveryServer();
});

/** The `cdk-cilium-mesh` command line: exit code and output lines. */
function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    ['deliver', ...args, '--kubectl', KUBECTL],
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

function exampleAssembly(build: (app: cdk.App) => void): string {
  const outdir = path.join(os.tmpdir(), `live-example-${Math.random().toString(16).slice(2)}`);
  const app = new cdk.App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

describe('guarantee 1: namespaces', () => {
  test.each([
    [
      'zero-trust',
      (app: cdk.App) => new ZeroTrustStack(app, 'CiliumMeshZeroTrust'),
      'shop',
      'ciliumnetworkpolicies',
      5,
    ],
    ['canary', (app: cdk.App) => new CanaryStack(app, 'CiliumMeshCanary'), 'shop', 'services,gateways,httproutes', 5],
    ['east-west', (app: cdk.App) => new EastWestStack(app, 'CiliumMeshEastWest'), 'bookinfo', 'services,httproutes', 4],
  ])(
    'the %s example deploys on a fresh cluster: its namespace is created first, and goes with it',
    (_n, build, ns, kinds, count) => {
      const assembly = exampleAssembly(build);
      const r = cli(assembly, '--kubeconfig', KUBECONFIG);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out[r.out.length - 1]).toBe(
        `deliver: ${count + 1} created, 0 updated, 0 pruned, 0 unchanged, 0 drift corrected`,
      );
      expect(k('get', 'namespace', ns, '-o', 'jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}')).toBe(
        'cdk-cilium-mesh',
      );
      expect(names(kinds, ns)).toHaveLength(count);
      expect(remove(assembly, { timeoutSeconds: 120 }).Deleted).toBe(count + 1);
      expect(k('get', 'namespace', ns, '--ignore-not-found', '-o', 'name')).toBe('');
    },
  );

  test('an existing namespace declared in existingNamespaces is used, never created, adopted or deleted', () => {
    k('create', 'namespace', 'g1-existing');
    const assembly = synth([policy('a', 'g1-existing')], { existingNamespaces: ['g1-existing'] });
    expect(deliverAssembly(assembly).Created).toBe(1);
    expect(k('get', 'namespace', 'g1-existing', '-o', 'jsonpath={.metadata.labels}')).not.toMatch(/applyset/);
    expect(remove(assembly, { timeoutSeconds: 60 }).Deleted).toBe(1);
    expect(k('get', 'namespace', 'g1-existing', '-o', 'jsonpath={.status.phase}')).toBe('Active');
  });
});

describe('guarantee 2: no silent takeover', () => {
  test('an existing object that is not ours fails the deploy, naming it and its field manager; adopt takes it over', () => {
    k('create', 'namespace', 'g2');
    const hand = JSON.stringify({
      ...policy('hand', 'g2', 9999),
      metadata: { name: 'hand', namespace: 'g2', labels: { team: 'x' } },
    });
    spawnApply(hand);
    const objects = [policy('hand', 'g2', 80), policy('other', 'g2')];
    const assembly = synth(objects, { existingNamespaces: ['g2'] });
    const r = cli(assembly, '--kubeconfig', KUBECONFIG);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(
      /^deliver: error: Mesh\/Delivery: CiliumNetworkPolicy g2\/hand \(cilium.io\) exists and is managed by kubectl-client-side-apply, not this mesh \(Mesh\/Delivery\); nothing was changed\. .*set adopt: true/,
    );
    // nothing changed: the object keeps its spec, the other object was not created, no ApplySet parent was made
    expect(k('get', 'cnp', 'hand', '-n', 'g2', '-o', 'jsonpath={.spec.ingress[0].toPorts[0].ports[0].port}')).toBe(
      '9999',
    );
    expect(names('cnp', 'g2')).toEqual(['ciliumnetworkpolicy.cilium.io/hand']);
    expect(k('get', PARENTS, '-o', 'name')).not.toContain(meshOf(assembly).logicalId.toLowerCase());

    const adopting = synth(objects, { existingNamespaces: ['g2'], adopt: true });
    const counts = deliverAssembly(adopting);
    expect(counts).toMatchObject({ Created: 1, Updated: 1, Adopted: 1 });
    expect(k('get', 'cnp', 'hand', '-n', 'g2', '-o', 'jsonpath={.spec.ingress[0].toPorts[0].ports[0].port}')).toBe(
      '80',
    );
    remove(adopting, { timeoutSeconds: 60 });
  });
});

function spawnApply(json: string): void {
  const { spawnSync } = childProcess;
  const r = spawnSync(KUBECTL, ['apply', '-f', '-'], {
    input: json,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG },
  });
  if (r.status !== 0) throw new Error(r.stderr);
}

describe('guarantee 3: unique ownership', () => {
  test('two apps with the same construct path never prune each other; delivering the same object is an error naming both', () => {
    const a = synth([policy('a', 'g3-a')], { stackName: 'TeamA' });
    const b = synth([policy('b', 'g3-b')], { stackName: 'TeamB' });
    expect(meshOf(a).path).toBe(meshOf(b).path);
    deliverAssembly(a);
    deliverAssembly(b);
    expect(deliverAssembly(a)).toMatchObject({ Pruned: 0, Unchanged: 2 });
    expect(names('cnp', 'g3-b')).toEqual(['ciliumnetworkpolicy.cilium.io/b']);

    // the same app in another account: another delivery, and the object is the first one's
    const same = synth([policy('a', 'g3-a')], { stackName: 'TeamA', account: '222222222222' });
    expect(errorOf(() => deliverAssembly(same))).toMatch(
      /^Mesh\/Delivery: Namespace g3-a exists and belongs to the mesh delivery Mesh\/Delivery \(stack local:aws:\/\/111111111111\/eu-west-1\/TeamA\), not this mesh \(Mesh\/Delivery\) \(and 1 more: CiliumNetworkPolicy g3-a\/a \(cilium.io\)\); nothing was changed/,
    );
    remove(a, { timeoutSeconds: 60 });
    remove(b, { timeoutSeconds: 60 });
  });
});

describe('guarantee 4: all or nothing per deploy', () => {
  const invalid = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'zz-invalid', namespace: 'g4' },
    spec: {},
  };

  test('a failed Create leaves the cluster as it was: what it created is gone, what existed is untouched', () => {
    k('create', 'namespace', 'g4');
    spawnApply(JSON.stringify(policy('existing', 'g4', 7)));
    const assembly = synth([policy('existing', 'g4', 8), policy('new', 'g4'), invalid], {
      existingNamespaces: ['g4'],
      adopt: true,
    });
    expect(errorOf(() => create(assembly))).toMatch(/The CiliumNetworkPolicy "zz-invalid" is invalid/);
    expect(names('cnp', 'g4')).toEqual(['ciliumnetworkpolicy.cilium.io/existing']);
    // the adopted object is given back: no member label (its spec was applied, see docs/delivery.md)
    expect(k('get', 'cnp', 'existing', '-n', 'g4', '-o', 'jsonpath={.metadata.labels}')).not.toMatch(/applyset/);
    expect(k('get', PARENTS, '-o', 'jsonpath={.items[*].metadata.annotations.cdk-cilium-mesh\\.io/path}')).not.toMatch(
      /g4/,
    );
  });

  test('a failed Update leaves exactly the previous objects after CloudFormation rollback', () => {
    const v1 = synth([policy('a', 'g4u'), policy('b', 'g4u')]);
    deliverAssembly(v1);
    const v2 = synth([
      policy('a', 'g4u', 81),
      policy('c', 'g4u'),
      { ...invalid, metadata: { name: 'zz-invalid', namespace: 'g4u' } },
    ]);
    expect(errorOf(() => update(v2, v1))).toMatch(/"zz-invalid" is invalid/);
    // rollback: CloudFormation sends an Update back to the previous properties
    expect(update(v1, v2)).toMatchObject({ Pruned: 1 });
    expect(names('cnp', 'g4u')).toEqual(['ciliumnetworkpolicy.cilium.io/a', 'ciliumnetworkpolicy.cilium.io/b']);
    expect(k('get', 'cnp', 'a', '-n', 'g4u', '-o', 'jsonpath={.spec.ingress[0].toPorts[0].ports[0].port}')).toBe('80');
    remove(v1, { timeoutSeconds: 60 });
  });

  test('a Create cut off by the deadline keeps time to clean up, or names what remains', () => {
    // 3,000 objects in a 2 s budget: cut off on any machine (a larger budget made the test depend on its speed)
    const objects = Array.from({ length: 3000 }, (_, i) => policy(`p${i}`, 'g4t'));
    const assembly = synth(objects);
    try {
      const message = errorOf(() => create(assembly, { timeoutSeconds: 2 }));
      expect(message).toMatch(/did not finish within|time is used up/);
      const left = names('cnp', 'g4t');
      if (left.length > 0) {
        expect(message).toMatch(/may remain: /);
      }
    } finally {
      // What the cut-off Create left, its Namespace included (the next tests deliver as the same local owner, which
      // would otherwise prune it and count it): the namespace controller removes the contents with it.
      k('delete', 'namespace', 'g4t', '--ignore-not-found', '--timeout=120s');
    }
  });
});

describe('guarantee 5: no drift', () => {
  test('objects deleted or edited by hand are restored by the next deploy of an unchanged mesh, and counted', () => {
    const assembly = synth([policy('a', 'g5'), policy('b', 'g5'), policy('c', 'g5')]);
    deliverAssembly(assembly);
    k('delete', 'cnp', 'a', '-n', 'g5');
    k(
      'patch',
      'cnp',
      'b',
      '-n',
      'g5',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ingress/0/toPorts/0/ports/0/port","value":"1"}]',
    );
    const plan = cli(assembly, '--kubeconfig', KUBECONFIG, '--dry-run');
    expect(plan.out).toContain('  driftcorrect CiliumNetworkPolicy g5/a (cilium.io)');
    expect(plan.out[plan.out.length - 1]).toBe(
      'deliver: 0 created, 0 updated, 0 pruned, 2 unchanged, 2 drift corrected',
    );
    const r = cli(assembly, '--kubeconfig', KUBECONFIG);
    expect(r.out[r.out.length - 1]).toBe('deliver: 0 created, 0 updated, 0 pruned, 2 unchanged, 2 drift corrected');
    expect(names('cnp', 'g5')).toHaveLength(3);
    expect(k('get', 'cnp', 'b', '-n', 'g5', '-o', 'jsonpath={.spec.ingress[0].toPorts[0].ports[0].port}')).toBe('80');
    remove(assembly, { timeoutSeconds: 60 });
  });
});

describe('incremental update (issue #14, goal 4)', () => {
  /** 300 policies in `ns`; `port(i)` gives policy i's port. Several batches of ~64 (checked by each test). */
  const mesh = (ns: string, port: (i: number) => number = () => 80) =>
    Array.from({ length: 300 }, (_, i) => policy(`p${String(i).padStart(3, '0')}`, ns, port(i)));
  const port = (name: string, ns: string) =>
    k('get', 'cnp', name, '-n', ns, '-o', 'jsonpath={.spec.ingress[0].toPorts[0].ports[0].port}');
  /** The batches of `v2` that `v1` does not have, and one object of a batch both have, by name. */
  function diff(v1: string, v2: string) {
    const [b1, b2] = [batchesOf(v1), batchesOf(v2)];
    expect(b2.size).toBeGreaterThanOrEqual(3);
    const changed = [...b2.keys()].filter((key) => !b1.has(key)).map((key) => b2.get(key)!);
    const unchanged = [...b2.keys()].filter((key) => b1.has(key)).map((key) => b2.get(key)!);
    const name = (id: string) => id.split('/')[2];
    return {
      changed,
      unchanged: unchanged
        .flat()
        .filter((id) => id.startsWith('CiliumNetworkPolicy/'))
        .map(name),
    };
  }
  const parentAnnotations = (ns: string) =>
    JSON.parse(k('get', PARENTS, '-o', 'json')).items.find((p: any) =>
      (p.metadata.annotations['applyset.kubernetes.io/additional-namespaces'] ?? '').split(',').includes(ns),
    ).metadata.annotations as Record<string, string>;

  test('an Update of one object applies its batch only; new kinds and namespaces are recorded on the parent, and pruned', () => {
    const v1 = synth(mesh('gu'));
    const v2 = synth(mesh('gu', (i) => (i === 150 ? 81 : 80)));
    const { changed } = diff(v1, v2);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toContain('CiliumNetworkPolicy/gu/p150');
    expect(changed[0].length).toBeLessThan(150);
    deliverAssembly(v1);
    expect(update(v2, v1)).toEqual({
      Created: 0,
      Updated: 1,
      Unchanged: 300,
      DriftCorrected: 0,
      Adopted: 0,
      Pruned: 0,
      Applied: changed[0].length,
    });
    expect(port('p150', 'gu')).toBe('81');

    // a new kind in a new namespace: the parent's kinds and namespaces stay a true record of the members, so that a
    // full kubectl ApplySet apply (the reconcile) finds and keeps them, and their removal prunes them
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'gu-x' },
      spec: { ports: [{ port: 80 }] },
    };
    const v3 = synth([...mesh('gu', (i) => (i === 150 ? 81 : 80)), svc]);
    const added = diff(v2, v3).changed.flat();
    expect(added).toEqual(expect.arrayContaining(['Namespace//gu-x', 'Service/gu-x/svc']));
    expect(update(v3, v2)).toMatchObject({ Created: 2, Pruned: 0, Unchanged: 301, Applied: added.length });
    expect(parentAnnotations('gu')).toMatchObject({
      'applyset.kubernetes.io/contains-group-kinds': 'CiliumNetworkPolicy.cilium.io,Namespace,Service',
      'applyset.kubernetes.io/additional-namespaces': 'gu,gu-x',
    });
    expect(reconcile(v3)).toMatchObject({ Applied: 303, Unchanged: 303, Pruned: 0 });
    const back = diff(v3, v2).changed.flat();
    expect(update(v2, v3)).toMatchObject({ Applied: back.length, Pruned: 2, Unchanged: 301 });
    expect(back.length).toBeLessThan(150);
    expect(k('get', 'namespace', 'gu-x', '--ignore-not-found', '-o', 'jsonpath={.status.phase}')).toMatch(
      /^(Terminating|)$/,
    );
    k('wait', '--for=delete', 'namespace/gu-x', '--timeout=120s'); // a terminating member would be deleted (counted) again
    expect(parentAnnotations('gu')).toMatchObject({
      'applyset.kubernetes.io/contains-group-kinds': 'CiliumNetworkPolicy.cilium.io,Namespace',
      'applyset.kubernetes.io/additional-namespaces': 'gu',
    });
    expect(remove(v2, { timeoutSeconds: 120 }).Deleted).toBe(301);
  });

  test('an Update recreates an object deleted by hand in an unchanged batch; a field edited there waits for the reconcile', () => {
    const v1 = synth(mesh('gd'));
    const v2 = synth(mesh('gd', (i) => (i === 150 ? 81 : 80)));
    const { changed, unchanged } = diff(v1, v2);
    const [deleted, edited] = [unchanged[0], unchanged[unchanged.length - 1]];
    deliverAssembly(v1);
    k('delete', 'cnp', deleted, '-n', 'gd');
    k(
      'patch',
      'cnp',
      edited,
      '-n',
      'gd',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ingress/0/toPorts/0/ports/0/port","value":"1"}]',
    );
    expect(update(v2, v1)).toMatchObject({ Created: 0, Updated: 1, DriftCorrected: 1, Applied: changed[0].length + 1 });
    expect(names('cnp', 'gd')).toContain(`ciliumnetworkpolicy.cilium.io/${deleted}`);
    expect(port(edited, 'gd')).toBe('1'); // an Update does not read fields of unchanged batches (docs/delivery.md)
    expect(reconcile(v2)).toMatchObject({ Applied: 301, DriftCorrected: 1, Updated: 0, Unchanged: 300 });
    expect(port(edited, 'gd')).toBe('80');
    remove(v2, { timeoutSeconds: 120 });
  });
});

describe('guarantee 6: clean delete', () => {
  test('routes and Gateways go before Services and namespaces; a finalizer that stays is named, bounded', () => {
    const gw = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'g6' },
      spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'g6' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] },
    };
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'g6' },
      spec: { ports: [{ port: 80 }] },
    };
    const assembly = synth([svc, gw, route]);
    deliverAssembly(assembly);
    // what a load-balancer controller does: a finalizer that holds the Gateway until its NLB is gone
    k(
      'patch',
      'gateway',
      'gw',
      '-n',
      'g6',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["example.com/load-balancer"]}}',
    );
    const started = Date.now();
    expect(errorOf(() => remove(assembly, { timeoutSeconds: 25 }))).toMatch(
      /^Gateway g6\/gw \(gateway.networking.k8s.io\) still exist \d+s after deletion \(finalizers: example.com\/load-balancer;.*Nothing after them \(Services, namespaces\) was deleted/,
    );
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(names('httproutes', 'g6')).toEqual([]);
    expect(names('services', 'g6')).toEqual(['service/svc']);
    // the controller finishes; the stack deletion is retried
    k('patch', 'gateway', 'gw', '-n', 'g6', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    expect(remove(assembly, { timeoutSeconds: 120 }).Deleted).toBe(2); // the Gateway went when its finalizer did
    expect(k('get', 'namespace', 'g6', '--ignore-not-found', '-o', 'name')).toBe('');
  });
});

describe('guarantee 7: trust', () => {
  test('the narrowest identity that works: a ClusterRole for the delivered kinds, the parent type and namespaces', () => {
    // what an EKS access entry of type STANDARD maps to: a Kubernetes group, bound by RBAC (see docs/delivery.md)
    k('create', 'serviceaccount', 'mesh-delivery', '-n', 'kube-system');
    spawnApply(
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'cdk-cilium-mesh-delivery' },
        rules: [
          {
            apiGroups: ['cilium.io'],
            resources: ['ciliumnetworkpolicies'],
            verbs: ['get', 'list', 'create', 'patch', 'delete'],
          },
          { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
          {
            apiGroups: ['cdk-cilium-mesh.io'],
            resources: ['meshdeliveries'],
            verbs: ['get', 'list', 'create', 'patch', 'update', 'delete'],
          },
          { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list'] },
        ],
      }),
    );
    k(
      'create',
      'clusterrolebinding',
      'cdk-cilium-mesh-delivery',
      '--clusterrole=cdk-cilium-mesh-delivery',
      '--serviceaccount=kube-system:mesh-delivery',
    );
    const token = k('create', 'token', 'mesh-delivery', '-n', 'kube-system').trim();
    const kubeconfig = path.join(os.tmpdir(), `narrow-${process.pid}.kubeconfig`);
    k('config', 'view', '--minify', '--flatten', '--raw', '-o', 'json');
    const base = JSON.parse(k('config', 'view', '--minify', '--flatten', '--raw', '-o', 'json'));
    base.users[0].user = { token };
    fs.writeFileSync(kubeconfig, JSON.stringify(base));
    const assembly = synth([policy('a', 'g7'), policy('b', 'g7')]);
    expect(deliverAssembly(assembly, { kubeconfig })).toMatchObject({ Created: 3 });
    // and it can do nothing else, e.g. read Secrets
    expect(errorOf(() => k('--kubeconfig', kubeconfig, 'get', 'secrets', '-A'))).toMatch(/forbidden/);
    expect(remove(assembly, { kubeconfig, timeoutSeconds: 60 }).Deleted).toBe(3);
  });
});

describe('guarantee 8: membership tracked by a kubectl ApplySet', () => {
  test('the parent records the kinds and namespaces, members carry part-of, removal prunes, a copied label does not', () => {
    const v1 = synth([policy('a', 'g8'), policy('b', 'g8')]);
    deliverAssembly(v1);
    const parent = JSON.parse(k('get', PARENTS, '-o', 'json')).items.find(
      (p: any) =>
        p.metadata.annotations['cdk-cilium-mesh.io/stack-id'] === 'local:aws://111111111111/eu-west-1/Mesh' &&
        p.metadata.annotations['applyset.kubernetes.io/additional-namespaces']?.includes('g8'),
    );
    expect(parent.metadata.labels['applyset.kubernetes.io/id']).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
    expect(parent.metadata.annotations['applyset.kubernetes.io/contains-group-kinds']).toBe(
      'CiliumNetworkPolicy.cilium.io,Namespace',
    );
    expect(
      k('get', 'cnp', 'a', '-n', 'g8', '-o', 'jsonpath={.metadata.labels.applyset\\.kubernetes\\.io/part-of}'),
    ).toBe(parent.metadata.labels['applyset.kubernetes.io/id']);

    // someone copies the member label onto an object of theirs: it is not pruned, and the deploy says so
    spawnApply(
      JSON.stringify({
        ...policy('theirs', 'g8'),
        metadata: {
          name: 'theirs',
          namespace: 'g8',
          labels: { 'applyset.kubernetes.io/part-of': parent.metadata.labels['applyset.kubernetes.io/id'] },
        },
      }),
    );
    const v2 = synth([policy('a', 'g8')]);
    expect(errorOf(() => update(v2, v1))).toMatch(
      /^CiliumNetworkPolicy g8\/theirs \(cilium.io\) carries the ApplySet label of this mesh .* it is not pruned/,
    );
    k('delete', 'cnp', 'theirs', '-n', 'g8');
    expect(update(v2, v1)).toMatchObject({ Pruned: 1, Unchanged: 2 });
    expect(names('cnp', 'g8')).toEqual(['ciliumnetworkpolicy.cilium.io/a']);
    remove(v2, { timeoutSeconds: 60 });
  });
});

describe('mass prune', () => {
  test('removing 150 members prunes them in parallel, in an Update and in a full apply (after a server-side dry run), counting each once', () => {
    const many = Array.from({ length: 150 }, (_, i) => policy(`p${String(i).padStart(3, '0')}`, 'gp'));
    const v1 = synth([policy('keep', 'gp'), ...many]);
    deliverAssembly(v1);
    expect(names('cnp', 'gp')).toHaveLength(151);
    const v2 = synth([policy('keep', 'gp')]);
    expect(update(v2, v1)).toMatchObject({ Pruned: 150, Unchanged: 2 });
    expect(names('cnp', 'gp')).toEqual(['ciliumnetworkpolicy.cilium.io/keep']);
    // the CLI's delivery is a full apply (a Create of the same owner): its mass prune goes before kubectl's apply
    expect(deliverAssembly(v1)).toMatchObject({ Created: 150, Unchanged: 2 });
    expect(deliverAssembly(v2)).toMatchObject({ Pruned: 150, Unchanged: 2 });
    expect(names('cnp', 'gp')).toEqual(['ciliumnetworkpolicy.cilium.io/keep']);
    remove(v2, { timeoutSeconds: 60 });
  });
});

function unreachable(): string {
  const base = JSON.parse(k('config', 'view', '--minify', '--flatten', '--raw', '-o', 'json'));
  base.clusters[0].cluster.server = 'https://127.0.0.1:1';
  const file = path.join(os.tmpdir(), `unreachable-${process.pid}.kubeconfig`);
  fs.writeFileSync(file, JSON.stringify(base));
  return file;
}

describe('bad input', () => {
  test('each gives one line and a non-zero exit', () => {
    const assembly = synth([policy('a', 'bad')]);
    const rejected = synth([
      policy('fine', 'bad-rejected'),
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'x', namespace: 'bad-rejected' },
        spec: {},
      },
    ]);
    const withoutCilium = synth([
      { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumNoSuchKind', metadata: { name: 'x', namespace: 'bad' } },
    ]);
    const cases: [string[], RegExp][] = [
      [[path.join(os.tmpdir(), 'no-such-dir')], /is not a cloud assembly \(no manifest.json\)/],
      [[assembly, '--kubeconfig', '/no/such/file'], /kubeconfig \/no\/such\/file does not exist/],
      [[assembly, '--kubeconfig', KUBECONFIG, '--stack', 'Other'], /no stack Other in .*; stacks: Mesh/],
      [
        [assembly, '--kubeconfig', unreachable()],
        /^deliver: error: Mesh\/Delivery: kubectl get .* failed: .*connection refused/,
      ],
      [
        [rejected, '--kubeconfig', KUBECONFIG],
        /^deliver: error: Mesh\/Delivery: kubectl apply .* failed: The CiliumNetworkPolicy "x" is invalid: /,
      ],
      [
        [withoutCilium, '--kubeconfig', KUBECONFIG],
        /does not serve cilium.io\/v2alpha1\/CiliumNoSuchKind: install its CRDs first/,
      ],
      [
        [assembly, '--kubeconfig', KUBECONFIG, '--context', 'nope'],
        /^deliver: error: Mesh\/Delivery: kubeconfig \/.*: error: cannot locate context nope$/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.code).toBe(1);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    }
    // the rejected delivery left nothing half-applied: what it created (its namespace, the valid policy) is gone
    expect(k('get', 'namespace', 'bad-rejected', '--ignore-not-found', '-o', 'jsonpath={.status.phase}')).not.toBe(
      'Active',
    );
    expect(k('get', 'cnp', '-n', 'bad-rejected', '-o', 'name')).toBe('');
  });
});
