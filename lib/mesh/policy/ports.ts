import { MeshValidationError } from '../../private/errors';
import { validateEnum, validatePort } from '../../private/validate';

/**
 * The L4 protocol of a port rule. Only the protocols that every supported Cilium line (1.16 to 1.20) accepts
 * in `toPorts[].ports[].protocol`.
 * @see https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples
 */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
  /** Any of TCP, UDP and SCTP. */
  ANY = 'ANY',
}

/** The protocols, listed once (checked for every port of every rule). */
const PROTOCOLS: readonly string[] = Object.values(Protocol);

/** The wire form of one port (`toPorts[].ports[]`). Internal: not exported from the package. */
export interface PortManifest {
  readonly port: string;
  readonly endPort?: number;
  readonly protocol: Protocol;
}

/**
 * A port or port range that a rule allows or denies. Values are checked when a policy uses the port, so the
 * error names that policy.
 * @see https://docs.cilium.io/en/stable/security/policy/language/#limit-ingress-egress-ports
 */
export class Port {
  /** One TCP port. */
  public static tcp(port: number): Port {
    return new Port(Protocol.TCP, port);
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return new Port(Protocol.UDP, port);
  }

  /** One SCTP port (needs `sctp.enabled` on the Cilium install). */
  public static sctp(port: number): Port {
    return new Port(Protocol.SCTP, port);
  }

  /** One port number for TCP, UDP and SCTP. */
  public static any(port: number): Port {
    return new Port(Protocol.ANY, port);
  }

  /** The TCP ports `startPort` to `endPort` inclusive. */
  public static tcpRange(startPort: number, endPort: number): Port {
    return new Port(Protocol.TCP, startPort, endPort);
  }

  /** The UDP ports `startPort` to `endPort` inclusive. */
  public static udpRange(startPort: number, endPort: number): Port {
    return new Port(Protocol.UDP, startPort, endPort);
  }

  /** The ports `startPort` to `endPort` inclusive for `protocol`. */
  public static range(protocol: Protocol, startPort: number, endPort: number): Port {
    return new Port(protocol, startPort, endPort);
  }

  private constructor(
    /** The protocol. */
    public readonly protocol: Protocol,
    /** The port number, or the first port of a range (Cilium `port`). */
    public readonly startPort: number,
    /** The last port of a range, when this is a range (Cilium `endPort`). */
    public readonly endPort?: number,
  ) {}

  /** A stable text form, e.g. `TCP/8080` or `TCP/8000-8099`; used for sorting and conflict detection. */
  public toString(): string {
    return `${this.protocol}/${this.startPort}${this.endPort !== undefined ? `-${this.endPort}` : ''}`;
  }

  /**
   * Validates the port (path-less error; wrap with `atScope`) and returns its wire form.
   * @internal
   */
  public _toKube(): PortManifest {
    validateEnum('port protocol', this.protocol, PROTOCOLS);
    validatePort(`port of ${this.toString()}`, this.startPort);
    if (this.endPort !== undefined) {
      validatePort(`endPort of ${this.toString()}`, this.endPort);
      if (this.endPort < this.startPort) {
        throw new MeshValidationError(
          `endPort must be greater than or equal to port, got ${this.startPort}-${this.endPort}; ` +
            `use Port.range(protocol, ${this.endPort}, ${this.startPort})`,
        );
      }
    }
    const out: PortManifest = { port: String(this.startPort), protocol: this.protocol };
    return this.endPort !== undefined && this.endPort !== this.startPort ? { ...out, endPort: this.endPort } : out;
  }
}

/** Sorts and de-duplicates ports by their text form. */
export function sortPorts(ports: readonly Port[]): Port[] {
  if (ports.length < 2) {
    // most rules name one port: already sorted and unique
    return [...ports];
  }
  const byKey = new Map<string, Port>();
  for (const p of ports) {
    byKey.set(p.toString(), p);
  }
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}
