import { createHash } from 'crypto';
import { Annotations, CfnWaitConditionHandle, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IDependable } from 'constructs';
import { endpointOpenToWorld } from './endpoint';
import { bundledKubectlLayer } from '../delivery/kubectl-layer';
import { ImportedMeshCluster } from './imported-cluster';
import { BUNDLED_KUBECTL_MINOR, checkKubernetesVersion } from './kubernetes-version';
import { ALL_CLUSTER_LOGGING_TYPES, type MeshClusterProps } from './mesh-cluster-props';
import {
  createNodegroupLaunchTemplate,
  renderNodegroupTaints,
  resolveMeshNodegroup,
  type MeshNodegroupOptions,
} from './nodegroup';
import { renderVpcCniConfiguration, resolveVpcCniMtu } from './vpc-cni';
import { Cilium, type CiliumOptions } from '../cilium/cilium';
import { KubeProxyMode, _markMeshClusterFacts, type IMeshClusterFacts } from '../cilium/cluster-facts';
import { validateEniOptions, type EniOptions } from '../cilium/eni';
import { Datapath } from '../cilium/profile';
import { CiliumVersion } from '../cilium/version';
import { atScope, MeshValidationError } from '../private/errors';
import { DEFAULT_LOG_RETENTION, retainFunctionLogs } from '../private/log-retention';
import { acknowledgeNag, managedPolicyFinding } from '../private/nag';
import { applyKubectlProviderDefaults } from './kubectl-provider-defaults';

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * An EKS cluster prepared for Cilium: managed node groups tainted until Cilium's agent is ready, access entries
 * only, encrypted secrets and control-plane logging, and the datapath's networking. In aws-cni chaining (default)
 * the VPC CNI is a managed add-on with its network policy off; with `Datapath.ENI` there is no VPC CNI at all,
 * Cilium is installed before the node groups and their max-pods follows ENI IPAM. It is an `eks.Cluster`, so
 * `grantAccess`, `addHelmChart`, ... work as usual.
 */
export class MeshCluster extends eks.Cluster implements IMeshClusterFacts {
  /** Whether kube-proxy runs; the `Cilium` construct derives `kubeProxyReplacement` from it. */
  public readonly kubeProxyMode: KubeProxyMode;
  /** The datapath; the `Cilium` construct follows it and refuses another one. */
  public readonly datapath: Datapath;
  /** The ENI options (`Datapath.ENI`), which `addCilium` installs with. */
  public readonly eniOptions?: EniOptions;
  /** The cluster's Kubernetes version. */
  public readonly kubernetesVersion: eks.KubernetesVersion;
  /** The key that envelope-encrypts Kubernetes Secrets. */
  public readonly secretsEncryptionKey: kms.IKeyRef;
  /** The `vpc-cni` managed add-on (aws-cni chaining only); every node group depends on it. */
  public readonly vpcCniAddon?: eks.CfnAddon;
  /** The pods' MTU, the VPC CNI's `POD_MTU` (aws-cni chaining only); WireGuard on this cluster is checked against it. */
  public readonly podMtu?: number;
  /** The ENIs' MTU, the VPC CNI's `AWS_VPC_ENI_MTU` (aws-cni chaining only). */
  public readonly eniMtu?: number;
  /**
   * The `configurationValues` of the VPC CNI add-on (aws-cni chaining only), as `renderVpcCniConfiguration`
   * returns them.
   */
  public readonly vpcCniConfiguration?: { [key: string]: any };
  /**
   * The role of the VPC CNI (aws-cni chaining only), trusted by EKS Pod Identity and associated with
   * `kube-system/aws-node` through the add-on's `podIdentityAssociations`; it holds AmazonEKS_CNI_Policy, which the
   * node roles do not.
   */
  public readonly vpcCniRole?: iam.IRole;
  /** The VPC flow log, when the cluster created its VPC and `vpcFlowLogs` is not false. */
  public readonly vpcFlowLog?: ec2.FlowLog;
  /** The `coredns` managed add-on in `KubeProxyMode.REPLACE` and on ENI; it waits for `nodegroupsReady`. */
  public readonly coreDnsAddon?: eks.CfnAddon;
  /** The `kube-proxy` managed add-on on ENI with `KubeProxyMode.KEEP` (the cluster is created without add-ons). */
  public readonly kubeProxyAddon?: eks.CfnAddon;
  /**
   * Completes once every node group of this cluster exists, including groups added after this point (a
   * CloudFormation barrier resource that each new group is added to). Make Cilium's Helm release depend on it: with
   * `wait`, the release needs nodes for its pods.
   */
  public readonly nodegroupsReady: IDependable;
  /** The default node group, unless `createDefaultNodegroup` is false. */
  declare public readonly defaultNodegroup?: eks.Nodegroup;

