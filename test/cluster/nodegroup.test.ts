import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { CILIUM_AGENT_NOT_READY_TAINT, renderNodegroupTaints, resolveMeshNodegroup } from '../../lib/cluster/nodegroup';

const CILIUM_TAINT = { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NO_EXECUTE' };

describe('renderNodegroupTaints', () => {
  test('the Cilium agent-not-ready taint comes first, NoExecute', () => {
    expect(CILIUM_AGENT_NOT_READY_TAINT).toEqual(CILIUM_TAINT);
    expect(renderNodegroupTaints()).toEqual([CILIUM_TAINT]);
  });

  test('extra taints follow, sorted by key and effect', () => {
    const taints = renderNodegroupTaints([
      { key: 'zone', value: 'b', effect: eks.TaintEffect.NO_SCHEDULE },
      { key: 'dedicated', value: 'gpu', effect: eks.TaintEffect.PREFER_NO_SCHEDULE },
    ]);
    expect(taints.map((t) => t.key)).toEqual(['node.cilium.io/agent-not-ready', 'dedicated', 'zone']);
  });

  test('an identical Cilium taint is absorbed, a different one conflicts', () => {
    expect(renderNodegroupTaints([CILIUM_AGENT_NOT_READY_TAINT])).toEqual([CILIUM_TAINT]);
    expect(() =>
      renderNodegroupTaints([
        { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: eks.TaintEffect.NO_SCHEDULE },
      ]),
    ).toThrow(
      /node taint 'node.cilium.io\/agent-not-ready=true:NO_SCHEDULE' conflicts with the Cilium taint .*; remove it from taints/,
    );
  });

  test('invalid taints are rejected', () => {
    expect(() => renderNodegroupTaints([{ key: 'a' }])).toThrow(
      /node taint needs a key and an effect, got 'a=:undefined'; set both/,
    );
    expect(() => renderNodegroupTaints([{ key: 'bad key', effect: eks.TaintEffect.NO_SCHEDULE }])).toThrow(
      /got 'bad key'/,
    );
    expect(() =>
      renderNodegroupTaints([
        { key: 'x', value: '1', effect: eks.TaintEffect.NO_SCHEDULE },
        { key: 'x', value: '2', effect: eks.TaintEffect.NO_SCHEDULE },
      ]),
    ).toThrow(/node taint 'x' with effect NO_SCHEDULE is given twice; keep one/);
  });
});

describe('resolveMeshNodegroup', () => {
  test('defaults: 2 x m6i.large on AL2023, 20 GiB root volume, IMDS hop limit 1', () => {
    const r = resolveMeshNodegroup({}, 35);
    expect(r.instanceTypes.map(String)).toEqual(['m6i.large']);
    expect(r).toMatchObject({
      amiType: 'AL2023_x86_64_STANDARD',
      minSize: 2,
      desiredSize: 2,
      maxSize: 2,
      diskSizeGib: 20,
      rootDeviceName: '/dev/xvda',
      imdsHopLimit: 1,
      taints: [CILIUM_TAINT],
    });
  });

  test('Graviton instances get the ARM64 AL2023 AMI; Bottlerocket sizes its data volume', () => {
    expect(resolveMeshNodegroup({ instanceTypes: [new ec2.InstanceType('m7g.large')] }, 35).amiType).toBe(
      'AL2023_ARM_64_STANDARD',
    );
    const br = resolveMeshNodegroup(
      { amiType: eks.NodegroupAmiType.BOTTLEROCKET_X86_64, diskSize: Size.gibibytes(50) },
      35,
    );
    expect(br).toMatchObject({ rootDeviceName: '/dev/xvdb', diskSizeGib: 50 });
  });

  test('labels are validated and sorted', () => {
    const r = resolveMeshNodegroup({ labels: { zeta: '1', alpha: '2' } }, 35);
    expect(Object.keys(r.labels!)).toEqual(['alpha', 'zeta']);
    expect(() => resolveMeshNodegroup({ labels: { 'bad key!': 'x' } }, 35)).toThrow(/label key must be/);
  });

  test('sizes: min > max, desired outside the range, negative and fractional counts', () => {
    expect(() => resolveMeshNodegroup({ minSize: 3, maxSize: 2 }, 35)).toThrow(
      /minSize \(3\) must not exceed maxSize \(2\); lower minSize or raise maxSize/,
    );
    expect(() => resolveMeshNodegroup({ minSize: 1, desiredSize: 5, maxSize: 3 }, 35)).toThrow(
      /desiredSize must be between minSize \(1\) and maxSize \(3\), got 5/,
    );
    expect(() => resolveMeshNodegroup({ minSize: -1 }, 35)).toThrow(/minSize must be a whole number of nodes, got -1/);
    expect(() => resolveMeshNodegroup({ minSize: 1.5 }, 35)).toThrow(
      /minSize must be a whole number of nodes, got 1.5/,
    );
    expect(() => resolveMeshNodegroup({ minSize: 0, maxSize: 0 }, 35)).toThrow(/maxSize must be at least 1, got 0/);
    expect(resolveMeshNodegroup({ minSize: 0 }, 35)).toMatchObject({ minSize: 0, desiredSize: 1, maxSize: 1 });
  });

  test('instance types: none, or of two architectures', () => {
    expect(() => resolveMeshNodegroup({ instanceTypes: [] }, 35)).toThrow(/instanceTypes must not be empty/);
    expect(() =>
      resolveMeshNodegroup(
        { instanceTypes: [new ec2.InstanceType('m6i.large'), new ec2.InstanceType('m7g.large')] },
        35,
      ),
    ).toThrow(
      /instanceTypes mix CPU architectures \(m6i.large, m7g.large\); .*split them into one group per architecture/,
    );
  });

  test('AMI types: Windows, AL2 on 1.33+, and architecture mismatches are rejected', () => {
    expect(() => resolveMeshNodegroup({ amiType: eks.NodegroupAmiType.WINDOWS_CORE_2022_X86_64 }, 35)).toThrow(
      /amiType WINDOWS_CORE_2022_x86_64 is a Windows AMI, but Cilium runs on Linux nodes only/,
    );
    expect(() => resolveMeshNodegroup({ amiType: eks.NodegroupAmiType.AL2_X86_64 }, 35)).toThrow(
      /amiType AL2_x86_64 is Amazon Linux 2, for which EKS publishes no AMIs from Kubernetes 1.33 on \(got 1.35\)/,
    );
    expect(resolveMeshNodegroup({ amiType: eks.NodegroupAmiType.AL2_X86_64 }, 32).amiType).toBe('AL2_x86_64');
    expect(() => resolveMeshNodegroup({ amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD }, 35)).toThrow(
      /amiType AL2023_ARM_64_STANDARD is for ARM64 but the instance types are x86-64/,
    );
  });

  test('disk size and hop limit bounds', () => {
    expect(() => resolveMeshNodegroup({ diskSize: Size.mebibytes(1536) }, 35)).toThrow(
      /diskSize must be a whole number of GiB from 1 to 16384, got 1.5 GiB/,
    );
    expect(() => resolveMeshNodegroup({ imdsHopLimit: 0 }, 35)).toThrow(
      /imdsHopLimit must be an integer from 1 to 64, got 0/,
    );
    expect(resolveMeshNodegroup({ imdsHopLimit: 2 }, 35).imdsHopLimit).toBe(2);
  });
});
