import { Template } from 'aws-cdk-lib/assertions';
import { ApiObject, App as K8sApp } from 'cdk8s';
import { brokenLimits, templateFacts } from '../../bench/limits';
import { syntheticPolicy } from '../../bench/synthetic';
import { MeshDelivery } from '../../lib/delivery';
import { ServiceMesh } from '../../lib/mesh/service-mesh';
import { eksClusterStack } from '../util/clusters';

test('5,000 policies with a real cluster stay within every CloudFormation limit', () => {
  const { stack, cluster } = eksClusterStack({ validation: false });
  const mesh = new ServiceMesh(new K8sApp(), 'mesh');
  for (let i = 0; i < 5000; i++) new ApiObject(mesh, `p${i}`, syntheticPolicy(i));
  const delivery = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });

  const facts = templateFacts(Template.fromStack(stack).toJSON());
  // 5,000 policies and the Namespace of each of their namespaces, created by the mesh
  const namespaces = new Set(Array.from({ length: 5000 }, (_, i) => syntheticPolicy(i).metadata.namespace)).size;
  expect(delivery.plan.objectCount).toBe(5000 + namespaces);
  expect(brokenLimits(facts)).toEqual([]);
  expect(facts.customResources).toBe(1);
  expect(facts.templateBytes).toBeLessThan(100_000);
  expect(facts.resources).toBeLessThan(100);
  // one s3:GetObject statement for every batch (a statement per batch stops at ~10,500 objects)
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  const getObject = policies
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((st) => JSON.stringify(st.Action).includes('s3:GetObject'));
  expect(getObject).toHaveLength(1);
  expect(facts.largestRequestBytes).toBeLessThan(64 * 1024);
  const sizes = delivery.plan.batches.map((b) => Buffer.byteLength(b.content));
  expect(Math.max(...sizes)).toBeLessThanOrEqual(256 * 1024);

  console.log(
    JSON.stringify({ ...facts, batches: delivery.plan.batches.length, largestBatchBytes: Math.max(...sizes) }),
  );
});
