import {
  CHAINING_ENVOY_CLUSTER_POOL_CIDR,
  CiliumVersion,
  Datapath,
  EniOperatorCredentials,
  TransparentEncryption,
  eniOperatorActions,
  renderCiliumValues,
} from '../../lib';
import { ciliumProfileFromValues } from '../../lib/cilium/values';
import { recordHelmValues } from '../util/record';

const HOST = 'ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com';
const ENI = { datapath: Datapath.ENI };

describe('renderCiliumValues: the ENI datapath per line, as the upstream install documents it', () => {
  test('1.16 and 1.17: eni.enabled, ipam.mode eni, native routing, AL2023 interface names for masquerading', () => {
    for (const version of [CiliumVersion.V1_16, CiliumVersion.V1_17]) {
      expect(renderCiliumValues(ENI, version)).toEqual({
        eni: { enabled: true },
        ipam: { mode: 'eni' },
        routingMode: 'native',
        egressMasqueradeInterfaces: 'ens+',
      });
    }
    expect(
      renderCiliumValues({ ...ENI, eni: { egressMasqueradeInterfaces: ['eth+', 'ens+'] } }, CiliumVersion.V1_16),
    ).toMatchObject({ egressMasqueradeInterfaces: 'eth+ ens+' });
  });

  test('1.18: eni.enabled, ipam.mode eni, native routing; no masquerade interfaces (masquerading is off with ENI)', () => {
    expect(renderCiliumValues(ENI, CiliumVersion.V1_18)).toEqual({
      eni: { enabled: true },
      ipam: { mode: 'eni' },
      routingMode: 'native',
    });
  });

  test('1.19 and 1.20: eni.enabled implies the rest', () => {
    for (const version of [CiliumVersion.V1_19, CiliumVersion.V1_20]) {
      const values = renderCiliumValues(ENI, version);
      expect(values).toEqual({ eni: { enabled: true }, kubeProxyReplacement: false });
    }
    recordHelmValues('values-eni-default-1-20', renderCiliumValues(ENI, CiliumVersion.V1_20), 'cilium-1.20');
  });

  test('no chaining key on ENI, and the profile says ENI', () => {
    const values = renderCiliumValues(ENI, CiliumVersion.V1_20);
    for (const key of ['cni', 'enableIPv4Masquerade', 'endpointRoutes']) expect(values).not.toHaveProperty(key);
    expect(ciliumProfileFromValues(values, CiliumVersion.V1_20).datapath).toBe(Datapath.ENI);
    expect(ciliumProfileFromValues(renderCiliumValues({}, CiliumVersion.V1_20), CiliumVersion.V1_20).datapath).toBe(
      Datapath.AWS_CNI_CHAINING,
    );
  });

  test('prefix delegation, release of excess IPs, ENI tags, subnet IDs and tags (sorted), the IRSA role', () => {
    const values = renderCiliumValues(
      {
        ...ENI,
        kubeProxyReplacement: true,
        k8sServiceHost: HOST,
        gatewayApi: true,
        eni: {
          prefixDelegation: true,
          releaseExcessIps: true,
          eniTags: { team: 'mesh', cost: 'shared' },
          subnetIds: ['subnet-0bbbbbbbbbbbbbbbb', 'subnet-0aaaaaaaaaaaaaaaa'],
          subnetTags: [
            { key: 'tier', value: 'pods' },
            { key: 'cilium', value: 'eni' },
          ],
          operatorCredentials: EniOperatorCredentials.IRSA,
        },
      },
      CiliumVersion.V1_20,
      { eniOperatorRoleArn: 'arn:aws:iam::111111111111:role/CiliumOperator' },
    );
    recordHelmValues('values-eni-options-1-20', values, 'cilium-1.20');
    expect(values.eni).toEqual({
      enabled: true,
      awsEnablePrefixDelegation: true,
      awsReleaseExcessIPs: true,
      eniTags: { cost: 'shared', team: 'mesh' },
      subnetIDsFilter: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      subnetTagsFilter: ['cilium=eni', 'tier=pods'],
      iamRole: 'arn:aws:iam::111111111111:role/CiliumOperator',
    });
    // Gateway API on ENI: the pool stays the VPC's (no cluster-pool key), KPR as on chaining.
    expect(values).not.toHaveProperty('ipam');
    expect(values).toMatchObject({ kubeProxyReplacement: true, gatewayAPI: { enabled: true } });
  });

  test('IPsec is accepted on ENI (rejected on chaining)', () => {
    expect(
      renderCiliumValues({ ...ENI, encryption: TransparentEncryption.ipsec() }, CiliumVersion.V1_20).encryption,
    ).toEqual({ enabled: true, type: 'ipsec' });
    expect(() => renderCiliumValues({ encryption: TransparentEncryption.ipsec() }, CiliumVersion.V1_20)).toThrow(
      /ipsec on aws-cni-chaining \(Cilium 1.20\) is incompatible/,
    );
  });
});

