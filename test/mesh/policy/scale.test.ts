import { Testing } from 'cdk8s';
import { DefaultDeny, Peer, Port, Workload } from '../../../lib';
import { newMesh } from './util';

describe('scale', () => {
  test('5,000 policies (plus mirrored rules) synthesize in seconds', () => {
    const start = Date.now();
    const mesh = newMesh();
    const namespaces = 50;
    const perNamespace = 100;
    for (let n = 0; n < namespaces; n++) {
      new DefaultDeny(mesh, `Ns${n}`, { namespace: `team-${n}` });
    }
    let previous: Workload | undefined;
    for (let i = 0; i < namespaces * perNamespace; i++) {
      const w = new Workload(mesh, `W${i}`, { namespace: `team-${i % namespaces}`, labels: { app: `app-${i}` } });
      w.allowTo(Peer.cidr(`10.${i % 256}.0.0/16`), { ports: [Port.tcp(443)] });
      if (previous) {
        w.allowFrom(previous, { ports: [Port.tcp(8080)] });
      }
      previous = w;
    }
    const objects = Testing.synth(mesh);
    const seconds = (Date.now() - start) / 1000;
    expect(objects).toHaveLength(namespaces + namespaces * perNamespace);
    // Every workload but the last got the mirrored egress rule towards its successor.
    expect(objects.filter((o: any) => o.spec.egress?.length === 2)).toHaveLength(namespaces * perNamespace - 1);
    expect(seconds).toBeLessThan(20);

    console.log(`synthesized ${objects.length} objects in ${seconds.toFixed(2)}s`);
  });
});
