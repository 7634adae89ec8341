import { Testing } from 'cdk8s';
import { DefaultDeny, Entity, HttpRule, Peer, Port, Workload } from '../../../lib';
import { recordManifests } from '../../util/record';
import { newMesh } from './util';

type Step = (ctx: { mesh: any; w: Record<string, Workload> }) => void;

const steps: Step[] = [
  ({ w }) =>
    w.api.allowFrom(w.web, { ports: [Port.tcp(8080), Port.tcp(8443)], http: [HttpRule.get('/b'), HttpRule.get('/a')] }),
  ({ w }) => w.api.allowTo(w.db, { ports: [Port.tcp(5432)] }),
  ({ w }) => w.api.allowTo(Peer.fqdn('z.example.com'), { ports: [Port.tcp(443)] }),
  ({ w }) => w.api.allowTo(Peer.fqdn('a.example.com'), { ports: [Port.tcp(443)] }),
  ({ w }) => w.api.denyFrom(Peer.entity(Entity.WORLD)),
  ({ w }) => w.web.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(80)] }),
  ({ mesh }) => new DefaultDeny(mesh, 'Shop', { namespace: 'shop' }),
  ({ mesh }) => new DefaultDeny(mesh, 'Data', { namespace: 'data', egress: false }),
];

function build(order: number[]): string {
  const mesh = newMesh();
  const w = {
    web: new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } }),
    api: new Workload(mesh, 'Api', { namespace: 'shop', labels: { tier: 'api', app: 'api' } }),
    db: new Workload(mesh, 'Db', { namespace: 'data', labels: { app: 'db' } }),
  };
  order.forEach((i) => steps[i]({ mesh, w }));
  const objects = Testing.synth(mesh);
  recordManifests(`policy-determinism-${order.join('')}`, objects, 'cilium-1.20');
  const byName = new Map(objects.map((o: any) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));
  return JSON.stringify([...byName.keys()].sort().map((k) => byName.get(k)));
}

describe('determinism', () => {
  test('reordering independent declarations does not change any object', () => {
    const forward = build([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(build([7, 6, 5, 4, 3, 2, 1, 0])).toBe(forward);
    expect(build([6, 3, 0, 7, 1, 5, 2, 4])).toBe(forward);
  });

  test('synthesizing twice gives identical output', () => {
    expect(build([0, 1, 2, 3, 4, 5, 6, 7])).toBe(build([0, 1, 2, 3, 4, 5, 6, 7]));
  });
});