describe('operator permissions', () => {
  test('the documented actions with DescribeInstanceTypes on every line (1.16/1.17 charts call it by default); UnassignPrivateIpAddresses with releaseExcessIps', () => {
    const base = [
      'ec2:AssignPrivateIpAddresses',
      'ec2:AttachNetworkInterface',
      'ec2:CreateNetworkInterface',
      'ec2:CreateTags',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeTags',
      'ec2:DescribeVpcs',
      'ec2:ModifyNetworkInterfaceAttribute',
    ];
    for (const version of [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_20]) {
      expect(eniOperatorActions(version)).toEqual(base);
    }
    expect(eniOperatorActions(CiliumVersion.V1_16, { releaseExcessIps: true })).toContain(
      'ec2:UnassignPrivateIpAddresses',
    );
    expect(eniOperatorActions(CiliumVersion.V1_16)).not.toContain('ec2:UnassignPrivateIpAddresses');
  });
});

describe('chaining: the cluster-pool CIDR when Envoy serves Gateway API or Ingress traffic', () => {
  test('off the 10.0.0.0/8 default, only when Gateway API or the Ingress controller is on (or stated)', () => {
    const kpr = { kubeProxyReplacement: true, k8sServiceHost: HOST };
    for (const o of [{ gatewayApi: true }, { ingressController: {} }]) {
      const values = renderCiliumValues({ ...kpr, ...o }, CiliumVersion.V1_20);
      expect(values.ipam).toEqual({ operator: { clusterPoolIPv4PodCIDRList: [CHAINING_ENVOY_CLUSTER_POOL_CIDR] } });
    }
    expect(CHAINING_ENVOY_CLUSTER_POOL_CIDR).toBe('198.18.0.0/16');
    expect(renderCiliumValues({}, CiliumVersion.V1_20)).not.toHaveProperty('ipam');
    // Envoy config switched on by an override (CiliumEnvoyConfig, L7 load balancing) gets the pool too.
    for (const valuesOverrides of [
      { envoyConfig: { enabled: true } },
      { loadBalancer: { l7: { backend: 'envoy' } } },
    ]) {
      expect(renderCiliumValues({ valuesOverrides }, CiliumVersion.V1_20).ipam).toEqual({
        operator: { clusterPoolIPv4PodCIDRList: [CHAINING_ENVOY_CLUSTER_POOL_CIDR] },
      });
    }
    const stated = renderCiliumValues(
      { ...kpr, gatewayApi: true, clusterPoolIPv4PodCIDR: '172.31.0.0/16' },
      CiliumVersion.V1_16,
    );
    recordHelmValues(
      'values-chaining-gateway-pool-1-16',
      { ...stated, kubeProxyReplacement: undefined },
      'cilium-1.16',
    );
    expect(stated.ipam).toEqual({ operator: { clusterPoolIPv4PodCIDRList: ['172.31.0.0/16'] } });
  });

  test('a malformed pool CIDR is refused with the fix', () => {
    expect(() => renderCiliumValues({ clusterPoolIPv4PodCIDR: '10.0.0.0/28' }, CiliumVersion.V1_20)).toThrow(
      /clusterPoolIPv4PodCIDR must be an IPv4 CIDR from \/8 to \/24 \(Cilium gives each node a \/24\), got '10.0.0.0\/28'; pass a range such as '198.18.0.0\/16'/,
    );
    expect(() => renderCiliumValues({ clusterPoolIPv4PodCIDR: '198.18.1.0/16' }, CiliumVersion.V1_20)).toThrow(
      /clusterPoolIPv4PodCIDR '198.18.1.0\/16' has host bits set/,
    );
  });
});

