import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { eniLimits, eniMaxPods, eniPodCapacity, renderMaxPodsUserData } from '../../lib';
import { ENI_LIMITS, ENI_LIMITS_SOURCE } from '../../lib/cluster/eni-limits.generated';

const t = (name: string) => new ec2.InstanceType(name);

describe('ENI limits table', () => {
  test('generated from the VPC CNI table, sorted, with its source named', () => {
    const names = Object.keys(ENI_LIMITS);
    expect(names.length).toBeGreaterThan(1000);
    expect([...names].sort()).toEqual(names);
    expect(ENI_LIMITS_SOURCE).toMatch(
      /^aws\/amazon-vpc-cni-k8s pkg\/vpc\/vpc_ip_resource_limit.go@[0-9a-f]{12} \(\d{4}-\d{2}-\d{2}\)$/,
    );
    expect(eniLimits('m6i.large')).toEqual({ interfaces: 3, ipv4PerInterface: 10 });
    expect(eniLimits('toString')).toBeUndefined();
  });
});

describe('max-pods of ENI IPAM', () => {
  test('interfaces × (addresses − 1) + 2: the numbers EKS publishes for the VPC CNI (eni-max-pods.txt)', () => {
    expect(eniPodCapacity('t3.micro', false)).toBe(4);
    expect(eniPodCapacity('m6i.large', false)).toBe(29);
    expect(eniPodCapacity('m5.24xlarge', false)).toBe(737);
  });

  test('prefix delegation: 16 addresses per slot, capped at 110', () => {
    expect(eniPodCapacity('m6i.large', true)).toBe(3 * 9 * 16 + 2);
    expect(eniMaxPods([t('m6i.large')], true)).toBe(110);
    expect(eniMaxPods([t('t3.micro')], true)).toBe(2 * 1 * 16 + 2);
  });

  test('a node group takes the smallest capacity of its instance types', () => {
    expect(eniMaxPods([t('m6i.xlarge'), t('m6i.large')], false)).toBe(29);
  });

  test('a stated maxPods is kept when ENI IPAM can address it, refused above', () => {
    expect(eniMaxPods([t('m6i.large')], false, 20)).toBe(20);
    expect(() => eniMaxPods([t('m6i.large')], false, 30)).toThrow(
      /maxPods must be an integer from 1 to 29 \(what ENI IPAM can address on m6i.large\), got 30; lower it or turn on eni.prefixDelegation/,
    );
  });

  test('an instance type without ENI data is refused, naming the table and the fix', () => {
    expect(() => eniMaxPods([t('m6i.large'), t('zz9.huge')], false)).toThrow(
      /instance type 'zz9.huge' has no ENI limits in the table this library ships \(aws\/amazon-vpc-cni-k8s .*\), so the max-pods value of ENI IPAM cannot be computed; use an instance type listed there, or regenerate lib\/cluster\/eni-limits.generated.ts/,
    );
  });
});

describe('max-pods user data', () => {
  test('AL2023: a NodeConfig part of a MIME multipart document', () => {
    expect(renderMaxPodsUserData(eks.NodegroupAmiType.AL2023_X86_64_STANDARD, 29)).toBe(
      [
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="==cdk-cilium-mesh=="',
        '',
        '--==cdk-cilium-mesh==',
        'Content-Type: application/node.eks.aws',
        '',
        'apiVersion: node.eks.aws/v1alpha1',
        'kind: NodeConfig',
        'spec:',
        '  kubelet:',
        '    config:',
        '      maxPods: 29',
        '',
        '--==cdk-cilium-mesh==--',
        '',
      ].join('\n'),
    );
  });

  test('Bottlerocket: settings.kubernetes.max-pods', () => {
    expect(renderMaxPodsUserData(eks.NodegroupAmiType.BOTTLEROCKET_X86_64, 29)).toBe(
      '[settings.kubernetes]\nmax-pods = 29\n',
    );
  });
});