  private readonly _nodegroups: eks.Nodegroup[] = [];
  private readonly meshNodegroupIds = new Set<string>();
  private readonly bottlerocketNodegroups: string[] = [];
  private _cilium?: Cilium;
  private _desiredNodes = 0;
  private readonly nodegroupsBarrier: CfnWaitConditionHandle;
  private readonly kubernetesMinorVersion: number;
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: MeshClusterProps) {
    const version = props.version;
    const kubectlProviderOptions =
      props.kubectlProviderOptions ??
      (isBundledVersion(version) ? { kubectlLayer: bundledKubectlLayer(scope) } : undefined);
    const kubeProxyMode = props.kubeProxyMode ?? KubeProxyMode.KEEP;
    const datapath = props.datapath ?? Datapath.AWS_CNI_CHAINING;
    super(scope, id, {
      // aws-eks-v2's own options pass through; the mesh's defaults and decisions follow.
      ...props,
      endpointAccess: props.endpointAccess ?? eks.EndpointAccess.PUBLIC_AND_PRIVATE,
      clusterLogging: props.clusterLogging ?? [...ALL_CLUSTER_LOGGING_TYPES],
      // Set below, on the CfnCluster, with the key this construct creates by default.
      secretsEncryptionKey: undefined,
      // Managed node groups only (no Auto Mode: `compute` is refused below); ours are added below, with the taint and
      // the launch template.
      compute: undefined,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      bootstrapClusterCreatorAdminPermissions: props.bootstrapClusterCreatorAdminPermissions ?? false,
      // ENI: no VPC CNI (nor kube-proxy, CoreDNS: they come back as managed add-ons below).
      bootstrapSelfManagedAddons:
        kubeProxyMode === KubeProxyMode.REPLACE || datapath === Datapath.ENI ? false : undefined,
      kubectlProviderOptions,
    });
    this.kubernetesVersion = version;
    this.logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
    this.kubernetesMinorVersion = atScope(this, () =>
      checkKubernetesVersion(version, props.kubectlProviderOptions !== undefined),
    );
    rejectUnsupportedProps(this, props);
    if (!Object.values(KubeProxyMode).includes(kubeProxyMode)) {
      throw new MeshValidationError(
        `kubeProxyMode must be KubeProxyMode.KEEP or KubeProxyMode.REPLACE, got '${String(kubeProxyMode)}'; pass one of them`,
        this,
      );
    }
    this.kubeProxyMode = kubeProxyMode;
    if (props.createDefaultNodegroup === false && props.defaultNodegroup !== undefined) {
      throw new MeshValidationError(
        'defaultNodegroup is set but createDefaultNodegroup is false; drop one of them',
        this,
      );
    }

    this.secretsEncryptionKey =
      props.secretsEncryptionKey ??
      new kms.Key(this, 'SecretsEncryptionKey', {
        description: `Envelope encryption of Kubernetes Secrets of EKS cluster ${this.node.path}`,
        enableKeyRotation: true,
      });
    const cfnCluster = this.node.defaultChild as eks.CfnCluster;
    cfnCluster.encryptionConfig = [
      { provider: { keyArn: this.secretsEncryptionKey.keyRef.keyArn }, resources: ['secrets'] },
    ];
    // The CloudFormation schema marks Resources deprecated, but the EKS API still documents it (only value
    // `secrets`) and eks.Cluster writes it the same way; keep it explicit and silence the schema warning.
    Validations.of(cfnCluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason: 'EncryptionConfig.Resources=[secrets] is what the EKS API documents for secrets envelope encryption',
    });

    for (const admin of sortedAdmins(this, props.admins ?? [])) {
      this.grantClusterAdmin(`Admin${admin.hash}`, admin.arn);
    }

    if (!Object.values(Datapath).includes(datapath)) {
      throw new MeshValidationError(
        `datapath must be Datapath.AWS_CNI_CHAINING or Datapath.ENI, got '${String(datapath)}'; pass one of them`,
        this,
      );
    }
    this.datapath = datapath;
    _markMeshClusterFacts(this);
    if (datapath === Datapath.ENI) {
      rejectVpcCniProps(this, props);
      this.eniOptions = props.eni ?? {};
      // Checked here too (with the newest line; addCilium checks again with its own) so that a bad option names the
      // cluster, where it was set.
      atScope(this, () =>
        validateEniOptions({ ...this.eniOptions, egressMasqueradeInterfaces: undefined }, CiliumVersion.V1_20),
      );
      if (kubeProxyMode === KubeProxyMode.KEEP) {
        this.kubeProxyAddon = new eks.CfnAddon(this, 'KubeProxyAddon', {
          addonName: 'kube-proxy',
          clusterName: this.clusterName,
          addonVersion: props.kubeProxyAddonVersion,
          resolveConflicts: 'OVERWRITE',
          preserveOnDelete: true,
        });
      }
    } else {
      if (props.eni !== undefined) {
        throw new MeshValidationError(
          'eni options are set, but the datapath is aws-cni chaining (the VPC CNI assigns pod addresses); pass ' +
            'datapath: Datapath.ENI or remove eni',
          this,
        );
      }
      const mtu = atScope(this, () => resolveVpcCniMtu(props.vpcCni));
      this.podMtu = mtu.podMtu;
      this.eniMtu = mtu.eniMtu;
      const cniValues = (this.vpcCniConfiguration = atScope(this, () =>
        renderVpcCniConfiguration({
          ...props.vpcCni,
          // Without kube-proxy, ipamd cannot reach the API server through the `kubernetes` ClusterIP until Cilium runs.
          clusterEndpoint:
            props.vpcCni?.clusterEndpoint ??
            (kubeProxyMode === KubeProxyMode.REPLACE ? this.clusterEndpoint : undefined),
        }),
      ));
      this.vpcCniRole = this.createVpcCniRole();
      // eks.Addon does not expose resolveConflicts; OVERWRITE lets the managed add-on take over the aws-node
      // DaemonSet that EKS installed at creation (KEEP). preserveOnDelete keeps pod networking up if the add-on
      // resource is ever removed from the stack.
      this.vpcCniAddon = new eks.CfnAddon(this, 'VpcCniAddon', {
        addonName: 'vpc-cni',
        clusterName: this.clusterName,
        addonVersion: props.vpcCniAddonVersion,
        resolveConflicts: 'OVERWRITE',
        preserveOnDelete: true,
        configurationValues: Stack.of(this).toJsonString(cniValues),
        podIdentityAssociations: [{ serviceAccount: 'aws-node', roleArn: this.vpcCniRole.roleArn }],
      });
      // aws-node gets its credentials from the agent on its node; the association exists once the add-on does.
      if (this.eksPodIdentityAgent) this.vpcCniAddon.node.addDependency(this.eksPodIdentityAgent);
    }
    // A resource (not a bare construct) so that dependants also wait for node groups added later.
    this.nodegroupsBarrier = new CfnWaitConditionHandle(this, 'NodegroupsReady');
    this.nodegroupsReady = this.nodegroupsBarrier;

    if (props.kubeProxyAddonVersion !== undefined && !this.kubeProxyAddon) {
      throw new MeshValidationError(
        'kubeProxyAddonVersion is set, but this cluster has no kube-proxy add-on (only Datapath.ENI with ' +
          'KubeProxyMode.KEEP creates one; otherwise EKS installs kube-proxy itself or it is replaced); remove it',
        this,
      );
    }
    if (kubeProxyMode === KubeProxyMode.REPLACE || datapath === Datapath.ENI) {
      this.coreDnsAddon = new eks.CfnAddon(this, 'CoreDnsAddon', {
        addonName: 'coredns',
        clusterName: this.clusterName,
        addonVersion: props.coreDnsAddonVersion,
        resolveConflicts: 'OVERWRITE',
        preserveOnDelete: true,
      });
      // After the node groups, but NOT after the Cilium release: Helm waits (kstatus) for every Cilium workload, and
      // Hubble Relay only becomes ready once it resolves hubble-peer through CoreDNS (cilium/cilium#28765). CoreDNS
      // pods stay Pending until Cilium clears the agent-not-ready taint, which CloudFormation tolerates: its
      // AWS::EKS::Addon handler treats DEGRADED as a terminal success (hashicorp/terraform-provider-aws#44669), and
      // the pods start as soon as the agents run.
      this.coreDnsAddon.node.addDependency(this.nodegroupsBarrier);
    }

    this.vpcFlowLog = this.addVpcFlowLog(props);
    applyKubectlProviderDefaults(this, this.kubectlProvider, this.logRetention);
    this.retainControlPlaneLogs(props);
    this.acknowledgeNagFindings();
    this.warnOpenEndpoint();

    if (props.createDefaultNodegroup ?? true) {
      this.defaultNodegroup = this.addMeshNodegroup('Default', props.defaultNodegroup ?? {});
    }
    if (datapath === Datapath.ENI) {
      // A validation, not a constructor check: Cilium is added after the cluster.
      this.node.addValidation({
        validate: () =>
          this._cilium
            ? []
            : [
                'the ENI datapath has no other CNI: nodes stay NotReady until Cilium runs on them, so the node groups never ' +
                  'become healthy; call cluster.addCilium()',
              ],
      });
    }
  }

  /**
   * Imports an existing EKS cluster so that `Cilium` and mesh deliveries work on it. aws-eks-v2 gives an imported
   * cluster no kubectl provider, so that its Helm charts fail with "Kubectl Provider is not defined in this cluster";
   * without `attrs.kubectlProvider`, this creates one (with `attrs.kubectlProviderOptions`; the bundled 1.35 kubectl
   * layer by default) and an access entry for its role (an `ImportedMeshCluster` named `id`, whose `cluster` this
   * returns). With `attrs.kubectlProvider`, it is `eks.Cluster.fromClusterAttributes`.
   *
   * Mesh deliveries (`cilium.addMesh`, `MeshDelivery`) also need `clusterEndpoint` and `clusterCertificateAuthorityData`;
   * a provider in `privateSubnets` needs `vpc` and `clusterSecurityGroupId` (or its own security groups).
   */
  public static fromClusterAttributes(scope: Construct, id: string, attrs: eks.ClusterAttributes): eks.ICluster {
    if (attrs.kubectlProvider !== undefined) {
      return eks.Cluster.fromClusterAttributes(scope, id, attrs);
    }
    return new ImportedMeshCluster(scope, id, attrs).cluster;
  }

  /** The Cilium installed with `addCilium`, if any. */
  public get cilium(): Cilium | undefined {
    return this._cilium;
  }

  /**
   * Installs Cilium on this cluster (construct id `Cilium`) on the cluster's datapath, with its `eni` options on
   * ENI. Kube-proxy replacement follows `kubeProxyMode`. In aws-cni chaining the Helm release waits for the node
   * groups (its pods need nodes, and `wait` is on); on ENI the node groups wait for the release instead (their nodes
   * become Ready only once Cilium runs, so Helm does not wait) and mesh deliveries wait for both.
   * In REPLACE mode CoreDNS is created alongside Cilium: its pods start once Cilium's agents clear the node taint,
   * and Cilium components that need DNS (Hubble Relay) become ready then. WireGuard takes this cluster's pod and ENI
   * MTUs (`vpcCni`), which must leave room for its header. The operator's replicas must fit on distinct nodes
   * (the chart's required pod anti-affinity), checked against the node groups' desired sizes at synth.
   */
  public addCilium(options: CiliumOptions = {}): Cilium {
    if (this._cilium) {
      throw new MeshValidationError(
        `Cilium is already installed on this cluster (${this._cilium.node.path}); call addCilium once and keep the result`,
        this,
      );
    }
    if (options.eni !== undefined) {
      throw new MeshValidationError(
        'eni options are set on addCilium, but node groups need them first (prefix delegation decides their max-pods); ' +
          'pass eni to the MeshCluster instead',
        this,
      );
    }
    const eni = this.datapath === Datapath.ENI;
    if (eni && options.wait === true) {
      throw new MeshValidationError(
        'wait: true on the ENI datapath would never finish: Cilium is installed before the node groups (their nodes ' +
          'become Ready only once it runs), so Helm has nothing to wait for; remove wait',
        this,
      );
    }
    const cilium = new Cilium(this, 'Cilium', {
      ...options,
      cluster: this,
      ...(eni
        ? { eni: this.eniOptions, wait: false, readyAfter: [this.nodegroupsReady, ...(options.readyAfter ?? [])] }
        : {}),
    });
    if (eni && typeof cilium.values.egressMasqueradeInterfaces === 'string') {
      const interfaces = cilium.values.egressMasqueradeInterfaces;
      // A validation: Bottlerocket groups may be added after addCilium.
      cilium.node.addValidation({
        validate: () =>
          this.bottlerocketNodegroups.length === 0 || interfaces.split(' ').includes('eth+')
            ? []
            : [
                `egressMasqueradeInterfaces is '${interfaces}', but node group(s) ${this.bottlerocketNodegroups.join(', ')} run ` +
                  'Bottlerocket, whose interfaces are eth0, eth1, …: pod traffic leaving the VPC would not be masqueraded ' +
                  "there; pass eni: { egressMasqueradeInterfaces: ['eth+', 'ens+'] } to the MeshCluster",
              ],
      });
    }
    if (eni) {
      // Nodes only become Ready once Cilium runs on them: Cilium first (without Helm's wait), then the node groups,
      // and mesh objects after both (readyAfter).
      for (const nodegroup of this._nodegroups) {
        nodegroup.node.addDependency(cilium.release);
      }
    } else {
      cilium.node.addDependency(this.nodegroupsReady);
    }
    this._cilium = cilium;
    if (this.albController) {
      // aws-eks-v2 installs the AWS Load Balancer Controller with Helm's wait (15 minutes); its pods only schedule once
      // Cilium clears the agent-not-ready taint of the nodes, so the chart goes after Cilium and the node groups.
      this.albController.node.addDependency(cilium.release, this.nodegroupsReady);
    }
    const replicas = options.operatorReplicas ?? 2;
    // A validation, not a constructor check: node groups may still be added after addCilium.
    cilium.node.addValidation({
      validate: () => {
        const nodes = this._desiredNodes;
        return nodes >= replicas
          ? []
          : [
              `the Cilium operator runs ${replicas} replicas with a required pod anti-affinity on kubernetes.io/hostname, ` +
                `but the node groups start only ${nodes} node(s), so Helm's wait never completes; add nodes (desiredSize) or ` +
                `pass operatorReplicas: ${Math.max(nodes, 1)} to addCilium`,
            ];
      },
    });
    return cilium;
  }

  /** The node groups of this cluster, in creation order; Cilium's Helm release can depend on them. */
  public get nodegroups(): eks.Nodegroup[] {
    return [...this._nodegroups];
  }

  /**
   * Adds a managed node group with the Cilium agent-not-ready taint and a launch template that requires IMDSv2.
   *
   * @param id construct id; the node group is `Nodegroup<id>`, its launch template `Nodegroup<id>LaunchTemplate`
   */
  public addMeshNodegroup(id: string, options: MeshNodegroupOptions = {}): eks.Nodegroup {
    const eni = this.datapath === Datapath.ENI;
    const resolved = this.forNodegroup(id, () =>
      resolveMeshNodegroup(options, this.kubernetesMinorVersion, {
        eni,
        prefixDelegation: this.eniOptions?.prefixDelegation,
      }),
    );
    const launchTemplate = createNodegroupLaunchTemplate(this, `Nodegroup${id}LaunchTemplate`, resolved);
    this.meshNodegroupIds.add(id);
    if (resolved.amiType.startsWith('BOTTLEROCKET')) this.bottlerocketNodegroups.push(id);
    return this.addNodegroupCapacity(id, {
      nodegroupName: options.nodegroupName,
      subnets: options.subnets,
      capacityType: options.capacityType,
      instanceTypes: resolved.instanceTypes,
      amiType: resolved.amiType,
      minSize: resolved.minSize,
      maxSize: resolved.maxSize,
      desiredSize: resolved.desiredSize,
      labels: resolved.labels,
      taints: resolved.taints,
      launchTemplateSpec: {
        id: launchTemplate.launchTemplateId!,
        version: launchTemplate.latestVersionNumber,
      },
    });
  }

  /**
   * Adds a managed node group as `eks.Cluster` does, plus the Cilium agent-not-ready taint and the ordering of mesh
   * node groups. Prefer `addMeshNodegroup`, which also enforces IMDSv2.
   */
  public addNodegroupCapacity(id: string, options: eks.NodegroupOptions = {}): eks.Nodegroup {
    if (this.datapath === Datapath.ENI && !this.meshNodegroupIds.has(id)) {
      throw new MeshValidationError(
        `addNodegroupCapacity('${id}') is not supported on the ENI datapath: its nodes would get neither the max-pods ` +
          'value of ENI IPAM nor a node role without the VPC CNI policy; use addMeshNodegroup(id, options)',
        this,
      );
    }
    const taints = this.forNodegroup(id, () => renderNodegroupTaints(options.taints));
    const nodeRole = options.nodeRole ?? this.meshNodeRole(id);
    const nodegroup = super.addNodegroupCapacity(id, { ...options, taints, nodeRole });
    // eks.Nodegroup's own default: desiredSize = minSize, else 2.
    this._desiredNodes += options.desiredSize ?? options.minSize ?? 2;
    if (this.vpcCniAddon) {
      // Nodes must not join before the VPC CNI add-on has its configuration (prefix delegation decides max-pods).
      nodegroup.node.addDependency(this.vpcCniAddon);
    }
    if (this.kubeProxyAddon) {
      nodegroup.node.addDependency(this.kubeProxyAddon);
    }
    if (this._cilium && this.datapath === Datapath.ENI) {
      nodegroup.node.addDependency(this._cilium.release);
    }
    this.nodegroupsBarrier.node.addDependency(nodegroup);
    this._nodegroups.push(nodegroup);
    return nodegroup;
  }

  /**
   * Not supported: self-managed nodes would join without the Cilium agent-not-ready taint, so pods scheduled before
   * Cilium manages the node stay unmanaged until restarted. Use `addMeshNodegroup` (managed node groups).
   */
  public addAutoScalingGroupCapacity(
    id: string,
    _options: eks.AutoScalingGroupCapacityOptions,
  ): autoscaling.AutoScalingGroup {
    throw selfManagedCapacityError(this, `addAutoScalingGroupCapacity('${id}')`);
  }

  /** Not supported, for the reason given on `addAutoScalingGroupCapacity`. */
  public connectAutoScalingGroupCapacity(
    autoScalingGroup: autoscaling.AutoScalingGroup,
    _options: eks.AutoScalingGroupOptions,
  ): void {
    throw selfManagedCapacityError(this, `connectAutoScalingGroupCapacity(${autoScalingGroup.node.path})`);
  }

  /**
   * The node role of a node group: what a node needs (AmazonEKSWorkerNodePolicy, ECR read), without the
   * AmazonEKS_CNI_Policy that eks.Nodegroup's default role carries (and that every pod on the node could use through
   * the instance metadata). The VPC CNI gets it through EKS Pod Identity (`vpcCniRole`); on ENI the Cilium operator
   * manages ENIs with its own role.
   */
  private meshNodeRole(id: string): iam.IRole {
    const role = new iam.Role(this, `Nodegroup${id}Role`, {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodePolicy'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryReadOnly'),
      ],
    });
    acknowledgeNag(role, {
      [managedPolicyFinding('AmazonEKSWorkerNodePolicy')]:
        'the managed policy EKS documents for node roles (node registration, DescribeCluster); AWS keeps it current',
      [managedPolicyFinding('AmazonEC2ContainerRegistryReadOnly')]:
        'nodes pull the EKS add-on images (and Cilium mirrors in ECR) with it; read-only',
    });
    return role;
  }

  /**
   * The VPC CNI's role (`AmazonEKS_CNI_Policy`, IPv4), trusted by EKS Pod Identity (`pods.eks.amazonaws.com`, with
   * session tags) and associated with `kube-system/aws-node` by the add-on (VPC CNI support for Pod Identity:
   * aws/amazon-vpc-cni-k8s#2780). The pod identity agent add-on comes with it (`eksPodIdentityAgent`); its DaemonSet
   * tolerates every taint since v1.2.0-eksbuild.1 (aws/containers-roadmap#2261), so it runs on nodes that still
   * carry Cilium's agent-not-ready taint, as aws-node does.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/add-ons-iam.html
   */
  private createVpcCniRole(): iam.IRole {
    const role = new iam.Role(this, 'VpcCniRole', {
      description: `Amazon VPC CNI (kube-system/aws-node) of EKS cluster ${this.node.path}, through EKS Pod Identity`,
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKS_CNI_Policy')],
    });
    acknowledgeNag(role, {
      [managedPolicyFinding('AmazonEKS_CNI_Policy')]:
        'the policy the VPC CNI add-on requires (describe-addon-configuration); held by this pod identity role only, not by nodes',
    });
    return role;
  }

  /** Flow logs of the VPC this cluster created (`vpcFlowLogs`), to a CloudWatch log group with `logRetention`. */
  private addVpcFlowLog(props: MeshClusterProps): ec2.FlowLog | undefined {
    if (props.vpc !== undefined) {
      if (props.vpcFlowLogs !== undefined) {
        throw new MeshValidationError(
          `vpcFlowLogs is ${props.vpcFlowLogs}, but the cluster uses the VPC it was given (${props.vpc.node.path}), ` +
            "whose flow logs are its owner's; remove vpcFlowLogs and call vpc.addFlowLog() where the VPC is defined",
          this,
        );
      }
      return undefined;
    }
    if (props.vpcFlowLogs === false) return undefined;
    const group = new logs.LogGroup(this, 'VpcFlowLogs', { retention: this.logRetention });
    return (this.vpc as ec2.Vpc).addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(group),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }

  /**
   * The control-plane log group `/aws/eks/<name>/cluster`, which EKS creates (never expiring) when logging is on,
   * kept for `logRetention`: set by aws-cdk-lib's `logs.LogRetention` (a custom resource that creates the group if
   * it does not exist yet and sets its retention), so it also works on clusters deployed before.
   */
  private retainControlPlaneLogs(props: MeshClusterProps): void {
    if ((props.clusterLogging ?? ALL_CLUSTER_LOGGING_TYPES).length === 0) return;
    new logs.LogRetention(this, 'ControlPlaneLogRetention', {
      logGroupName: Fn.join('', ['/aws/eks/', this.clusterName, '/cluster']),
      retention: this.logRetention,
    });
    // The singleton function (and its role) of LogRetention lives at the stack root.
    const fn = Stack.of(this).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
    if (fn) {
      retainFunctionLogs(fn, this.logRetention);
      acknowledgeNag(fn, {
        [managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole')]:
          "CloudWatch Logs for aws-cdk-lib's LogRetention function (it attaches it; not configurable)",
        'AwsSolutions-IAM5[Resource::*]':
          "aws-cdk-lib's LogRetention function sets the retention of log groups by name (logs:PutRetentionPolicy, " +
          'logs:DeleteRetentionPolicy on *); not configurable',
      });
    }
  }

  /**
   * cdk-nag (AwsSolutions) findings on what aws-eks-v2 creates for the cluster, each by design; acknowledged here,
   * next to the constructs (scripts/nag runs the pack over every example). The kubectl provider's are acknowledged,
   * and its logs kept, by `applyKubectlProviderDefaults`.
   */
  private acknowledgeNagFindings(): void {
    acknowledgeNag(this.role, {
      [managedPolicyFinding('AmazonEKSClusterPolicy')]:
        'the managed policy EKS requires on the cluster role; AWS keeps it current with the control plane',
    });
  }

  /**
   * `cdk-cilium-mesh:publicEndpoint`: the public API endpoint admits 0.0.0.0/0 (aws-eks-v2's PUBLIC and
   * PUBLIC_AND_PRIVATE without `onlyFrom`). cdk-nag's EKS rules do not see aws-eks-v2 clusters; scripts/nag has
   * the same check as a rule.
   */
  private warnOpenEndpoint(): void {
    const cfnCluster = this.node.defaultChild as eks.CfnCluster;
    const config = Stack.of(this).resolve(cfnCluster.resourcesVpcConfig) as eks.CfnCluster.ResourcesVpcConfigProperty;
    if (endpointOpenToWorld(config) === true) {
      Annotations.of(this).addWarningV2(
        'cdk-cilium-mesh:publicEndpoint',
        'the public API endpoint of this cluster is open to the internet (0.0.0.0/0); restrict it with ' +
          "endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('<your CIDR>') or use eks.EndpointAccess.PRIVATE " +
          '(the kubectl and delivery handlers reach the private endpoint from the VPC)',
      );
    }
  }

  private forNodegroup<T>(id: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof MeshValidationError && e.constructPath === undefined) {
        throw new MeshValidationError(`node group '${id}': ${e.detail}`, this);
      }
      throw e;
    }
  }
}

