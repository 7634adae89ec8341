import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { Entity, MeshAssertions, Peer, Port, ServiceMesh, Workload } from '../../../lib';
import {
  addressIdentity,
  bruteForce,
  fqdnIdentity,
  type Identity,
  podIdentity,
  requestMatches,
  reservedIdentity,
} from './brute-force';
import { largeMesh, trickyMesh } from './fixtures';

/**
 * For every example mesh (every `*Stack` class of examples/ that has a `mesh`, and every exported `build*Mesh`
 * function, so new examples are covered without listing them), two meshes built to exercise what the examples do
 * not (deny rules, cluster-wide policies, CIDRs) and a larger mesh: every pair of endpoints and every declared port,
 * MeshAssertions and the brute-force evaluator agree.
 */
function exampleMeshes(): Record<string, () => ServiceMesh> {
  const dir = path.resolve(__dirname, '../../../examples');
  const out: Record<string, () => ServiceMesh> = {};
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    // Every example file, found by listing the folder (a static import would have to name each one).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (typeof value !== 'function') continue;
      if (/Stack$/.test(name)) {
        const Ctor = value as new (app: App, id: string) => { mesh?: unknown };
        if (ServiceMesh.isServiceMesh(new Ctor(new App(), 'Probe').mesh)) {
          out[`${path.basename(file, '.ts')} (${name})`] = () => new Ctor(new App(), 'Example').mesh as ServiceMesh;
        }
      } else if (/^build\w*Mesh$/.test(name)) {
        out[`${path.basename(file, '.ts')} (${name})`] = () =>
          (value as (app: cdk8s.App) => ServiceMesh)(cdk8s.Testing.app());
      }
    }
  }
  return out;
}

const MESHES: Record<string, () => ServiceMesh> = {
  ...exampleMeshes(),
  tricky: trickyMesh,
  large: () => largeMesh(12, 3),
};

interface Universe {
  readonly identities: Identity[];
  /** what MeshAssertions is asked with, per identity id */
  readonly refs: Map<string, Parameters<MeshAssertions['explain']>[0]>;
  /** Service identities: port → targetPort */
  readonly targetPorts: Map<string, Map<number, number>>;
  readonly ports: string[];
}

function universeOf(mesh: ServiceMesh): Universe {
  const objects: any[] = mesh.toJson();
  const identities: Identity[] = [];
  const refs = new Map<string, any>();
  const targetPorts = new Map<string, Map<number, number>>();
  const ports = new Set<string>(['TCP/53', 'UDP/53', 'TCP/443', 'TCP/80']);
  const addPort = (protocol: string, port: number) => {
    for (const pr of protocol === 'ANY' ? ['TCP', 'UDP'] : [protocol]) ports.add(`${pr}/${port}`);
  };
  for (const w of mesh.node.findAll().filter((c): c is Workload => c instanceof Workload)) {
    const id = `${w.namespace}/${w.node.id}`;
    identities.push(
      podIdentity(id, w.namespace, { ...w.labels }, w.service ? [`${w.namespace}/${w.service.name}`] : []),
    );
    refs.set(id, w);
    w.ports.forEach((p) => {
      addPort(p.protocol, p.startPort);
      if (p.endPort) addPort(p.protocol, p.endPort);
    });
  }
  for (const s of objects.filter((o) => o.kind === 'Service' && o.spec?.selector)) {
    const id = `${s.metadata.namespace}/${s.metadata.name}`;
    identities.push(podIdentity(`svc ${id}`, s.metadata.namespace, s.spec.selector, [id]));
    refs.set(`svc ${id}`, id);
    const map = new Map<number, number>();
    for (const p of s.spec.ports ?? []) {
      map.set(p.port, typeof p.targetPort === 'number' ? p.targetPort : p.port);
      addPort(p.protocol ?? 'TCP', p.port);
      if (typeof p.targetPort === 'number') addPort(p.protocol ?? 'TCP', p.targetPort);
    }
    targetPorts.set(`svc ${id}`, map);
  }
  for (const e of [Entity.WORLD, Entity.KUBE_APISERVER, Entity.INGRESS, Entity.HOST, Entity.REMOTE_NODE]) {
    identities.push(reservedIdentity(e));
    refs.set(`entity ${e}`, Peer.entity(e));
  }
  const names = new Set(['unlisted.example.org']);
  const addresses = new Set(['192.0.2.10', '10.9.1.1']);
  const visit = (x: any): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      if (typeof x.matchName === 'string' && !('matchPattern' in x)) names.add(x.matchName);
      if (typeof x.cidr === 'string' && !x.cidr.includes(':')) addresses.add(x.cidr.split('/')[0]);
      if (x.port !== undefined && x.protocol !== undefined && /^\d+$/.test(String(x.port))) {
        addPort(x.protocol, Number(x.port));
        if (x.endPort) addPort(x.protocol, x.endPort);
      }
      Object.values(x).forEach(visit);
    }
  };
  objects.filter((o) => o.kind.startsWith('Cilium')).forEach(visit);
  for (const n of names) {
    identities.push(fqdnIdentity(n));
    refs.set(n, Peer.fqdn(n));
  }
  for (const a of addresses) {
    identities.push(addressIdentity(a));
    refs.set(a, Peer.cidr(`${a}/32`));
  }
  return { identities, refs, targetPorts, ports: [...ports].sort() };
}