describe('bad input: the value and the fix', () => {
  test('ENI with chaining-only options', () => {
    expect(() => renderCiliumValues({ ...ENI, clusterPoolIPv4PodCIDR: '198.18.0.0/16' }, CiliumVersion.V1_20)).toThrow(
      /clusterPoolIPv4PodCIDR is set \(198.18.0.0\/16\), but the ENI datapath takes every address .* from the VPC subnets; remove clusterPoolIPv4PodCIDR/,
    );
    expect(() =>
      renderCiliumValues({ ...ENI, valuesOverrides: { cni: { chainingMode: 'aws-cni' } } }, CiliumVersion.V1_20),
    ).toThrow(
      /cni.chainingMode is "aws-cni", but the ENI datapath runs Cilium as the only CNI .*remove cni.chainingMode from valuesOverrides/,
    );
    expect(() =>
      renderCiliumValues({ ...ENI, valuesOverrides: { cni: { exclusive: false } } }, CiliumVersion.V1_20),
    ).toThrow(/cni.exclusive is false, but the ENI datapath needs Cilium to own the CNI configuration/);
    expect(() =>
      renderCiliumValues({ ...ENI, valuesOverrides: { endpointRoutes: { enabled: true } } }, CiliumVersion.V1_18),
    ).toThrow(/endpointRoutes.enabled \/ enableIPv4Masquerade: false are aws-cni chaining settings/);
    expect(() =>
      renderCiliumValues({ ...ENI, valuesOverrides: { ipam: { mode: 'cluster-pool' } } }, CiliumVersion.V1_18),
    ).toThrow(/ipam.mode is "cluster-pool", but the ENI datapath needs ipam.mode: eni/);
  });

  test('ENI settings on chaining', () => {
    expect(() => renderCiliumValues({ eni: { prefixDelegation: true } }, CiliumVersion.V1_20)).toThrow(
      /eni options are set, but the datapath is aws-cni chaining .*; pass datapath: Datapath.ENI or remove eni/,
    );
    expect(() => renderCiliumValues({ valuesOverrides: { eni: { enabled: true } } }, CiliumVersion.V1_20)).toThrow(
      /eni.enabled \/ ipam.mode: eni select the ENI datapath, but the install is aws-cni chaining; pass datapath: Datapath.ENI/,
    );
  });

  test('keys a line does not have', () => {
    expect(() =>
      renderCiliumValues({ ...ENI, eni: { egressMasqueradeInterfaces: ['ens+'] } }, CiliumVersion.V1_18),
    ).toThrow(
      /eni.egressMasqueradeInterfaces is set \(ens\+\), but Cilium 1.18 does not masquerade in ENI mode .*; remove egressMasqueradeInterfaces/,
    );
    expect(() =>
      renderCiliumValues({ ...ENI, valuesOverrides: { egressMasqueradeInterfaces: 'eth+' } }, CiliumVersion.V1_20),
    ).toThrow(/egressMasqueradeInterfaces is set, but Cilium 1.20 does not masquerade in ENI mode/);
    expect(() =>
      renderCiliumValues(
        { ...ENI, valuesOverrides: { eni: { updateEC2AdapterLimitViaAPI: true } } },
        CiliumVersion.V1_19,
      ),
    ).toThrow(/eni.updateEC2AdapterLimitViaAPI was removed in Cilium 1.18/);
    expect(() =>
      renderCiliumValues({ ...ENI, eni: { egressMasqueradeInterfaces: ['ens 5'] } }, CiliumVersion.V1_16),
    ).toThrow(/eni.egressMasqueradeInterfaces must be interface names or prefixes such as 'ens\+'.*got \["ens 5"\]/);
  });

  test('bad tags, subnets and credential options', () => {
    expect(() => renderCiliumValues({ ...ENI, eni: { eniTags: { 'aws:owner': 'me' } } }, CiliumVersion.V1_20)).toThrow(
      /eni.eniTags entry 'aws:owner=me' is not a valid EC2 tag/,
    );
    expect(() => renderCiliumValues({ ...ENI, eni: { subnetIds: ['10.0.0.0/24'] } }, CiliumVersion.V1_20)).toThrow(
      /eni.subnetIds entry '10.0.0.0\/24' is not a subnet ID; pass IDs such as 'subnet-0123456789abcdef0'/,
    );
    expect(() =>
      renderCiliumValues({ ...ENI, eni: { subnetTags: [{ key: 'a=b', value: 'c' }] } }, CiliumVersion.V1_20),
    ).toThrow(/eni.subnetTags entry 'a=b=c' is not a valid EC2 tag filter/);
    expect(() =>
      renderCiliumValues(
        { ...ENI, eni: { operatorCredentials: EniOperatorCredentials.IRSA, installPodIdentityAgent: true } },
        CiliumVersion.V1_20,
      ),
    ).toThrow(/eni.installPodIdentityAgent is set, but the operator uses IRSA credentials/);
    expect(() => renderCiliumValues({ datapath: 'vxlan' as Datapath }, CiliumVersion.V1_20)).toThrow(
      /datapath must be Datapath.AWS_CNI_CHAINING or Datapath.ENI, got 'vxlan'/,
    );
  });
});