function selfManagedCapacityError(scope: Construct, call: string): MeshValidationError {
  return new MeshValidationError(
    `${call} is not supported: self-managed nodes join without the taint node.cilium.io/agent-not-ready, so pods ` +
      'scheduled before Cilium manages the node stay unmanaged until restarted; use addMeshNodegroup(id, options) ' +
      '(managed node groups carry the taint)',
    scope,
  );
}

function isBundledVersion(version: eks.KubernetesVersion): boolean {
  return version.version === `1.${BUNDLED_KUBECTL_MINOR}`;
}

/** VPC CNI settings on the ENI datapath, which has no VPC CNI. */
function rejectVpcCniProps(cluster: MeshCluster, props: MeshClusterProps): void {
  const set = [
    props.vpcCni !== undefined ? `vpcCni (${JSON.stringify(props.vpcCni)})` : undefined,
    props.vpcCniAddonVersion !== undefined ? `vpcCniAddonVersion (${props.vpcCniAddonVersion})` : undefined,
  ].filter((x) => x !== undefined);
  if (set.length > 0) {
    throw new MeshValidationError(
      `${set.join(' and ')} configure the VPC CNI, which the ENI datapath does not install (Cilium assigns pod ` +
        'addresses from ENIs itself); remove them, and use eni: { prefixDelegation, subnetIds, ... } for ENI IPAM',
      cluster,
    );
  }
}