function portOf(key: string): Port {
  const [proto, port] = key.split('/');
  return proto === 'UDP' ? Port.udp(Number(port)) : Port.tcp(Number(port));
}

const totals = { meshes: 0, questions: 0, allowed: 0, conditional: 0, l7: 0, requests: 0 };

/** Requests asked on every L7-filtered connection. */
const REQUESTS = [
  { method: 'GET', path: '/api/orders' },
  { method: 'POST', path: '/api/orders' },
  { method: 'GET', path: '/v1/items' },
  { method: 'POST', path: '/v1/orders' },
  { method: 'DELETE', path: '/v1/orders' },
  { method: 'POST', path: '/orders' },
  { method: 'GET', path: '/' },
  { method: 'HEAD', path: '/api' },
];

describe('MeshAssertions agrees with the brute-force evaluator', () => {
  test('every example with a mesh is covered', () => {
    expect(Object.keys(MESHES).filter((k) => k.includes('('))).toEqual(
      expect.arrayContaining([
        'canary (CanaryStack)',
        'east-west (EastWestStack)',
        'gitops (buildGitOpsMesh)',
        'resilience (ResilienceStack)',
        'zero-trust (ZeroTrustStack)',
      ]),
    );
  });

  test.each(Object.keys(MESHES))('%s: every endpoint pair and declared port', (name) => {
    const mesh = MESHES[name]();
    const u = universeOf(mesh);
    const assertions = MeshAssertions.of(mesh);
    const objects = mesh.toJson();
    // the brute force sees pod ports; a Service destination's port is translated as the Service says
    const expected = bruteForce(objects, u.identities, u.ports);
    const disagreements: string[] = [];
    let questions = 0;
    for (const from of u.identities) {
      for (const to of u.identities) {
        if (from === to || (!from.pod && !to.pod)) continue;
        for (const port of u.ports) {
          const [proto, number] = port.split('/');
          const target = u.targetPorts.get(to.id)?.get(Number(number));
          const want =
            expected.get(`${from.id}|${to.id}|${target !== undefined ? `${proto}/${target}` : port}`) ??
            bruteForce(objects, u.identities, [`${proto}/${target}`]).get(`${from.id}|${to.id}|${proto}/${target}`)!;
          const got = assertions.explain(u.refs.get(from.id)!, u.refs.get(to.id)!, portOf(port));
          const gotL7 = got.sides.some((s) => s.httpRules.length > 0 || s.dnsRules.length > 0);
          questions++;
          totals.allowed += got.allowed ? 1 : 0;
          totals.conditional += got.conditions.length > 0 ? 1 : 0;
          totals.l7 += gotL7 ? 1 : 0;
          if (got.allowed !== want.allowed || (got.allowed && gotL7 !== want.l7)) {
            disagreements.push(
              `${got.explanation}\n  brute force: ${want.allowed ? 'allowed' : 'denied'}${want.l7 ? ' (L7 filtered)' : ''}`,
            );
          }
          if (got.allowed && want.http.length > 0) {
            for (const req of REQUESTS) {
              const wantReq = want.http.every((side) => side.some((r) => requestMatches(r, req)));
              const gotReq = assertions.explain(u.refs.get(from.id)!, u.refs.get(to.id)!, portOf(port), req).allowed;
              totals.requests++;
              if (gotReq !== wantReq) {
                disagreements.push(
                  `${req.method} ${req.path}: ${gotReq ? 'allowed' : 'denied'}, brute force ${wantReq ? 'allowed' : 'denied'}\n${got.explanation}`,
                );
              }
            }
          }
        }
      }
    }
    totals.meshes++;
    totals.questions += questions;
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(questions).toBeGreaterThan(50);
  });

  afterAll(() => {
    // The numbers for the report: printed once, not asserted.
    process.stdout.write(
      `cross-check: ${totals.meshes} meshes, ${totals.questions} (from, to, port) questions agreed, ` +
        `${totals.allowed} allowed, ${totals.l7} L7-filtered, ${totals.conditional} conditional; ` +
        `${totals.requests} HTTP requests on L7-filtered connections agreed\n`,
    );
  });
});
