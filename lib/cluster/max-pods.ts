import { Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ENI_LIMITS, ENI_LIMITS_SOURCE } from './eni-limits.generated';
import { MeshValidationError } from '../private/errors';

/** Pod addresses per ENI slot with prefix delegation: one /28 prefix. */
export const ENI_PREFIX_ADDRESSES = 16;
/**
 * Pods that run in the host network namespace and need no address from ENI IPAM, counted as EKS counts them for the
 * VPC CNI (its `+ 2`). A mesh node always runs at least two (the Cilium agent and Cilium's Envoy DaemonSet);
 * more host-network pods only leave addresses unused.
 */
export const HOST_NETWORK_PODS = 2;
/**
 * The cap with prefix delegation, whose address count (hundreds per node) is far above what the kubelet is tested
 * for: the Kubernetes limit of 110 pods per node that EKS also recommends below 30 vCPUs.
 * @see https://kubernetes.io/docs/setup/best-practices/cluster-large/
 */
export const PREFIX_DELEGATION_MAX_PODS = 110;

/** The ENI limits of an instance type: interfaces on its default network card and IPv4 addresses per interface. */
export interface EniLimits {
  readonly interfaces: number;
  readonly ipv4PerInterface: number;
}

/** The ENI limits of `instanceType`, or undefined when the generated table has no entry for it. */
export function eniLimits(instanceType: string): EniLimits | undefined {
  const row = Object.prototype.hasOwnProperty.call(ENI_LIMITS, instanceType) ? ENI_LIMITS[instanceType] : undefined;
  return row ? { interfaces: row[0], ipv4PerInterface: row[1] } : undefined;
}

/**
 * The pod addresses Cilium's ENI IPAM can give one node of `instanceType` plus the host-network pods: every
 * interface from index 0 (Cilium's default `first-interface-index`) with all addresses but its primary one,
 * times 16 with prefix delegation. This is the operator's own `GetMaximumAllocatableIPv4` (pkg/aws/ipam/node.go;
 * pkg/aws/eni/node.go on 1.16) plus `HOST_NETWORK_PODS`, and without prefix delegation the same number EKS lists
 * for the VPC CNI (e.g. 29 for m6i.large). Interfaces are those of the default network card: the operator attaches
 * ENIs without a network card index. Throws a path-less `MeshValidationError` for an instance type without data.
 */
export function eniPodCapacity(instanceType: string, prefixDelegation: boolean): number {
  const limits = eniLimits(instanceType);
  if (!limits) {
    throw new MeshValidationError(
      `instance type '${instanceType}' has no ENI limits in the table this library ships ` +
        `(${ENI_LIMITS_SOURCE}), so the max-pods value of ENI IPAM cannot be computed; use an instance type listed there, ` +
        'or regenerate lib/cluster/eni-limits.generated.ts with scripts/generate-eni-limits.ts from a newer table',
    );
  }
  const perInterface = Math.max(limits.ipv4PerInterface - 1, 0) * (prefixDelegation ? ENI_PREFIX_ADDRESSES : 1);
  return limits.interfaces * perInterface + HOST_NETWORK_PODS;
}

/**
 * The kubelet `maxPods` of a node group on the ENI datapath: the smallest `eniPodCapacity` of its instance types
 * (one launch template serves them all), capped at 110 with prefix delegation. A stated `maxPods` must not exceed
 * the capacity (pods beyond it would never get an address). Pure; path-less `MeshValidationError`s.
 */
export function eniMaxPods(
  instanceTypes: readonly ec2.InstanceType[],
  prefixDelegation: boolean,
  maxPods?: number,
): number {
  const names = instanceTypes.map((t) => t.toString());
  if (names.some((n) => Token.isUnresolved(n))) {
    throw new MeshValidationError(
      'instance types must be known at synth on the ENI datapath (max-pods is computed per ' +
        "type), got a token; pass ec2.InstanceType.of(...) or new ec2.InstanceType('m6i.large')",
    );
  }
  const capacities = names.map((n) => [n, eniPodCapacity(n, prefixDelegation)] as const);
  const [smallestType, capacity] = capacities.reduce((a, b) => (b[1] < a[1] ? b : a));
  if (maxPods !== undefined) {
    if (!Number.isInteger(maxPods) || maxPods < 1 || maxPods > capacity) {
      throw new MeshValidationError(
        `maxPods must be an integer from 1 to ${capacity} (what ENI IPAM can address on ` +
          `${smallestType}${prefixDelegation ? ' with prefix delegation' : ''}), got ${maxPods}; lower it` +
          (prefixDelegation ? '' : ' or turn on eni.prefixDelegation'),
      );
    }
    return maxPods;
  }
  return prefixDelegation ? Math.min(capacity, PREFIX_DELEGATION_MAX_PODS) : capacity;
}
