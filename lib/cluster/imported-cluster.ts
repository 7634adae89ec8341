import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { bundledKubectlLayer } from '../delivery/kubectl-layer';
import { MeshValidationError } from '../private/errors';
import { DEFAULT_LOG_RETENTION } from '../private/log-retention';
import { applyKubectlProviderDefaults } from './kubectl-provider-defaults';

/**
 * An existing EKS cluster, imported with what `Cilium` and mesh deliveries need to reach it: `MeshCluster.fromClusterAttributes`
 * creates this when the attributes bring no `kubectlProvider`.
 *
 * aws-eks-v2 creates a kubectl provider only for clusters it creates; an imported cluster without one fails every
 * Helm chart and manifest with "Kubectl Provider is not defined in this cluster". This construct creates the
 * provider (aws-eks-v2's `KubectlProvider`, with `kubectlProviderOptions`), an EKS access entry for its role, and
 * the cluster import that uses it (`cluster`). The provider waits for the access entry, so nothing runs kubectl
 * before the role may.
 *
 * Access: `AmazonEKSClusterAdminPolicy` at cluster scope, what aws-eks-v2 grants the provider of its own clusters.
 * Nothing narrower fits: the provider installs Cilium's chart (CRDs, ClusterRoles, webhooks, kube-system objects), and
 * the narrower managed access policies (AmazonEKSAdminPolicy, AmazonEKSEditPolicy) list built-in API groups only.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 */
export class ImportedMeshCluster extends Construct {
  /** The imported cluster, with the kubectl provider: pass it to `Cilium`, `MeshDelivery`, `addHelmChart`, ... */
  public readonly cluster: eks.ICluster;
  /** The kubectl provider created for the cluster. */
  public readonly kubectlProvider: eks.KubectlProvider;
  /** The access entry of the provider's role. */
  public readonly accessEntry: eks.AccessEntry;
  /** The provider's role, which the access entry names. */
  public readonly kubectlRole: iam.IRole;

  constructor(scope: Construct, id: string, attrs: eks.ClusterAttributes) {
    super(scope, id);
    if (attrs.kubectlProvider !== undefined) {
      throw new MeshValidationError(
        'kubectlProvider is given, so there is nothing to create: import the cluster with eks.Cluster.fromClusterAttributes ' +
          '(or MeshCluster.fromClusterAttributes, which does that when kubectlProvider is set)',
        this,
      );
    }
    const options = attrs.kubectlProviderOptions;
    if (options?.privateSubnets !== undefined) {
      if (attrs.vpc === undefined) {
        throw new MeshValidationError(
          `kubectlProviderOptions.privateSubnets puts the kubectl provider in the VPC, but cluster '${attrs.clusterName}' ` +
            'is imported without vpc; pass vpc (e.g. ec2.Vpc.fromLookup) with the subnets',
          this,
        );
      }
      const groups = options.securityGroups ?? (options.securityGroup ? [options.securityGroup] : []);
      if (groups.length === 0 && attrs.clusterSecurityGroupId === undefined) {
        throw new MeshValidationError(
          `the kubectl provider in privateSubnets needs a security group that may reach the API endpoint, but cluster ` +
            `'${attrs.clusterName}' is imported without clusterSecurityGroupId and kubectlProviderOptions has no ` +
            'securityGroups; pass clusterSecurityGroupId (the cluster security group EKS created) or securityGroups',
          this,
        );
      }
    }
    const attributes = eks.Cluster.fromClusterAttributes(this, 'Attributes', attrs);
    this.kubectlRole =
      options?.role ??
      new iam.Role(this, 'KubectlRole', {
        description: `kubectl provider of the imported EKS cluster ${attrs.clusterName} (${this.node.path})`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      });
    this.accessEntry = new eks.AccessEntry(this, 'KubectlAccess', {
      cluster: attributes,
      principal: this.kubectlRole.roleArn,
      accessPolicies: [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', {
          accessScopeType: eks.AccessScopeType.CLUSTER,
        }),
      ],
    });
    this.kubectlProvider = new eks.KubectlProvider(this, 'KubectlProvider', {
      ...options,
      kubectlLayer: options?.kubectlLayer ?? bundledKubectlLayer(this),
      role: this.kubectlRole,
      cluster: attributes,
    });
    // Everything that runs kubectl references the provider, so it waits for the access entry too.
    this.kubectlProvider.node.addDependency(this.accessEntry);
    // Its functions log with the library's retention, and cdk-nag's by-design findings on them (and on the role we
    // created for it) are acknowledged, as for the provider of a MeshCluster.
    applyKubectlProviderDefaults(
      this,
      this.kubectlProvider,
      DEFAULT_LOG_RETENTION,
      options?.role === undefined ? this.kubectlRole : undefined,
    );
    this.cluster = eks.Cluster.fromClusterAttributes(this, 'Cluster', {
      ...attrs,
      kubectlProvider: this.kubectlProvider,
      kubectlProviderOptions: undefined,
    });
  }
}
