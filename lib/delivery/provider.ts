import * as fs from 'fs';
import * as path from 'path';
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { bundledKubectlLayer } from './kubectl-layer';
import { DEFAULT_LOG_RETENTION } from '../private/log-retention';
import { acknowledgeNag, managedPolicyFinding, nagFlatten } from '../private/nag';
import { MeshValidationError } from '../private/errors';

/** The custom resource type of every delivery (mesh batches and Gateway API CRDs). */
export const DELIVERY_RESOURCE_TYPE = 'Custom::CiliumMeshObjects';

/** Options for the Lambda function that applies objects to a cluster. */
export interface DeliveryProviderOptions {
  /**
   * Lambda layer with kubectl at /opt/kubectl/kubectl (the first delivery to a cluster in a stack decides).
   * @default - the stack's KubectlV35Layer from @aws-cdk/lambda-layer-kubectl-v35, which the kubectl providers of
   * `MeshCluster` and of imported clusters share
   */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /**
   * Subnets for the handler, for clusters whose endpoint is private (they need a route to the endpoint, to S3
   * and, for Gateway API release downloads, to github.com). Note that aws-eks-v2 2.276 does not expose the
   * cluster's own `kubectlProviderOptions` on `ICluster` objects; for an imported cluster with a private
   * endpoint, pass the subnets here.
   * @default - `cluster.kubectlProviderOptions?.privateSubnets` when set; for an `eks.Cluster` (e.g. `MeshCluster`)
   * with private endpoint access, its VPC's private subnets, as aws-eks-v2 does for its own kubectl handler; else
   * no VPC
   */
  readonly privateSubnets?: ec2.ISubnet[];
  /**
   * Security groups of the handler when it runs in `privateSubnets`.
   * @default - the security groups of `cluster.kubectlProviderOptions`, else the cluster security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Finds the handler directory both from lib/ (ts-node, jest) and from dist/lib/ (the published package). */
function handlerDir(): string {
  const candidates = [
    path.join(__dirname, 'handler'),
    path.join(__dirname, '..', '..', '..', 'lib', 'delivery', 'handler'),
  ];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'index.py')));
  return found ?? candidates[0];
}

/**
 * One handler per stack and cluster, shared by every MeshDelivery and GatewayApiCrds of that stack: a Python
 * 3.13 Lambda with the kubectl layer behind the CDK provider framework (which reports failures to
 * CloudFormation even when the handler crashes), and one EKS access entry for its role.
 *
 * Access: `AmazonEKSClusterAdminPolicy` at cluster scope, the narrowest managed access policy that can manage
 * these kinds. Access policies are fixed rule tables evaluated by EKS (they cannot be extended); the narrower
 * ones (AmazonEKSAdminPolicy, AmazonEKSEditPolicy) list explicit built-in API groups (apps, core, batch, ...),
 * so they grant nothing on cilium.io, gateway.networking.k8s.io or apiextensions.k8s.io (CRDs), and the CRD
 * install and cluster-scoped kinds (CiliumClusterwideNetworkPolicy, ValidatingAdmissionPolicy) need cluster
 * scope. The documented alternative, an access entry with Kubernetes groups bound by RBAC objects, needs those
 * RBAC objects applied first by something that already has access.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 */
export class DeliveryProvider extends Construct {
  /** The provider of `cluster` in the stack of `scope`, created on first use. */
  public static of(scope: IConstruct, cluster: eks.ICluster, options: DeliveryProviderOptions = {}): DeliveryProvider {
    const stack = Stack.of(scope);
    const id = `CiliumMeshDelivery${cluster.node.addr}`;
    const existing = stack.node.tryFindChild(id);
    if (existing instanceof DeliveryProvider) {
      return existing;
    }
    requireAttribute(scope, cluster, 'clusterEndpoint', 'endpoint');
    requireAttribute(scope, cluster, 'clusterCertificateAuthorityData', 'certificateAuthority.data');
    return new DeliveryProvider(stack, id, cluster, options);
  }

  /** The Lambda function that runs kubectl. */
  public readonly handler: lambda.Function;
  /** Service token of the provider framework. */
  public readonly serviceToken: string;
  /** The access entry that lets the handler role manage Kubernetes objects. */
  public readonly accessEntry: eks.AccessEntry;

  private readonly batchSuffixes = new Set<string>();
  private assetBucket?: string;

