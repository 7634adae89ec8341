/** ReferenceGrants stay within the CRD's 16 `from` and 16 `to` entries at any scale (issue #13, item 1). */
import { Testing } from 'cdk8s';
import { Backend, HttpRoute, ParentRef } from '../../../lib';
import { recordManifests } from '../../util/record';
import { meshFor } from './util';

function grantsFor(routes: { ns: string; target: string }[], order: number[] = routes.map((_, i) => i)) {
  const mesh = meshFor();
  for (const i of order) {
    const r = routes[i];
    new HttpRoute(mesh, `R${i}`, {
      namespace: r.ns,
      parentRefs: [ParentRef.service(Backend.fromName(r.ns, `front${i}`, 80))],
      rules: [{ backendRefs: [{ backend: Backend.fromName('shared', r.target, 80) }] }],
    });
  }
  return { mesh, grants: Testing.synth(mesh).filter((o: any) => o.kind === 'ReferenceGrant') };
}

/** Every (from, to) pair the grants allow. */
function pairs(grants: any[]): Set<string> {
  const out = new Set<string>();
  for (const g of grants)
    for (const f of g.spec.from) for (const t of g.spec.to) out.add(`${f.kind}/${f.namespace}->${t.kind}/${t.name}`);
  return out;
}

describe('ReferenceGrants', () => {
  test('one grant up to 16 entries, as before', () => {
    const { grants } = grantsFor(Array.from({ length: 16 }, (_, i) => ({ ns: `team${i}`, target: `api${i}` })));
    expect(grants).toHaveLength(1);
    expect(grants[0].metadata.name).toBe('mesh-referencegrants-shared-c898d255');
    expect(grants[0].spec.from).toHaveLength(16);
  });

  test('17 Services or 17 referring namespaces split into grants of at most 16 each, with the same permissions', () => {
    const routes = Array.from({ length: 17 }, (_, i) => ({ ns: `team${i}`, target: `api${i}` }));
    const { mesh, grants } = grantsFor(routes);
    expect(grants.map((g) => [g.metadata.name, g.spec.from.length, g.spec.to.length])).toEqual([
      ['mesh-referencegrants-shared-c898d255', 16, 16],
      ['mesh-referencegrants-shared.1-c8002ca6', 16, 1],
      ['mesh-referencegrants-shared.2-c8088d8a', 1, 16],
      ['mesh-referencegrants-shared.3-c8026029', 1, 1],
    ]);
    expect(pairs(grants).size).toBe(17 * 17);
    recordManifests('reference-grants-17', Testing.synth(mesh));
  });

  test('at 300 routes every grant is within the limit, every reference is granted, and the order of routes does not matter', () => {
    const routes = Array.from({ length: 300 }, (_, i) => ({ ns: `team${i % 40}`, target: `api${i % 70}` }));
    const a = grantsFor(routes);
    const b = grantsFor(
      routes,
      routes.map((_, i) => routes.length - 1 - i),
    );
    for (const g of a.grants) {
      expect(g.spec.from.length).toBeLessThanOrEqual(16);
      expect(g.spec.to.length).toBeLessThanOrEqual(16);
    }
    expect(a.grants).toHaveLength(3 * 5);
    for (const r of routes) expect(pairs(a.grants).has(`HTTPRoute/${r.ns}->Service/${r.target}`)).toBe(true);
    expect(JSON.stringify(Testing.synth(b.mesh).filter((o: any) => o.kind === 'ReferenceGrant'))).toBe(
      JSON.stringify(a.grants),
    );
    recordManifests('reference-grants-300', a.grants);
  });
});