function rejectUnsupportedProps(cluster: MeshCluster, props: MeshClusterProps): void {
  const capacity = props.defaultCapacityType;
  if (capacity === eks.DefaultCapacityType.AUTOMODE) {
    throw new MeshValidationError(
      'defaultCapacityType AUTOMODE is not supported: EKS Auto Mode does not allow a custom CNI, and Cilium is chained ' +
        'after the VPC CNI; use eks.DefaultCapacityType.NODEGROUP (the default)',
      cluster,
    );
  }
  if (capacity !== undefined && capacity !== eks.DefaultCapacityType.NODEGROUP) {
    throw new MeshValidationError(
      `defaultCapacityType ${eks.DefaultCapacityType[capacity] ?? capacity} is not supported: mesh nodes are managed ` +
        'node groups; use eks.DefaultCapacityType.NODEGROUP (the default) and addMeshNodegroup()',
      cluster,
    );
  }
  // eks.ClusterProps' Auto Mode, which MeshClusterProps leaves out on purpose, caught when passed anyway (JavaScript,
  // or a spread of eks.ClusterProps).
  if ((props as { compute?: unknown }).compute !== undefined) {
    throw new MeshValidationError(
      'compute (EKS Auto Mode) is not supported: Auto Mode does not allow a custom CNI; remove compute and use ' +
        'managed node groups (addMeshNodegroup)',
      cluster,
    );
  }
  if (props.ipFamily === eks.IpFamily.IP_V6) {
    throw new MeshValidationError(
      "ipFamily IP_V6 is not supported: Cilium's ENI IPAM has no IPv6 (cilium/cilium#18405), and in aws-cni chaining " +
        'Cilium does not see the IPv4 egress interface EKS adds to IPv6 pods (cilium/cilium#28409), so policy would ' +
        'not apply to that traffic; remove ipFamily (IPv4)',
      cluster,
    );
  }
  const remote = [
    props.remoteNodeNetworks !== undefined ? 'remoteNodeNetworks' : undefined,
    props.remotePodNetworks !== undefined ? 'remotePodNetworks' : undefined,
  ].filter((x) => x !== undefined);
  if (remote.length > 0) {
    throw new MeshValidationError(
      `${remote.join(' and ')} (EKS Hybrid Nodes) are not supported: hybrid nodes have neither the VPC CNI that Cilium ` +
        "is chained to nor ENIs for Cilium's ENI IPAM; remove them and run the mesh on managed node groups",
      cluster,
    );
  }
  if (props.coreDnsComputeType === eks.CoreDnsComputeType.FARGATE) {
    throw new MeshValidationError(
      'coreDnsComputeType FARGATE is not supported: Cilium does not run on Fargate, and this cluster has no Fargate ' +
        'profile, so CoreDNS would stay Pending; remove coreDnsComputeType (CoreDNS runs on the node groups)',
      cluster,
    );
  }
}

