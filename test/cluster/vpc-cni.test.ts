import { renderVpcCniConfiguration, VPC_CNI_MAX_MTU, VPC_CNI_MIN_MTU } from '../../lib/cluster/vpc-cni';
import { MeshValidationError } from '../../lib/private/errors';

describe('renderVpcCniConfiguration', () => {
  test('defaults: jumbo MTU on ENIs and pods, no prefix delegation, VPC CNI network policy off', () => {
    expect(renderVpcCniConfiguration()).toEqual({
      env: { AWS_VPC_ENI_MTU: '9001', ENABLE_PREFIX_DELEGATION: 'false', POD_MTU: '9001' },
      enableNetworkPolicy: 'false',
    });
  });

  test('the JSON has a fixed key order (deterministic configurationValues)', () => {
    expect(JSON.stringify(renderVpcCniConfiguration({ prefixDelegation: true, mtu: 1500 }))).toBe(
      '{"env":{"AWS_VPC_ENI_MTU":"1500","ENABLE_PREFIX_DELEGATION":"true","POD_MTU":"1500"},"enableNetworkPolicy":"false"}',
    );
  });

  test('mtu sets both ENI and pod MTU; podMtu overrides the pod side only', () => {
    expect(renderVpcCniConfiguration({ mtu: 1500 }).env).toMatchObject({ AWS_VPC_ENI_MTU: '1500', POD_MTU: '1500' });
    expect(renderVpcCniConfiguration({ podMtu: 8951 }).env).toMatchObject({ AWS_VPC_ENI_MTU: '9001', POD_MTU: '8951' });
  });

  test('prefix delegation renders as a string boolean', () => {
    expect(renderVpcCniConfiguration({ prefixDelegation: true }).env.ENABLE_PREFIX_DELEGATION).toBe('true');
    expect(renderVpcCniConfiguration({ prefixDelegation: false }).env.ENABLE_PREFIX_DELEGATION).toBe('false');
  });

  test('clusterEndpoint becomes CLUSTER_ENDPOINT only when given', () => {
    expect(renderVpcCniConfiguration().env.CLUSTER_ENDPOINT).toBeUndefined();
    expect(renderVpcCniConfiguration({ clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' }).env).toEqual({
      AWS_VPC_ENI_MTU: '9001',
      CLUSTER_ENDPOINT: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      ENABLE_PREFIX_DELEGATION: 'false',
      POD_MTU: '9001',
    });
  });

  test('the MTU range edges are accepted', () => {
    expect(renderVpcCniConfiguration({ mtu: VPC_CNI_MIN_MTU }).env.AWS_VPC_ENI_MTU).toBe('576');
    expect(renderVpcCniConfiguration({ mtu: VPC_CNI_MAX_MTU }).env.AWS_VPC_ENI_MTU).toBe('9001');
  });

  test.each([
    [70000, /vpcCni.mtu must be an integer from 576 to 9001, got 70000; use 9001 inside a VPC or 1500/],
    [500, /vpcCni.mtu must be an integer from 576 to 9001, got 500;/],
    [575, /got 575;/],
    [9002, /got 9002;/],
    [1500.5, /got 1500.5;/],
  ])('mtu %p is rejected', (mtu, message) => {
    expect(() => renderVpcCniConfiguration({ mtu })).toThrow(message);
    expect(() => renderVpcCniConfiguration({ mtu })).toThrow(MeshValidationError);
  });

  test('podMtu is range-checked and may not exceed mtu', () => {
    expect(() => renderVpcCniConfiguration({ podMtu: 100 })).toThrow(
      /vpcCni.podMtu must be an integer from 576 to 9001, got 100/,
    );
    expect(() => renderVpcCniConfiguration({ mtu: 1500, podMtu: 9001 })).toThrow(
      /vpcCni.podMtu must not exceed vpcCni.mtu \(1500\), got 9001; lower podMtu or raise mtu/,
    );
  });

  test('a clusterEndpoint that is not an https URL is rejected', () => {
    expect(() => renderVpcCniConfiguration({ clusterEndpoint: 'ABC.eks.amazonaws.com' })).toThrow(
      /vpcCni.clusterEndpoint must be the API server URL 'https:\/\/<host>', got 'ABC.eks.amazonaws.com'; pass cluster.clusterEndpoint/,
    );
  });
});
