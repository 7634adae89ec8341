import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import { syntheticPolicy } from '../../bench/synthetic';
import { MeshDelivery } from '../../lib/delivery';
import { ServiceMesh } from '../../lib/mesh/service-mesh';
import { importedClusterStack } from '../util/clusters';

function setup() {
  const { app, stack, cluster } = importedClusterStack();
  const k8s = new K8sApp();
  const mesh = new ServiceMesh(k8s, 'mesh');
  return { app, stack, cluster, mesh };
}

const policy = (chart: Chart, i: number) => new ApiObject(chart, `p${i}`, syntheticPolicy(i));

describe('MeshDelivery', () => {
  test('one custom resource listing the batches, the cluster and the owner', () => {
    const { stack, cluster, mesh } = setup();
    for (let i = 0; i < 10; i++) policy(mesh, i);
    const d = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::CiliumMeshObjects', 1);
    const suffix = `.meshbatch-${d.node.addr.slice(2, 18)}`;
    t.hasResourceProperties('Custom::CiliumMeshObjects', {
      Engine: 'applyset/v1',
      Path: 'Stack/Delivery',
      Owner: d.owner,
      Adopt: 'false',
      RetainOnDelete: 'false',
      Kinds: ['cilium.io/v2/CiliumNetworkPolicy', 'v1/Namespace'],
      Bucket: 'cdk-hnb659fds-assets-111111111111-eu-west-1',
      Sources: d.plan.batches.map((b) => ({
        // the S3 key is the batch's own sha256 and the delivery's suffix
        Key: `${b.sha256}${suffix}`,
        Sha256: b.sha256,
      })),
    });
    // the custom resource neither carries the cluster nor waits an hour for a dead provider
    const props = Object.values(t.findResources('Custom::CiliumMeshObjects'))[0].Properties;
    expect(Object.keys(props)).not.toEqual(expect.arrayContaining(['Endpoint']));
    expect(Object.keys(props)).not.toContain('CertificateAuthorityData');
    expect(props.ServiceTimeout).toBe('1200');
    // the cluster and the readable batches are bound to the function at synthesis
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CLUSTER_NAME: 'prod',
          CLUSTER_ENDPOINT: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
          CLUSTER_CA: 'Q0E=',
          ASSET_BUCKET: 'cdk-hnb659fds-assets-111111111111-eu-west-1',
          ASSET_SUFFIXES: suffix,
        }),
      },
    });
    expect(d.owner).toMatch(/^c8[0-9a-f]{40}$/);
    // handler: Python 3.13 with the kubectl layer, cluster-admin access entry for its role
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'python3.13',
      Handler: 'index.handler',
      Timeout: 900,
      Layers: [{ Ref: Match.stringLikeRegexp('^CdkCiliumMeshKubectlV35Layer') }],
    });
    // one kubectl layer per stack, shared with the clusters' kubectl providers
    t.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    t.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'prod',
      AccessPolicies: [{ AccessScope: { Type: 'cluster' }, PolicyArn: Match.objectLike({}) }],
    });
    const cr = Object.values(t.findResources('Custom::CiliumMeshObjects'))[0];
    expect(JSON.stringify(cr.DependsOn)).toMatch(/Access/);
    // the role may read this delivery's batches and nothing else of the bucket
    const reads = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st) => JSON.stringify(st.Action).includes('s3:'));
    expect(reads).toHaveLength(1);
    expect(reads[0].Action).toBe('s3:GetObject');
    expect(JSON.stringify(reads[0].Resource)).toContain(`:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1/*${suffix}`);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toMatch(/s3:List|s3:GetBucket/);
  });

  test('batches are written into the assembly and listed in its asset manifest, also from a nested stage', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'batches-'));
    const app = new cdk.App({ outdir });
    const stage = new cdk.Stage(app, 'Prod');
    const stack = new cdk.Stack(stage, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
      clusterName: 'prod',
      clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      clusterCertificateAuthorityData: 'Q0E=',
    });
    const mesh = new ServiceMesh(new K8sApp(), 'mesh');
    for (let i = 0; i < 200; i++) policy(mesh, i);
    const d = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const assembly = app.synth().getNestedAssembly(stage.artifactId);
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, `${artifact.id}.assets.json`), 'utf8'),
    ) as {
      files: Record<string, { displayName: string; source: { path: string }; destinations: Record<string, any> }>;
    };
    const suffix = `.meshbatch-${d.node.addr.slice(2, 18)}`;
    expect(d.plan.batches.length).toBeGreaterThan(1);
    for (const b of d.plan.batches) {
      const entry = manifest.files[b.sha256];
      expect({ batch: b.sha256, listed: entry !== undefined }).toEqual({ batch: b.sha256, listed: true });
      expect(entry.displayName).toBe(`Delivery/Batch${b.sha256.slice(0, 16)}`);
      expect(Object.values(entry.destinations).map((x) => x.objectKey)).toEqual([`${b.sha256}${suffix}`]);
      // the source path is relative to the nested assembly and holds exactly the batch
      const content = fs.readFileSync(path.join(assembly.directory, entry.source.path), 'utf8');
      expect(createHash('sha256').update(content).digest('hex')).toBe(b.sha256);
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('a schedule re-applies the deployed mesh (drift correction), reading the template of its own stack', () => {
    const { stack, cluster, mesh } = setup();
    policy(mesh, 1);
    const d = new MeshDelivery(stack, 'Delivery', {
      cluster,
      charts: [mesh],
      reconcileEvery: cdk.Duration.minutes(30),
    });
    const t = Template.fromStack(stack);
    const logicalId = stack.getLogicalId(d.resource.node.defaultChild as cdk.CfnResource);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [
        Match.objectLike({
          Input: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`"LogicalResourceId":"${logicalId}"`)])] },
        }),
      ],
    });
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    expect(statements).toContainEqual({
      Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      Effect: 'Allow',
      Resource: { Ref: 'AWS::StackId' },
    });
    const off = setup();
    policy(off.mesh, 1);
    new MeshDelivery(off.stack, 'Delivery', { cluster: off.cluster, charts: [off.mesh], reconcile: false });
    Template.fromStack(off.stack).resourceCountIs('AWS::Events::Rule', 0);
    const bad = setup();
    expect(
      () =>
        new MeshDelivery(bad.stack, 'D', {
          cluster: bad.cluster,
          charts: [bad.mesh],
          reconcileEvery: cdk.Duration.seconds(30),
        }),
    ).toThrow(
      /reconcileEvery must be a whole number of minutes, at least 5, got 30 seconds; use e.g. Duration.hours\(1\) \[at Stack\/D\]/,
    );
  });

  test('one object delivered to one cluster by two deliveries is refused; other clusters and other objects are fine', () => {
    const { app, stack, cluster, mesh } = setup();
    const ns = (chart: Chart) =>
      new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    ns(mesh);
    policy(mesh, 1);
    const other = new ServiceMesh(new K8sApp(), 'other');
    ns(other);
    new MeshDelivery(stack, 'A', { cluster, charts: [mesh] });
    new MeshDelivery(stack, 'B', { cluster, charts: [other] });
    expect(() => app.synth()).toThrow(
      /^Namespace shop is also delivered to this cluster by Stack\/A; two deliveries of one object overwrite each other .* declare it in one mesh only .* \[at Stack\/B\]$/,
    );

    const fine = setup();
    policy(fine.mesh, 1);
    const second = new ServiceMesh(new K8sApp(), 'second');
    policy(second, 2);
    const elsewhere = eks.Cluster.fromClusterAttributes(fine.stack, 'Other', {
      clusterName: 'stage',
      clusterEndpoint: 'https://DEF.gr7.eu-west-1.eks.amazonaws.com',
      clusterCertificateAuthorityData: 'Q0E=',
    });
    const third = new ServiceMesh(new K8sApp(), 'third');
    policy(third, 1); // same object as in fine.mesh, but another cluster
    new MeshDelivery(fine.stack, 'A', { cluster: fine.cluster, charts: [fine.mesh] });
    new MeshDelivery(fine.stack, 'B', { cluster: fine.cluster, charts: [second] });
    new MeshDelivery(fine.stack, 'C', { cluster: elsewhere, charts: [third] });
    expect(Object.keys(Template.fromStack(fine.stack).findResources('Custom::CiliumMeshObjects'))).toHaveLength(3);
  });

  test('cluster-scoped objects are compared without the chart namespace cdk8s puts on them', () => {
    const { app, stack, cluster } = setup();
    const shop = new ServiceMesh(new K8sApp(), 'shop', { namespace: 'shop' });
    const other = new ServiceMesh(new K8sApp(), 'other', { namespace: 'other' });
    for (const m of [shop, other]) {
      new ApiObject(m, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } });
    }
    const a = new MeshDelivery(stack, 'A', { cluster, charts: [shop] });
    new MeshDelivery(stack, 'B', { cluster, charts: [other] });
    // the batch carries no namespace on the Namespace object
    expect(JSON.parse(a.plan.batches[0].content).items).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } },
    ]);
    expect(() => app.synth()).toThrow(
      /^Namespace shared is also delivered to this cluster by Stack\/A; .* \[at Stack\/B\]$/,
    );
  });

  test('two meshes using one namespace: the second creating it too is refused, existingNamespaces resolves it', () => {
    const { app, stack, cluster, mesh } = setup();
    policy(mesh, 1); // in team-01
    const other = new ServiceMesh(new K8sApp(), 'other');
    new ApiObject(other, 'p', { ...syntheticPolicy(1), metadata: { ...syntheticPolicy(1).metadata, name: 'other' } });
    new MeshDelivery(stack, 'A', { cluster, charts: [mesh] });
    new MeshDelivery(stack, 'B', { cluster, charts: [other] });
    expect(() => app.synth()).toThrow(
      /^Namespace team-01 is also delivered to this cluster by Stack\/A; .* list it in existingNamespaces of the other, with dependsOn on the first delivery \[at Stack\/B\]$/,
    );

    const ok = setup();
    policy(ok.mesh, 1);
    const second = new ServiceMesh(new K8sApp(), 'second');
    new ApiObject(second, 'p', { ...syntheticPolicy(1), metadata: { ...syntheticPolicy(1).metadata, name: 'other' } });
    const a = new MeshDelivery(ok.stack, 'A', { cluster: ok.cluster, charts: [ok.mesh] });
    new MeshDelivery(ok.stack, 'B', {
      cluster: ok.cluster,
      charts: [second],
      existingNamespaces: ['team-01'],
      dependsOn: [a],
    });
    expect(Object.keys(Template.fromStack(ok.stack).findResources('Custom::CiliumMeshObjects'))).toHaveLength(2);
  });

  test('objects added after construction are delivered', () => {
    const { stack, cluster, mesh } = setup();
    policy(mesh, 1);
    const d = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    expect(d.plan.objectCount).toBe(2); // a preview does not freeze the set (the policy and its Namespace)
    for (let i = 2; i < 300; i++) policy(mesh, i);
    const sources = Object.values(Template.fromStack(stack).findResources('Custom::CiliumMeshObjects'))[0].Properties
      .Sources;
    expect(sources).toHaveLength(d.plan.batches.length);
    expect(d.plan.objectCount).toBe(
      299 + new Set(Array.from({ length: 299 }, (_, i) => syntheticPolicy(i + 1).metadata.namespace)).size,
    );
  });

  test('the preview plan is the delivered one, cluster-scoped objects without the chart namespace', () => {
    const { stack, cluster } = setup();
    const mesh = new ServiceMesh(new K8sApp(), 'mesh', { namespace: 'shop' });
    policy(mesh, 1);
    new ApiObject(mesh, 'ccnp', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'baseline' },
      spec: { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] },
    });
    const d = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const preview = d.plan;
    const ccnp = preview.batches
      .flatMap((b) => JSON.parse(b.content).items as { kind: string; metadata: Record<string, unknown> }[])
      .find((o) => o.kind === 'CiliumClusterwideNetworkPolicy');
    expect(ccnp?.metadata).toEqual({ name: 'baseline' });
    Template.fromStack(stack); // synthesizes: the delivered plan replaces the preview
    expect(d.plan).not.toBe(preview);
    expect(d.plan.batches.map((b) => b.sha256)).toEqual(preview.batches.map((b) => b.sha256));
  });

  test('declaration order does not change the template', () => {
    const synth = (order: number[]) => {
      const { stack, cluster, mesh } = setup();
      for (const i of order) policy(mesh, i);
      new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
      return Template.fromStack(stack).toJSON();
    };
    const ids = Array.from({ length: 200 }, (_, i) => i);
    expect(synth([...ids].reverse())).toEqual(synth(ids));
  });

  test('chart warnings are forwarded with the mesh construct path and their own id', () => {
    const { stack, cluster, mesh } = setup();
    const p = policy(mesh, 1);
    cdk.Annotations.of(p).addWarningV2(
      'cdk-cilium-mesh:l7InChaining',
      'L7 rules are not supported in aws-cni chaining',
    );
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Delivery',
      'mesh/p1: L7 rules are not supported in aws-cni chaining [ack: cdk-cilium-mesh:l7InChaining]',
    );
  });

  test('one warning per kind: the same warning on many constructs is given once, naming the first paths', () => {
    const { stack, cluster, mesh } = setup();
    for (let i = 0; i < 50; i++) {
      cdk.Annotations.of(policy(mesh, i)).addWarningV2('cdk-cilium-mesh:l7Policy', 'L7 policy is unsupported');
    }
    cdk.Annotations.of(mesh).addWarning('no id');
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const warnings = Annotations.fromStack(stack)
      .findWarning('/Stack/Delivery', Match.anyValue())
      .map((w) => w.entry.data);
    expect(warnings).toEqual([
      'mesh/p0, mesh/p1, mesh/p10 and 47 more: L7 policy is unsupported [ack: cdk-cilium-mesh:l7Policy]',
      'mesh: no id [ack: cdk-cilium-mesh:meshWarning]',
    ]);
  });

  test('different messages of one kind: five spelled out, then how many more', () => {
    const { stack, cluster, mesh } = setup();
    for (let i = 0; i < 8; i++) {
      cdk.Annotations.of(policy(mesh, i)).addWarningV2('cdk-cilium-mesh:shadowedRule', `rule ${i} is shadowed`);
    }
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const warnings = Annotations.fromStack(stack)
      .findWarning('/Stack/Delivery', Match.anyValue())
      .map((w) => w.entry.data);
    expect(warnings).toEqual([
      [
        'mesh/p0: rule 0 is shadowed',
        'mesh/p1: rule 1 is shadowed',
        'mesh/p2: rule 2 is shadowed',
        'mesh/p3: rule 3 is shadowed',
        'mesh/p4: rule 4 is shadowed',
        'and 3 more warnings of this kind (ServiceMesh.warnings lists them all) [ack: cdk-cilium-mesh:shadowedRule]',
      ].join('\n'),
    ]);
  });

  test('acknowledging one id silences that kind only', () => {
    const { stack, cluster, mesh } = setup();
    cdk.Annotations.of(policy(mesh, 1)).addWarningV2('cdk-cilium-mesh:l7Policy', 'L7 policy is unsupported');
    cdk.Annotations.of(policy(mesh, 2)).addWarningV2('cdk-cilium-mesh:fqdnPolicy', 'FQDN policy is unsupported');
    cdk.Annotations.of(stack).acknowledgeWarning('cdk-cilium-mesh:l7Policy', 'known: we move to ENI next quarter');
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const warnings = Annotations.fromStack(stack)
      .findWarning('*', Match.anyValue())
      .map((w) => w.entry.data);
    expect(warnings).toEqual(['mesh/p2: FQDN policy is unsupported [ack: cdk-cilium-mesh:fqdnPolicy]']);
  });

  test('dependsOn orders the custom resource after e.g. the Cilium release', () => {
    const { stack, cluster, mesh } = setup();
    policy(mesh, 1);
    const cilium = new cdk.CfnResource(stack, 'CiliumRelease', { type: 'Custom::Stand-in' });
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh], dependsOn: [cilium] });
    const cr = Object.values(Template.fromStack(stack).findResources('Custom::CiliumMeshObjects'))[0];
    expect(cr.DependsOn).toContain('CiliumRelease');
  });

  test('two deliveries to one cluster share one handler and access entry', () => {
    const { stack, cluster, mesh } = setup();
    policy(mesh, 1);
    const other = new Chart(new K8sApp(), 'other');
    policy(other, 2);
    new MeshDelivery(stack, 'A', { cluster, charts: [mesh] });
    new MeshDelivery(stack, 'B', { cluster, charts: [other] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::CiliumMeshObjects', 2);
    t.resourceCountIs('AWS::EKS::AccessEntry', 1);
  });

  test('duplicate objects across charts fail with the construct path', () => {
    const { stack, cluster, mesh } = setup();
    policy(mesh, 1);
    const other = new Chart(new K8sApp(), 'other');
    policy(other, 1);
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh, other] });
    expect(() => Template.fromStack(stack)).toThrow(
      /same identity cilium.io\/CiliumNetworkPolicy\/team-01\/allow-svc-00001.*\[at Stack\/Delivery\]/,
    );
  });

  test('no charts is an error', () => {
    const { stack, cluster } = setup();
    expect(() => new MeshDelivery(stack, 'Delivery', { cluster, charts: [] })).toThrow(
      /charts is empty.*\[at Stack\/Delivery\]/,
    );
  });

  test('private clusters: the handler runs in the given subnets with the given security groups', () => {
    const app = new cdk.App({ builtinCloudFormationValidation: false } as cdk.AppProps);
    const stack = new cdk.Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const layer = lambda.LayerVersion.fromLayerVersionArn(
      stack,
      'Layer',
      'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl:1',
    );
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
      clusterName: 'prod',
      clusterEndpoint: 'https://x.eks.amazonaws.com',
      clusterCertificateAuthorityData: 'Q0E=',
      vpc,
    });
    const mesh = new ServiceMesh(new K8sApp(), 'mesh');
    policy(mesh, 1);
    new MeshDelivery(stack, 'Delivery', {
      cluster,
      charts: [mesh],
      kubectlLayer: layer,
      privateSubnets: vpc.privateSubnets,
      securityGroups: [sg],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'python3.13',
      Layers: ['arn:aws:lambda:eu-west-1:111111111111:layer:kubectl:1'],
      VpcConfig: {
        SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('PrivateSubnet1') })]),
        SecurityGroupIds: [Match.objectLike({ 'Fn::GetAtt': Match.arrayWith([Match.stringLikeRegexp('^Sg')]) })],
      },
    });
  });

  test.each([
    ['PUBLIC_AND_PRIVATE', true, eks.EndpointAccess.PUBLIC_AND_PRIVATE],
    ['PRIVATE', true, eks.EndpointAccess.PRIVATE],
    ['PUBLIC', false, eks.EndpointAccess.PUBLIC],
  ] as const)(
    'an eks.Cluster with %s endpoint access: handler in the private subnets = %p, like its kubectl handler',
    (_, inVpc, endpointAccess) => {
      const app = new cdk.App({ builtinCloudFormationValidation: false } as cdk.AppProps);
      const stack = new cdk.Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
      const layer = lambda.LayerVersion.fromLayerVersionArn(
        stack,
        'Layer',
        'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl:1',
      );
      const cluster = new eks.Cluster(stack, 'Cluster', {
        version: eks.KubernetesVersion.V1_35,
        endpointAccess,
        kubectlProviderOptions: { kubectlLayer: layer },
      });
      const mesh = new ServiceMesh(new K8sApp(), 'mesh');
      policy(mesh, 1);
      new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Runtime: 'python3.13', Description: Match.stringLikeRegexp('cdk-cilium-mesh') },
      });
      const [handler] = Object.values(functions);
      expect(handler.Properties.VpcConfig !== undefined).toBe(inVpc);
      if (inVpc) {
        expect(JSON.stringify(handler.Properties.VpcConfig.SubnetIds)).toMatch(/PrivateSubnet1/);
        expect(JSON.stringify(handler.Properties.VpcConfig.SecurityGroupIds)).toMatch(/ClusterSecurityGroupId/);
      }
    },
  );
});
