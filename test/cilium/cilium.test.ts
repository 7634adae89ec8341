import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { CfnCluster } from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import {
  Cilium,
  CiliumChartSource,
  CiliumVersion,
  Datapath,
  KubeProxyMode,
  TransparentEncryption,
  type IMeshClusterFacts,
} from '../../lib';
import { _markMeshClusterFacts } from '../../lib/cilium/cluster-facts';
import { eksClusterStack } from '../util/clusters';
import { recordHelmValues } from '../util/record';

const HELM = 'Custom::AWSCDK-EKS-HelmChart';
const ENDPOINT = 'https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com';

function clusterStack(): { stack: Stack; cluster: eks.Cluster } {
  return eksClusterStack({ version: eks.KubernetesVersion.V1_34 });
}

function importedStack(attrs: Partial<eks.ClusterAttributes> = {}): { stack: Stack; cluster: eks.ICluster } {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const kubectlProvider = eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Provider', {
    serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl',
    role: iam.Role.fromRoleArn(stack, 'ProviderRole', 'arn:aws:iam::111111111111:role/kubectl'),
  });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Imported', {
    clusterName: 'prod',
    kubectlProvider,
    ...attrs,
  });
  return { stack, cluster };
}

function helmResource(stack: Stack): { id: string; props: Record<string, unknown> } {
  const resources = Template.fromStack(stack).findResources(HELM);
  const [id, resource] = Object.entries(resources)[0];
  return { id, props: (resource as { Properties: Record<string, unknown> }).Properties };
}

