import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { Entity, Peer, Workload } from '../../../lib';
import { newMesh } from '../policy/util';

describe('names and labels', () => {
  test('namespace must be a DNS-1123 label', () => {
    const mesh = newMesh();
    expect(() => new Workload(mesh, 'W', { namespace: 'Shop_1', labels: { app: 'w' } })).toThrow(
      /workload namespace must be a DNS-1123 label .* got 'Shop_1'; use a name such as 'shop-1' \[at Mesh\/W\]/,
    );
  });

  test('label keys are validated', () => {
    expect(() => new Workload(newMesh(), 'W', { namespace: 'shop', labels: { 'bad key': 'x' } })).toThrow(
      /label key must be .* got 'bad key'.*\[at Mesh\/W\]/,
    );
  });

  test('label values are validated', () => {
    expect(() => new Workload(newMesh(), 'W', { namespace: 'shop', labels: { app: '-web-' } })).toThrow(
      /label value for 'app' .* got '-web-'; shorten or simplify the value \[at Mesh\/W\]/,
    );
  });

  test('empty labels must be explicit', () => {
    expect(() => new Workload(newMesh(), 'W', { namespace: 'shop', labels: {} })).toThrow(
      /labels are empty, which would select every pod in namespace 'shop'; say so explicitly with Workload\.allInNamespace\(scope, id, 'shop'\).*\[at Mesh\/W\]/,
    );
  });

  test('namespace label in workload labels is refused', () => {
    expect(
      () => new Workload(newMesh(), 'W', { namespace: 'shop', labels: { 'io.kubernetes.pod.namespace': 'x' } }),
    ).toThrow(/must not contain 'io.kubernetes.pod.namespace'; pass the namespace in 'namespace' \[at Mesh\/W\]/);
  });

  test('ServiceAccount names are DNS-1123 subdomains', () => {
    expect(() => Workload.fromServiceAccount(newMesh(), 'Sa', { namespace: 'shop', name: 'Bad_SA' })).toThrow(
      /ServiceAccount name must be a DNS-1123 subdomain .* got 'Bad_SA'.*\[at Mesh\]/,
    );
  });

  test('a cdk8s-plus resource without namespace needs one', () => {
    const chart = new Chart(Testing.app(), 'Apps');
    const d = new kplus.Deployment(chart, 'D', {
      containers: [{ image: 'x', securityContext: { ensureNonRoot: false } }],
    });
    expect(() => Workload.fromDeployment(newMesh(), 'D', d)).toThrow(
      /the Deployment for workload 'D' has no metadata.namespace; set it on the Deployment or pass \{ namespace \}/,
    );
  });

  test('long construct paths get a stable hashed name of at most 63 characters', () => {
    const mesh = newMesh();
    let scope: Construct = mesh;
    for (let i = 0; i < 6; i++) scope = new Construct(scope, `AVeryLongConstructIdentifierLevel${i}`);
    const w = new Workload(scope, 'W', { namespace: 'shop', labels: { app: 'w' } });
    w.allowFrom(Peer.entity(Entity.CLUSTER));
    const name = w.policy.name;
    expect(name).toMatch(/^averylongconstructidentifierlevel0-averylongconstruct[a-z-]*-[0-9a-f]{8}$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toBe(w.policy.name);
  });

  test('mesh constructs outside a ServiceMesh are refused', () => {
    expect(
      () => new Workload(new Construct(Testing.app(), 'NoMesh'), 'W', { namespace: 'shop', labels: { app: 'w' } }),
    ).toThrow(/must be created inside a ServiceMesh/);
  });
});
