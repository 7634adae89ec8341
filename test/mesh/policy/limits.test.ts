/** CRD limits of CiliumNetworkPolicies at synth (issue #13, items 2, 3 and 5). */
import { Token } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import {
  chainingProfile,
  CiliumVersion,
  ClusterSelector,
  ClusterwidePolicy,
  DefaultDeny,
  Entity,
  GatewayApiChannel,
  HttpRule,
  Peer,
  Port,
  Protocol,
  ServiceMesh,
  Workload,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { newMesh } from './util';

function setup() {
  const mesh = newMesh();
  const ports = Array.from({ length: 85 }, (_, i) => Port.tcp(8000 + i));
  const web = new Workload(mesh, 'Web', { namespace: 'team', labels: { app: 'web' }, ports });
  return { mesh, web, ports };
}

describe('toPorts', () => {
  test('more than 40 ports in one rule are split into toPorts entries of at most 40, sorted, each with the L7 rules', () => {
    const { mesh, web, ports } = setup();
    web.allowFrom(Peer.entity(Entity.CLUSTER));
    web.allowTo(Peer.cidr('10.0.0.0/8'), { ports, http: [HttpRule.get('/api/.*')] });
    web.denyTo(Peer.cidr('192.168.0.0/16'), { ports: ports.slice(0, 41) });
    new DefaultDeny(mesh, 'Deny', { namespace: 'team' });
    const objects = Testing.synth(mesh);
    const spec = objects.find((o: any) => o.kind === 'CiliumNetworkPolicy' && o.spec.ingress).spec;
    expect(spec.ingress[0].toPorts.map((t: any) => t.ports.length)).toEqual([40, 40, 5]);
    expect(spec.ingress[0].toPorts.flatMap((t: any) => t.ports.map((p: any) => p.port))).toEqual(
      ports.map((p) => String(p.startPort)).sort(),
    );
    expect(
      spec.egress.find((r: any) => r.toCIDRSet).toPorts.map((t: any) => [t.ports.length, t.rules.http.length]),
    ).toEqual([
      [40, 1],
      [40, 1],
      [5, 1],
    ]);
    expect(spec.egressDeny[0].toPorts.map((t: any) => t.ports.length)).toEqual([40, 1]);
    recordManifests('policy-limits-85-ports', objects);
  });
});

describe('enums passed from JavaScript', () => {
  test('an entity or protocol outside the enum is refused with the policy path', () => {
    const { web } = setup();
    expect(() => web.allowTo(Peer.entity('World' as Entity))).toThrow(
      /^entity must be one of 'world', 'cluster', .*, got 'World'; use the enum's constants \[at Mesh\/Web\/Policy\]$/,
    );
    expect(() => web.allowTo(Peer.entity(Entity.WORLD), { ports: [Port.range('tcp' as Protocol, 80, 81)] })).toThrow(
      /^port protocol must be one of 'TCP', 'UDP', 'SCTP', 'ANY', got 'tcp'.* \[at Mesh\/Web\/Policy\]$/,
    );
  });
});

describe('tokens', () => {
  test('a CDK token as a port number is refused as a token', () => {
    const { web } = setup();
    expect(() =>
      web.allowTo(Peer.entity(Entity.WORLD), { ports: [Port.tcp(Token.asNumber({ Ref: 'Port' }))] }),
    ).toThrow(/^port of TCP\/.* is an unresolved CDK token; .*pass a literal number \[at Mesh\/Web\/Policy\]$/);
  });
});

describe('CiliumVersion.of on the mesh profile', () => {
  test('an invalid version is refused by the mesh, with its path', () => {
    expect(
      () =>
        new ServiceMesh(Testing.app(), 'Mesh', {
          cilium: chainingProfile({ version: CiliumVersion.of('1.x'), gatewayApiChannel: GatewayApiChannel.STANDARD }),
        }),
    ).toThrow(/^Cilium version must be MAJOR.MINOR.PATCH .*got '1.x'; .* \[at Mesh\]$/);
  });
});

describe('ClusterSelector.podLabels', () => {
  test('labels are checked like every other label map (found by the sweep)', () => {
    const mesh = newMesh();
    expect(
      () => new ClusterwidePolicy(mesh, 'Base', { selector: ClusterSelector.podLabels({ tier: 'x'.repeat(64) }) }),
    ).toThrow(/^label value for 'tier' must be at most 63 characters.* \[at Mesh\/Base\]$/);
  });
});