describe('Cilium construct', () => {
  test('installs the pinned chart from helm.cilium.io into kube-system, waiting 10 minutes', () => {
    const { stack, cluster } = clusterStack();
    const cilium = new Cilium(stack, 'Cilium', { cluster });
    Template.fromStack(stack).hasResourceProperties(HELM, {
      Chart: 'cilium',
      Repository: 'https://helm.cilium.io/',
      Version: '1.20.2',
      Release: 'cilium',
      Namespace: 'kube-system',
      Wait: true,
      Timeout: '600s',
      Atomic: Match.absent(),
      Values: Match.stringLikeRegexp('"chainingMode":"aws-cni"'),
    });
    recordHelmValues('construct-default-1-20', stack.resolve(cilium.values), 'cilium-1.20');
    expect(cilium.version).toBe(CiliumVersion.V1_20);
    expect(cilium.profile).toMatchObject({
      kubeProxyReplacement: false,
      l7Proxy: true,
      gatewayApi: false,
      datapath: 'aws-cni-chaining',
    });
    expect(cilium.release).toBeInstanceOf(eks.HelmChart);
  });

  test('a version change keeps the logical ID and the release: an in-place helm upgrade', () => {
    const ids = [CiliumVersion.V1_19, CiliumVersion.V1_20].map((version) => {
      const { stack, cluster } = clusterStack();
      new Cilium(stack, 'Cilium', { cluster, version, hubble: { relay: version === CiliumVersion.V1_20 } });
      const { id, props } = helmResource(stack);
      expect(props.Version).toBe(version.chartVersion);
      return [id, props.Release];
    });
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0][1]).toBe('cilium');
  });

  test('kube-proxy replacement takes the host from the cluster endpoint token', () => {
    const { stack, cluster } = clusterStack();
    const cilium = new Cilium(stack, 'Cilium', { cluster, kubeProxyReplacement: true, gatewayApi: true });
    const values = JSON.stringify(helmResource(stack).props.Values);
    const clusterId = stack.getLogicalId(cluster.node.defaultChild as CfnCluster);
    expect(values).toContain(
      `"k8sServiceHost\\":\\"",{"Fn::Select":[2,{"Fn::Split":["/",{"Fn::GetAtt":["${clusterId}","Endpoint"]}]}]}`,
    );
    expect(values).toContain('\\"k8sServicePort\\":443');
    // The host is a CloudFormation token: record the template, whose HelmChart Values the validator resolves.
    recordHelmValues('construct-kpr-gateway-1-20', Template.fromStack(stack).toJSON(), 'cilium-1.20');
    expect(cilium.profile).toMatchObject({ kubeProxyReplacement: true, gatewayApi: true });
  });

  test('Gateway API in chaining is installed with a warning citing upstream', () => {
    const { stack, cluster } = clusterStack();
    new Cilium(stack, 'Cilium', { cluster, kubeProxyReplacement: true, gatewayApi: true });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Cilium',
      Match.stringLikeRegexp('gatewayApi on aws-cni-chaining \\(Cilium 1.20\\) is untested: .*cilium/cilium#42578'),
    );
  });

  test('timeout is a Duration below the 15-minute Lambda limit', () => {
    const { stack, cluster } = clusterStack();
    new Cilium(stack, 'Cilium', { cluster, timeout: Duration.minutes(14) });
    Template.fromStack(stack).hasResourceProperties(HELM, { Timeout: '840s' });
    expect(() => new Cilium(stack, 'TooLong', { cluster, timeout: Duration.minutes(15) })).toThrow(
      /timeout must be below 15 minutes \(the kubectl provider Lambda limit\), got 15 minutes; .*\[at Stack\/TooLong\]/,
    );
    expect(() => new Cilium(stack, 'TooShort', { cluster, timeout: Duration.seconds(30) })).toThrow(
      /timeout must be at least 1 minute .*got 30 seconds.*\[at Stack\/TooShort\]/,
    );
  });

  test('bad input fails at synth with the construct path', () => {
    const { stack, cluster } = clusterStack();
    expect(() => new Cilium(stack, 'BadVersion', { cluster, version: CiliumVersion.of('1.x') })).toThrow(
      /got '1.x'.*\[at Stack\/BadVersion\]/,
    );
    expect(() => new Cilium(stack, 'OldLine', { cluster, version: CiliumVersion.of('1.14.3') })).toThrow(
      /'1.14.3' is not on a supported line.*\[at Stack\/OldLine\]/,
    );
    expect(() => new Cilium(stack, 'Ipsec', { cluster, encryption: TransparentEncryption.ipsec() })).toThrow(
      /ipsec on aws-cni-chaining \(Cilium 1.20\) is incompatible.*cilium\/cilium#15596.*\[at Stack\/Ipsec\]/,
    );
    expect(() => new Cilium(stack, 'Gw', { cluster, gatewayApi: true })).toThrow(
      /Gateway API on Cilium 1.20 requires kubeProxyReplacement: true.*\[at Stack\/Gw\]/,
    );
    expect(
      () => new Cilium(stack, 'Oci', { cluster, chartSource: CiliumChartSource.oci('oci://quay.io/cilium/charts') }),
    ).toThrow(/OCI chart source must name the chart.*got 'oci:\/\/quay.io\/cilium\/charts'.*\[at Stack\/Oci\]/);
  });

  test('CiliumEnvoyConfig switched on through valuesOverrides is checked too (warning)', () => {
    const { stack, cluster } = clusterStack();
    const cilium = new Cilium(stack, 'Cilium', { cluster, valuesOverrides: { envoyConfig: { enabled: true } } });
    recordHelmValues('construct-envoy-config-1-20', stack.resolve(cilium.values), 'cilium-1.20');
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Cilium',
      Match.stringLikeRegexp('envoyConfig on aws-cni-chaining .* is untested'),
    );
  });

  test('a plain http repository is rejected', () => {
    const { stack, cluster } = clusterStack();
    expect(
      () =>
        new Cilium(stack, 'Http', { cluster, chartSource: CiliumChartSource.helmRepository('http://charts.example') }),
    ).toThrow(
      /must be an https:\/\/ Helm repository or an oci:\/\/ reference, got 'http:\/\/charts.example'.*\[at Stack\/Http\]/,
    );
  });

  test('OCI and chart asset sources', () => {
    const { stack, cluster } = clusterStack();
    new Cilium(stack, 'Cilium', { cluster, chartSource: CiliumChartSource.oci(), version: CiliumVersion.V1_18 });
    Template.fromStack(stack).hasResourceProperties(HELM, {
      Chart: 'cilium',
      Repository: 'oci://quay.io/cilium/charts/cilium',
      Version: '1.18.14',
    });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-chart-'));
    fs.writeFileSync(path.join(dir, 'cilium-1.20.2.tgz'), 'not a real chart');
    const other = clusterStack();
    const asset = new s3_assets.Asset(other.stack, 'Chart', { path: path.join(dir, 'cilium-1.20.2.tgz') });
    new Cilium(other.stack, 'Cilium', { cluster: other.cluster, chartSource: CiliumChartSource.asset(asset) });
    Template.fromStack(other.stack).hasResourceProperties(HELM, {
      ChartAssetURL: Match.anyValue(),
      Chart: Match.absent(),
      Version: Match.absent(),
      Repository: Match.absent(),
      Release: 'cilium',
    });
  });
});