interface Admin {
  readonly arn: string;
  readonly hash: string;
}

/** Validates admin ARNs and orders them by content; ids come from a hash of the (resolved) ARN, not the position. */
function sortedAdmins(cluster: MeshCluster, arns: readonly string[]): Admin[] {
  const stack = Stack.of(cluster);
  const byHash = new Map<string, Admin>();
  for (const arn of arns) {
    if (!Token.isUnresolved(arn)) {
      if (/^arn:aws[a-z-]*:sts::\d{12}:assumed-role\//.test(arn)) {
        throw new MeshValidationError(
          `admins entry '${arn}' is an assumed-role session ARN, which access entries do not accept; pass the role ARN ` +
            "'arn:aws:iam::<account>:role/<name>' instead",
          cluster,
        );
      }
      if (!PRINCIPAL_ARN.test(arn)) {
        throw new MeshValidationError(
          `admins entry '${arn}' is not an IAM role or user ARN; pass e.g. 'arn:aws:iam::123456789012:role/Admin'`,
          cluster,
        );
      }
    }
    const key = JSON.stringify(stack.resolve(arn));
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 8).toUpperCase();
    if (byHash.has(hash)) {
      throw new MeshValidationError(`admins lists '${arn}' twice; list each principal once`, cluster);
    }
    byHash.set(hash, { arn, hash });
  }
  return [...byHash.values()].sort((a, b) => a.hash.localeCompare(b.hash));
}
