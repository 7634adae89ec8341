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
   * Required: in aws-cni chaining the pod MTU is the VPC CNI's, and it must leave room for WireGuard.
   * Must be at most `eniMtu - 95` (see `maxWireGuardPodMtu`).
   */
  readonly podMtu: number;
  /**
   * The ENI MTU (`AWS_VPC_ENI_MTU`).
   * @default 9001
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
   * WireGuard. In aws-cni chaining the VPC CNI's `POD_MTU` must leave room for the WireGuard header; the
   * rule (`podMtu <= eniMtu - 95`) is checked here.
   */
  public static wireGuard(options: WireGuardOptions): TransparentEncryption {
    return new TransparentEncryption(EncryptionType.WIREGUARD, options);
  }

  /**
   * IPsec (`encryption.type: ipsec`, keys from the `cilium-ipsec-keys` Secret). Incompatible with aws-cni chaining
   * (cilium/cilium#15596); offered for the capability check, which rejects it on that datapath.
   */
  public static ipsec(): TransparentEncryption {
    return new TransparentEncryption(EncryptionType.IPSEC);
  }

  private constructor(public readonly type: EncryptionType, private readonly wireGuardOptions?: WireGuardOptions) {}

  /** The pod MTU stated for WireGuard, if any. */
  public get podMtu(): number | undefined {
    return this.wireGuardOptions?.podMtu;
  }

  /** Throws a path-less `MeshValidationError` when the WireGuard MTU rule is broken. */
  public validate(): void {
    const o = this.wireGuardOptions;
    if (!o) return;
    const eniMtu = o.eniMtu ?? DEFAULT_ENI_MTU;
    if (!Number.isInteger(eniMtu) || eniMtu < 1280 || eniMtu > 9001) {
      throw new MeshValidationError(`wireGuard.eniMtu must be an integer from 1280 to 9001, got ${eniMtu}; ` +
        'pass the AWS_VPC_ENI_MTU of the VPC CNI (9001 by default)');
    }
    const max = maxWireGuardPodMtu(eniMtu);
    if (!Number.isInteger(o.podMtu) || o.podMtu < 576 || o.podMtu > max) {
      throw new MeshValidationError(`wireGuard.podMtu must be an integer from 576 to ${max} (ENI MTU ${eniMtu} minus ` +
        `${WIREGUARD_OVERHEAD_BYTES} bytes of WireGuard overhead), got ${o.podMtu}; set POD_MTU=${max} on the VPC CNI ` +
        'and pass the same value (cilium/cilium#28413)');
    }
  }
}