describe('Cilium on imported clusters', () => {
  test('with an endpoint: the host is the endpoint without scheme', () => {
    const { stack, cluster } = importedStack({ clusterEndpoint: ENDPOINT });
    const cilium = new Cilium(stack, 'Cilium', { cluster, kubeProxyReplacement: true });
    expect(cilium.values.k8sServiceHost).toBe('ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com');
    Template.fromStack(stack).hasResourceProperties(HELM, {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl',
      ClusterName: 'prod',
      Release: 'cilium',
    });
    recordHelmValues('construct-imported-kpr-1-20', cilium.values, 'cilium-1.20');
  });

  test('KPR without an endpoint and without k8sServiceHost fails naming the fix', () => {
    const { stack, cluster } = importedStack();
    expect(() => new Cilium(stack, 'Cilium', { cluster, kubeProxyReplacement: true })).toThrow(
      /KPR without a reachable endpoint: .*pass clusterEndpoint to eks.Cluster.fromClusterAttributes or set k8sServiceHost \[at Stack\/Cilium\]/,
    );
    const ok = new Cilium(stack, 'Explicit', {
      cluster,
      kubeProxyReplacement: true,
      k8sServiceHost: 'api.internal.example',
    });
    expect(ok.values.k8sServiceHost).toBe('api.internal.example');
    // Without KPR no endpoint is needed.
    expect(new Cilium(stack, 'NoKpr', { cluster }).values).not.toHaveProperty('k8sServiceHost');
  });

  test('a cluster that states its facts decides kube-proxy replacement; a contradiction fails', () => {
    const { stack, cluster } = importedStack({ clusterEndpoint: ENDPOINT });
    stateFacts(cluster, { kubeProxyMode: KubeProxyMode.REPLACE });
    expect(new Cilium(stack, 'Derived', { cluster }).profile.kubeProxyReplacement).toBe(true);
    expect(() => new Cilium(stack, 'Contradiction', { cluster, kubeProxyReplacement: false })).toThrow(
      /kubeProxyReplacement: false contradicts the cluster's kubeProxyMode 'replace'.*\[at Stack\/Contradiction\]/,
    );

    const keep = importedStack({ clusterEndpoint: ENDPOINT });
    stateFacts(keep.cluster, { kubeProxyMode: KubeProxyMode.KEEP });
    expect(new Cilium(keep.stack, 'Keep', { cluster: keep.cluster }).values.kubeProxyReplacement).toBe(false);

    const bad = importedStack({ clusterEndpoint: ENDPOINT });
    stateFacts(bad.cluster, { kubeProxyMode: 'ipvs' as KubeProxyMode });
    expect(() => new Cilium(bad.stack, 'Bad', { cluster: bad.cluster })).toThrow(
      /cluster.kubeProxyMode must be 'keep' or 'replace', got "ipvs".*\[at Stack\/Bad\]/,
    );
  });

  test('a property that merely looks like a fact is not one: only a cluster that states its facts is followed', () => {
    const { stack, cluster } = importedStack({ clusterEndpoint: ENDPOINT });
    Object.defineProperty(cluster, 'kubeProxyMode', { value: 'replace' });
    expect(new Cilium(stack, 'Plain', { cluster }).profile.kubeProxyReplacement).toBe(false);
  });

  test('WireGuard on a cluster that states no MTU needs podMtu in aws-cni chaining, and checks it against eniMtu', () => {
    const { stack, cluster } = importedStack();
    expect(() => new Cilium(stack, 'NoMtu', { cluster, encryption: TransparentEncryption.wireGuard() })).toThrow(
      /WireGuard in aws-cni chaining needs the pod MTU, .*pass TransparentEncryption.wireGuard\(\{ podMtu, eniMtu \}\) .*\{ podMtu: 8906, eniMtu: 9001 \} \[at Stack\/NoMtu\]/,
    );
    expect(
      () =>
        new Cilium(stack, 'TooBig', {
          cluster,
          encryption: TransparentEncryption.wireGuard({ podMtu: 1500, eniMtu: 1500 }),
        }),
    ).toThrow(
      /wireGuard.podMtu must be an integer from 576 to 1405 .*got 1500; set POD_MTU=1405 on the VPC CNI .*\[at Stack\/TooBig\]/,
    );
    const ok = new Cilium(stack, 'Ok', {
      cluster,
      encryption: TransparentEncryption.wireGuard({ podMtu: 1405, eniMtu: 1500 }),
    });
    expect(ok.values.encryption).toEqual({ enabled: true, type: 'wireguard' });
  });
});

/** Makes an imported cluster state facts as MeshCluster does (the facts not given are MeshCluster's defaults). */
function stateFacts(cluster: eks.ICluster, facts: Partial<IMeshClusterFacts>): void {
  const all: IMeshClusterFacts = { kubeProxyMode: KubeProxyMode.KEEP, datapath: Datapath.AWS_CNI_CHAINING, ...facts };
  for (const [key, value] of Object.entries(all)) Object.defineProperty(cluster, key, { value });
  _markMeshClusterFacts(cluster as unknown as IMeshClusterFacts);
}