  private constructor(scope: Construct, id: string, cluster: eks.ICluster, options: DeliveryProviderOptions) {
    super(scope, id);
    const kubectl = cluster.kubectlProviderOptions;
    const subnets = options.privateSubnets ?? kubectl?.privateSubnets ?? privateEndpointSubnets(cluster);
    let securityGroups: ec2.ISecurityGroup[] | undefined;
    if (subnets) {
      securityGroups =
        options.securityGroups ??
        kubectl?.securityGroups ??
        (kubectl?.securityGroup ? [kubectl.securityGroup] : [cluster.clusterSecurityGroup]);
    }
    this.handler = new lambda.Function(this, 'Handler', {
      description: 'cdk-cilium-mesh: applies Kubernetes objects from S3/pinned URLs with server-side apply',
      runtime: lambda.Runtime.PYTHON_3_13,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerDir(), { exclude: ['test*', '__pycache__'] }),
      layers: [options.kubectlLayer ?? bundledKubectlLayer(this)],
      timeout: Duration.minutes(15),
      // the engine applies every object in one kubectl process: measured ~45 KiB of kubectl memory per object
      // (278 MiB at 5,000, docs/benchmarks.md), so 2 GiB holds ~35,000 objects; Lambda also scales CPU with memory
      memorySize: 2048,
      // The cluster is bound here, at synthesis: the handler never acts on an endpoint, CA or cluster name taken
      // from the event (anyone allowed to invoke it could otherwise point its bearer token elsewhere). Likewise the
      // bucket and key suffixes of the batches it may read.
      environment: {
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
        CLUSTER_NAME: cluster.clusterName,
        CLUSTER_ENDPOINT: cluster.clusterEndpoint,
        CLUSTER_CA: cluster.clusterCertificateAuthorityData,
        ASSET_BUCKET: Lazy.string({ produce: () => this.assetBucket ?? '' }),
        ASSET_SUFFIXES: Lazy.string({ produce: () => [...this.batchSuffixes].sort().join(',') }),
      },
      vpc: subnets ? cluster.vpc : undefined,
      vpcSubnets: subnets ? { subnets } : undefined,
      securityGroups,
      logGroup: new logs.LogGroup(this, 'HandlerLogs', { retention: DEFAULT_LOG_RETENTION }),
    });
    const role = this.handler.role as iam.IRole;
    this.accessEntry = new eks.AccessEntry(this, 'Access', {
      cluster,
      principal: role.roleArn,
      accessPolicies: [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', {
          accessScopeType: eks.AccessScopeType.CLUSTER,
        }),
      ],
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: DEFAULT_LOG_RETENTION }),
    });
    this.serviceToken = provider.serviceToken;
    this.acknowledgeNagFindings(provider);
  }

  /** cdk-nag (AwsSolutions) findings on the handler and its provider framework, each by design. */
  private acknowledgeNagFindings(provider: cr.Provider): void {
    const logsPolicy = {
      [managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole')]:
        'CloudWatch Logs for the function (lambda.Function and the provider framework attach it)',
    };
    acknowledgeNag(this.handler, {
      ...logsPolicy,
      [managedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole')]:
        'ENIs of the handler in the VPC, which reaches a private cluster endpoint',
      'AwsSolutions-L1':
        'the handler pins Python 3.13 so that a runtime change is a deliberate change of this file; ' +
        'it has not been run on 3.14 (the live suite runs it with the host python3)',
    });
    const onEvent = provider.node.tryFindChild('framework-onEvent');
    if (onEvent) {
      acknowledgeNag(onEvent, {
        ...logsPolicy,
        [`AwsSolutions-IAM5[Resource::${nagFlatten(this, this.handler.functionArn)}:*]`]:
          'the provider framework invokes the handler, any of its versions (lambda:InvokeFunction on <arn>:*)',
      });
    }
  }

  /**
   * Lets the handler read a delivery's batches: `s3:GetObject` on `keyPattern` (e.g. `*.meshbatch-<id>`) in `bucket`,
   * one statement however many batches, and nothing else of the bucket (no List, no GetBucket).
   */
  public grantBatches(bucket: string, keyPattern: string, suffix: string): void {
    this.batchSuffixes.add(suffix);
    this.assetBucket ??= bucket;
    const objects = Stack.of(this).formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: bucket,
      resourceName: keyPattern,
    });
    this.handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
    acknowledgeNag(this.handler, {
      [`AwsSolutions-IAM5[Resource::${nagFlatten(this, objects)}]`]:
        "s3:GetObject on this delivery's batch files only (keys ending in its suffix); their names are asset hashes",
    });
  }
}

/**
 * An attribute the handler is bound to at synthesis: an imported cluster without it fails here, naming the construct
 * that delivers and where the value comes from, instead of in aws-eks-v2's getter without a path.
 */
function requireAttribute(
  scope: IConstruct,
  cluster: eks.ICluster,
  name: 'clusterEndpoint' | 'clusterCertificateAuthorityData',
  query: string,
): void {
  try {
    void cluster[name];
  } catch {
    throw new MeshValidationError(
      `delivering objects to the imported cluster '${cluster.node.path}' needs its ${name}, ` +
        `which it was imported without (the delivery handler is bound to the cluster at synthesis); pass ${name} to ` +
        `MeshCluster.fromClusterAttributes (aws eks describe-cluster --query cluster.${query})`,
      scope,
    );
  }
}

/**
 * The subnets aws-eks-v2 puts its own kubectl handler in: with private endpoint access on, the VPC's private
 * subnets (cluster.js: `if (privateAccess && privateSubnets.length !== 0) kubectlSubnets = privateSubnets`). Our
 * handler must reach the endpoint the same way, or PRIVATE and `onlyFrom(...)` clusters are unreachable.
 */
function privateEndpointSubnets(cluster: eks.ICluster): ec2.ISubnet[] | undefined {
  if (!(cluster instanceof eks.Cluster)) {
    return undefined;
  }
  const vpcConfig = (cluster.node.defaultChild as eks.CfnCluster)
    .resourcesVpcConfig as eks.CfnCluster.ResourcesVpcConfigProperty;
  const privateAccess = Stack.of(cluster).resolve(vpcConfig?.endpointPrivateAccess) === true;
  const subnets = cluster.vpc.privateSubnets;
  return privateAccess && subnets.length > 0 ? [...subnets] : undefined;
}
