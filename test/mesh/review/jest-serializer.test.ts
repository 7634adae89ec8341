import * as cdk8s from 'cdk8s';
import { chainingProfile, DefaultDeny, MeshDelivery, Port, ServiceMesh, Workload } from '../../../lib';
import {
  MASKED_HASH,
  maskTemplate,
  meshSnapshotSerializer,
  stackSnapshot,
} from '../../../lib/mesh/review/jest-serializer';
import { importedClusterStack } from '../../util/clusters';

expect.addSnapshotSerializer(meshSnapshotSerializer);

/** An imported cluster receiving one small mesh; `port` is the only thing that differs between calls. */
function deliveryStack(port: number) {
  const { stack, cluster } = importedClusterStack();
  const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: chainingProfile() });
  const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' }, ports: [Port.tcp(port)] });
  const web = new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } });
  new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
  api.allowFrom(web);
  new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
  return stack;
}

describe('jest snapshot serializer', () => {
  const hash = 'a'.repeat(64);

  test('masks asset hashes in values and keys, drops CDK metadata, keeps the rest', () => {
    const template = {
      Conditions: { CDKMetadataAvailable: { 'Fn::Equals': [1, 1] } },
      Resources: {
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:H4sI...' } },
        Handler: {
          Type: 'AWS::Lambda::Function',
          Properties: { Code: { S3Key: `${hash}.zip` }, Runtime: 'python3.13' },
        },
        Objects: {
          Type: 'Custom::CiliumMeshObjects',
          Properties: { Sources: [{ Key: `${hash}.json`, Sha256: hash }] },
        },
      },
    };
    expect(maskTemplate(template)).toEqual({
      Resources: {
        Handler: {
          Type: 'AWS::Lambda::Function',
          Properties: { Code: { S3Key: `${MASKED_HASH}.zip` }, Runtime: 'python3.13' },
        },
        Objects: {
          Type: 'Custom::CiliumMeshObjects',
          Properties: { Sources: [{ Key: `${MASKED_HASH}.json`, Sha256: MASKED_HASH }] },
        },
      },
    });
    expect(meshSnapshotSerializer.test(template)).toBe(true);
    expect(meshSnapshotSerializer.test(maskTemplate(template))).toBe(false);
    expect(meshSnapshotSerializer.test({ Resource: 'x' })).toBe(false);
  });

  test('a dependency bump (another handler asset) does not change the snapshot; a policy change does', () => {
    const a = { Resources: { H: { Properties: { Code: { S3Key: `${'1'.repeat(64)}.zip` } } } } };
    const b = { Resources: { H: { Properties: { Code: { S3Key: `${'2'.repeat(64)}.zip` } } } } };
    expect(maskTemplate(a)).toEqual(maskTemplate(b));
    const before = stackSnapshot(deliveryStack(8080));
    const after = stackSnapshot(deliveryStack(8081));
    expect(after.template).toEqual(before.template); // the template only holds hashes of the objects
    expect(after.meshes).not.toEqual(before.meshes); // the snapshot shows the change
    expect(after.meshes['Stack.shop.mesh.yaml']).toMatch(/port: "8081"/);
  });

  test('a stack snapshot: the masked template and the readable mesh', () => {
    expect(deliveryStack(8080)).toMatchSnapshot();
  });
});
