import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack } from 'cdk-nag';
import { eksControlPlaneLogs } from './rules/eks-control-plane-logs';
import { eksPublicEndpoint } from './rules/eks-public-endpoint';

/**
 * Our own rules, for what the AwsSolutions pack cannot see on aws-eks-v2 clusters. Rule ids are
 * `CdkCiliumMesh-<suffix>`; acknowledge them with `Validations.of(scope).acknowledge({ id, reason })`.
 */
export class CdkCiliumMeshChecks extends NagPack {
  public readonly name = 'CdkCiliumMesh';

  constructor() {
    super();
    this.packName = 'CdkCiliumMesh';
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'EKSPublicEndpoint',
      info: "The EKS cluster's public API endpoint is open to 0.0.0.0/0.",
      explanation:
        'Restrict it with EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(<CIDRs>) or use EndpointAccess.PRIVATE ' +
        '(MeshCluster warns with cdk-cilium-mesh:publicEndpoint).',
      level: NagMessageLevel.ERROR,
      rule: eksPublicEndpoint,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'EKSControlPlaneLogs',
      info: 'The EKS cluster does not send all five control-plane log types to CloudWatch Logs.',
      explanation:
        'Pass clusterLogging with api, audit, authenticator, controllerManager and scheduler (the MeshCluster default).',
      level: NagMessageLevel.ERROR,
      rule: eksControlPlaneLogs,
      node,
    });
  }
}
