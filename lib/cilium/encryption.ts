import type { IMeshClusterFacts } from './cluster-facts';
import { Datapath } from './profile';
import { MeshValidationError } from '../private/errors';

/**
 * The most WireGuard adds to a packet: 80 bytes of IPv6/UDP/WireGuard headers plus up to 15 bytes of padding to
 * the cipher's 16-byte block (cilium/cilium#45940, Cilium's own WireguardOverhead since 1.19.5).
 */
export const WIREGUARD_OVERHEAD_BYTES = 95;

/** The MTU of the primary ENI when nothing else is configured (`AWS_VPC_ENI_MTU` default, jumbo frames). */
export const DEFAULT_ENI_MTU = 9001;

/**
 * The largest pod MTU that WireGuard can carry without fragmentation: `eniMtu - 95`.
 *
 * In aws-cni chaining the VPC CNI, not Cilium, creates the pod interface and sets its MTU (to `AWS_VPC_ENI_MTU`,
 * 9001 by default); Cilium's `MTU` value does not reach the pod side, so encrypted pod traffic of full size no
 * longer fits the ENI once WireGuard adds its header and throughput collapses (cilium/cilium#28413). The fix is the
 * VPC CNI's `POD_MTU` setting (amazon-vpc-cni-k8s v1.16.4+, aws/amazon-vpc-cni-k8s#2791, requested for exactly this
 * case in aws/amazon-vpc-cni-k8s#2606): set `POD_MTU <= AWS_VPC_ENI_MTU - 95`, e.g. 8906 for 9001 and 1405 for 1500.
 */
export function maxWireGuardPodMtu(eniMtu: number = DEFAULT_ENI_MTU): number {
  return eniMtu - WIREGUARD_OVERHEAD_BYTES;
}

/** Options for `TransparentEncryption.wireGuard`. */
export interface WireGuardOptions {
  /**
   * The pod MTU configured on the VPC CNI (`POD_MTU` of the `aws-node` DaemonSet / the `vpc-cni` add-on's `env`).
   * In aws-cni chaining the pod MTU is the VPC CNI's, and it must leave room for WireGuard: at most `eniMtu - 95`
   * (see `maxWireGuardPodMtu`). On a `MeshCluster` leave it out: it is the cluster's `vpcCni.podMtu`, and a different
   * value is an error.
   * @default - the cluster's pod MTU (`MeshCluster`); required in aws-cni chaining on any other cluster
   */
  readonly podMtu?: number;
  /**
   * The ENI MTU (`AWS_VPC_ENI_MTU`). On a `MeshCluster` leave it out: it is the cluster's `vpcCni.mtu`.
   * @default - the cluster's ENI MTU (`MeshCluster`), else 9001
   */
  readonly eniMtu?: number;
}

/** The transparent encryption mode (`encryption.type`). */
export enum EncryptionType {
  WIREGUARD = 'wireguard',
  IPSEC = 'ipsec',
}

/**
 * Transparent encryption of pod traffic between nodes (`encryption.*`).
 * @see https://docs.cilium.io/en/stable/security/network/encryption-wireguard/
 */
export class TransparentEncryption {
  /**
   * WireGuard. In aws-cni chaining the VPC CNI's `POD_MTU` must leave room for the WireGuard header; the rule
   * (`podMtu <= eniMtu - 95`) is checked with the cluster's MTUs when Cilium is installed.
   */
  public static wireGuard(options: WireGuardOptions = {}): TransparentEncryption {
    return new TransparentEncryption(EncryptionType.WIREGUARD, { ...options });
  }

  /**
   * IPsec (`encryption.type: ipsec`, keys from the `cilium-ipsec-keys` Secret). Incompatible with aws-cni chaining
   * (cilium/cilium#15596); offered for the capability check, which rejects it on that datapath.
   */
  public static ipsec(): TransparentEncryption {
    return new TransparentEncryption(EncryptionType.IPSEC);
  }

  private constructor(
    public readonly type: EncryptionType,
    private readonly wireGuardOptions?: WireGuardOptions,
  ) {}

  /** The pod MTU of WireGuard, if stated (or taken from the cluster). */
  public get podMtu(): number | undefined {
    return this.wireGuardOptions?.podMtu;
  }

  /** The ENI MTU of WireGuard, if stated (or taken from the cluster). */
  public get eniMtu(): number | undefined {
    return this.wireGuardOptions?.eniMtu;
  }

  /**
   * This encryption on a cluster: WireGuard takes the MTUs the cluster states (a `MeshCluster`), errs when a stated
   * MTU contradicts the cluster's, and, on a cluster that states none, needs `podMtu` in aws-cni chaining. The
   * result is validated. Throws a path-less `MeshValidationError`.
   * @internal
   */
  public _forCluster(facts: IMeshClusterFacts | undefined, datapath: Datapath): TransparentEncryption {
    const o = this.wireGuardOptions;
    if (!o) return this;
    const podMtu = sameMtu('podMtu', o.podMtu, facts?.podMtu, 'POD_MTU', 'podMtu');
    const eniMtu = sameMtu('eniMtu', o.eniMtu, facts?.eniMtu, 'AWS_VPC_ENI_MTU', 'mtu');
    if (podMtu === undefined && datapath === Datapath.AWS_CNI_CHAINING) {
      throw new MeshValidationError(
        'WireGuard in aws-cni chaining needs the pod MTU, but this cluster does not state ' +
          "the VPC CNI's POD_MTU (it is not a MeshCluster); pass TransparentEncryption.wireGuard({ podMtu, eniMtu }) with " +
          `the VPC CNI's POD_MTU and AWS_VPC_ENI_MTU, e.g. { podMtu: ${maxWireGuardPodMtu()}, eniMtu: ${DEFAULT_ENI_MTU} }`,
      );
    }
    const resolved = new TransparentEncryption(this.type, { podMtu, eniMtu });
    resolved.check(facts?.podMtu !== undefined);
    return resolved;
  }

  /** Throws a path-less `MeshValidationError` when the WireGuard MTU rule is broken. */
  public validate(): void {
    this.check(false);
  }

  private check(mtuFromCluster: boolean): void {
    const o = this.wireGuardOptions;
    if (!o) return;
    const eniMtu = o.eniMtu ?? DEFAULT_ENI_MTU;
    if (!Number.isInteger(eniMtu) || eniMtu < 1280 || eniMtu > 9001) {
      throw new MeshValidationError(
        `wireGuard.eniMtu must be an integer from 1280 to 9001, got ${eniMtu}; ` +
          'pass the AWS_VPC_ENI_MTU of the VPC CNI (9001 by default)',
      );
    }
    if (o.podMtu === undefined) return;
    const max = maxWireGuardPodMtu(eniMtu);
    if (!Number.isInteger(o.podMtu) || o.podMtu < 576 || o.podMtu > max) {
      const fix = mtuFromCluster
        ? `pass vpcCni: { mtu: ${eniMtu}, podMtu: ${max} } to the MeshCluster so that pods leave room for the WireGuard header`
        : `set POD_MTU=${max} on the VPC CNI and pass the same value`;
      throw new MeshValidationError(
        `wireGuard.podMtu must be an integer from 576 to ${max} (ENI MTU ${eniMtu} minus ` +
          `${WIREGUARD_OVERHEAD_BYTES} bytes of WireGuard overhead), got ${o.podMtu}${mtuFromCluster ? " (the cluster's vpcCni.podMtu)" : ''}; ` +
          `${fix} (cilium/cilium#28413)`,
      );
    }
  }
}

/** A WireGuard MTU: the stated one, the cluster's, or an error when both are given and differ. */
function sameMtu(
  option: string,
  stated: number | undefined,
  cluster: number | undefined,
  env: string,
  vpcCniKey: string,
): number | undefined {
  if (stated !== undefined && cluster !== undefined && stated !== cluster) {
    throw new MeshValidationError(
      `WireGuard is configured for ${option} ${stated}, but this cluster's VPC CNI sets ` +
        `${env} ${cluster}; pass vpcCni: { ${vpcCniKey}: ${stated} } to the cluster, or leave ${option} out of ` +
        'TransparentEncryption.wireGuard() (it follows the cluster)',
    );
  }
  return stated ?? cluster;
}
