import type { IConstruct } from 'constructs';
import { Feature, checkCapability } from '../../cilium/capabilities';
import type { CiliumProfile } from '../../cilium/profile';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { MeshValidationError, atScope } from '../../private/errors';
import type { DnsRule, HttpRule } from './l7';
import type { PortRuleManifest, RuleManifest } from './manifest';
import { type IMeshPeer, type PolicyPeer, requireIngressPeer } from './peers';
import { type Port, Protocol, sortPorts } from './ports';
import { merged } from '../../private/objects';

/** Options for `allowFrom`/`allowTo`. */
export interface AllowOptions {
  /**
   * The ports the rule allows (on the receiving side: the workload's for `allowFrom`, the peer's for `allowTo`).
   * @default - the ports known for the receiving workload (from its Service or Deployment); all ports when none are known
   */
  readonly ports?: Port[];
  /**
   * L7 HTTP rules for the ports: requests matching none of them are answered with 403. Needs `ports` (TCP).
   * @default - no L7 filtering
   */
  readonly http?: HttpRule[];
  /**
   * L7 DNS rules (egress only): the names the workload may look up at the peer (a DNS server) through the DNS proxy.
   * @default - no DNS filtering
   */
  readonly dns?: DnsRule[];
  /**
   * Require mutual authentication (`authentication.mode: required`) for this traffic. Needs SPIRE on the
   * Cilium install (`CiliumProfile.mutualAuthentication`).
   * @default false
   * @see https://docs.cilium.io/en/stable/network/servicemesh/mutual-authentication/mutual-authentication/
   */
  readonly mutualAuth?: boolean;
  /**
   * Also render the matching rule on the peer's side (an egress rule on the source for `allowFrom`, an ingress
   * rule on the destination for `allowTo`). Only possible when the peer is a `Workload` of this mesh.
   *
   * Without this option the matching rule is rendered exactly when the peer is *enforced* in that direction
   * in this mesh: a `DefaultDeny` of this mesh covers the peer's namespace or the peer itself for that
   * direction. Otherwise the peer's traffic in that direction is not filtered and a rule there would only be noise.
   * The mirrored rule is L4 only (the same ports and `mutualAuth`): L7 filtering stays on the side that declared it.
   * @default - rendered when the peer is enforced in that direction by a DefaultDeny of this mesh
   */
  readonly mirror?: boolean;
}

/** Options for `denyFrom`/`denyTo`. Deny rules win over every allow rule (of any policy). */
export interface DenyOptions {
  /**
   * The ports the rule denies.
   * @default - all ports
   */
  readonly ports?: Port[];
}

/**
 * A rule in the wire form plus what conflict detection needs. Its JSON (the sort and de-duplication key) and its
 * conflict keys are derived at render, not kept from `allow` to synth: at 20,000 objects (bench/realistic.ts) the
 * eager strings were 1.8 of the 7.5 MB that `allow` left alive until synth.
 */
interface Entry {
  readonly manifest: RuleManifest;
  /** The direction of the conflict keys (`ingress` or `egress`, also for deny rules). */
  readonly direction: string;
  /** The peer's key; undefined for rules that take no part in conflict detection (rendered and DNS proxy rules). */
  readonly peer: string | undefined;
  readonly ports: readonly Port[];
  /** True when the rule carries HTTP rules (which a plain L4 allow of the same peer and port would void). */
  readonly http: boolean;
}

/** No L7 rules (shared: only read). */
const NONE: readonly never[] = [];

/** A section of a policy spec. Internal. */
export type Bucket = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';

/** The rule that lets a workload's DNS lookups go to kube-dns through the DNS proxy (needed by `toFQDNs`). Internal. */
export const DNS_PROXY_RULE: RuleManifest = {
  toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: Protocol.ANY }], rules: { dns: [{ matchPattern: '*' }] } }],
};

/** The L4 rule that keeps DNS to kube-dns working under an egress default deny. Internal. */
export const DNS_ALLOW_RULE: RuleManifest = {
  toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
  toPorts: [
    {
      ports: [
        { port: '53', protocol: Protocol.UDP },
        { port: '53', protocol: Protocol.TCP },
      ],
    },
  ],
};

/**
 * The rules of one policy object: validated when added (errors name `scope`), rendered sorted and
 * de-duplicated, so that the order of declarations never shows in the output.
 */
export class RuleSet {
  // Kept by every workload's policy until synth: the deny sections are made on first use, and so is the set of
  // features checked (most policies never check one), so that an allow-only policy holds one array, not four and a Set.
  private readonly buckets: Partial<Record<Bucket, Entry[]>> = {};
  private checked?: Set<Feature>;

  constructor(
    private readonly scope: IConstruct,
    private readonly profile: CiliumProfile,
  ) {}

  /** Adds an allow rule; returns the resolved peer (for mirroring) and the ports used. */
  public allow(
    direction: 'ingress' | 'egress',
    peer: IMeshPeer,
    options: AllowOptions,
    ownPorts: readonly Port[],
  ): { peer: PolicyPeer; ports: Port[] } {
    return atScope(this.scope, () => {
      const p = peer._toPolicyPeer();
      this.checkPeer(p);
      const fields = direction === 'ingress' ? requireIngressPeer(p) : p.to;
      const ports = sortPorts(options.ports ?? (direction === 'ingress' ? ownPorts : (p.ports ?? [])));
      const http = options.http?.length ? options.http.map((r) => r._toKube()) : NONE;
      const dns = options.dns?.length ? options.dns.map((r) => r._toKube()) : NONE;
      if ((http.length > 0 || dns.length > 0) && ports.length === 0) {
        throw new MeshValidationError(
          `L7 rules towards '${p.key}' need ports; pass ports: [Port.tcp(...)] with the http/dns rules`,
        );
      }
      if (http.length > 0 && ports.some((x) => x.protocol !== Protocol.TCP)) {
        throw new MeshValidationError(
          `HTTP rules towards '${p.key}' need TCP ports, got ${ports.join(', ')}; use Port.tcp(...)`,
        );
      }
      if (http.length > 0 && dns.length > 0) {
        throw new MeshValidationError(
          `a rule cannot carry both HTTP and DNS rules ('${p.key}'); split it into two calls`,
        );
      }
      if (dns.length > 0 && direction === 'ingress') {
        throw new MeshValidationError(
          `DNS rules apply to egress lookups only ('${p.key}'); use allowTo(dnsServer, { dns })`,
        );
      }
      if (http.length > 0) {
        this.checkL7();
      }
      if (dns.length > 0 || p.fqdn) {
        this.check(Feature.FQDN_POLICY);
      }
      if (options.mutualAuth && !this.profile.mutualAuthentication) {
        throw new MeshValidationError(
          `mutualAuth towards '${p.key}' needs Cilium mutual authentication, which the profile does not have; ` +
            'enable SPIRE on the Cilium install (authentication.mutual.spire.enabled=true, CiliumProfile.mutualAuthentication: true)',
        );
      }
      let toPorts: PortRuleManifest[] | undefined;
      if (ports.length > 0) {
        const rules = http.length > 0 ? { http: sortJson(http) } : dns.length > 0 ? { dns: sortJson(dns) } : undefined;
        toPorts = portChunks(ports).map((chunk) => {
          const entry: { -readonly [K in keyof PortRuleManifest]: PortRuleManifest[K] } = {
            ports: chunk.map((x) => x._toKube()),
          };
          if (rules) entry.rules = rules;
          return entry;
        });
      }
      // the peer's fields (copied key by key, `merged`: a spread would give the rule a hidden class of its own once
      // toPorts is added), then toPorts and authentication (assigned: no object per optional part)
      const manifest: { -readonly [K in keyof RuleManifest]: RuleManifest[K] } = merged(fields, {});
      if (toPorts) manifest.toPorts = toPorts;
      if (options.mutualAuth) manifest.authentication = { mode: 'required' };
      this.push(direction, manifest, direction, p.key, ports, http.length > 0);
      if (p.fqdn) {
        this.push('egress', DNS_PROXY_RULE);
      }
      return { peer: p, ports };
    });
  }

  /** Adds a deny rule. */
  public deny(direction: 'ingress' | 'egress', peer: IMeshPeer, options: DenyOptions): void {
    atScope(this.scope, () => {
      const p = peer._toPolicyPeer();
      this.checkPeer(p);
      if (p.fqdn) {
        throw new MeshValidationError(
          `FQDN peers cannot be denied ('${p.key}': egressDeny has no toFQDNs); deny the addresses with Peer.cidr`,
        );
      }
      const fields = direction === 'ingress' ? requireIngressPeer(p) : p.to;
      const ports = sortPorts(options.ports ?? []);
      const toPorts = portChunks(ports).map((chunk) => ({ ports: chunk.map((x) => x._toKube()) }));
      const manifest: RuleManifest = merged(fields, ports.length > 0 ? { toPorts } : {});
      this.push(direction === 'ingress' ? 'ingressDeny' : 'egressDeny', manifest, direction, p.key, ports);
    });
  }

  /** Adds an already rendered allow rule (mirrored rules, DNS allow of default deny). */
  public addRendered(bucket: Bucket, manifest: RuleManifest): void {
    this.push(bucket, manifest);
  }

  /** True when there is no rule at all. */
  public get isEmpty(): boolean {
    return Object.values(this.buckets).every((b) => b === undefined || b.length === 0);
  }

  /**
   * The rules, sorted and de-duplicated, per section. Throws when the same peer and port are both allowed
   * and denied in this policy: deny wins in Cilium, so such an allow can never take effect and is a mistake.
   */
  public render(extra: ReadonlyArray<readonly [Bucket, RuleManifest]> = []): Partial<Record<Bucket, RuleManifest[]>> {
    return atScope(this.scope, () => {
      const denied = new Set<string>();
      for (const e of [...this.entries('ingressDeny'), ...this.entries('egressDeny')]) {
        conflictKeysOf(e).forEach((k) => denied.add(k));
      }
      // without deny rules nothing can conflict (most policies: no key split for each of their allows)
      for (const e of denied.size > 0 ? [...this.entries('ingress'), ...this.entries('egress')] : []) {
        for (const k of conflictKeysOf(e)) {
          const [dir, peer, port] = k.split('|');
          if (denied.has(k) || denied.has(`${dir}|${peer}|*`)) {
            throw new MeshValidationError(
              `${dir} from/to '${peer}' on ${port === '*' ? 'all ports' : port} is both allowed and denied in this policy; ` +
                'deny rules win in Cilium, so the allow never takes effect: remove the allow or the deny',
            );
          }
        }
      }
      this.checkVoidedHttpRules();
      const out: Partial<Record<Bucket, RuleManifest[]>> = {};
      for (const bucket of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) {
        const entries = this.entries(bucket);
        if (entries.length === 1 && !extra.some(([b]) => b === bucket)) {
          // one rule: nothing to sort or de-duplicate, so no JSON key
          out[bucket] = [entries[0].manifest];
          continue;
        }
        const unique = new Map<string, RuleManifest>();
        for (const e of entries) {
          unique.set(JSON.stringify(e.manifest), e.manifest);
        }
        for (const [b, m] of extra) {
          if (b === bucket) {
            unique.set(JSON.stringify(m), m);
          }
        }
        if (unique.size > 0) {
          out[bucket] = [...unique.keys()].sort().map((k) => unique.get(k)!);
        }
      }
      return out;
    });
  }

  private push(
    bucket: Bucket,
    manifest: RuleManifest,
    direction = '',
    peer?: string,
    ports: readonly Port[] = NONE,
    http = false,
  ): void {
    (this.buckets[bucket] ??= []).push({ manifest, direction, peer, ports, http });
  }

  private entries(bucket: Bucket): readonly Entry[] {
    return this.buckets[bucket] ?? NONE;
  }

  /**
   * Cilium ORs the rules of a policy: a plain L4 allow for a peer and port admits every request on it, so
   * HTTP rules for the same peer and port would silently have no effect. That is a mistake worth an error.
   */
  private checkVoidedHttpRules(): void {
    if (!this.entries('ingress').some((e) => e.http) && !this.entries('egress').some((e) => e.http)) {
      return;
    }
    const plain = new Set<string>();
    for (const e of [...this.entries('ingress'), ...this.entries('egress')]) {
      if (!e.http) {
        conflictKeysOf(e).forEach((k) => plain.add(k));
      }
    }
    for (const e of [...this.entries('ingress'), ...this.entries('egress')]) {
      for (const k of e.http ? conflictKeysOf(e) : []) {
        const [dir, peer, port] = k.split('|');
        if (plain.has(k) || plain.has(`${dir}|${peer}|*`)) {
          throw new MeshValidationError(
            `${dir} HTTP rules for '${peer}' on ${port} have no effect: a plain allow for the same peer and port admits ` +
              'every request (Cilium ORs the rules); remove the plain allow so that only the HTTP rules apply',
          );
        }
      }
    }
  }

  private checkPeer(p: PolicyPeer): void {
    if (p.requires && !this.profile.version.isAtLeast(p.requires.minor)) {
      throw new MeshValidationError(
        `${p.requires.what} needs Cilium 1.${p.requires.minor} or later (${p.requires.reference}), but the profile is ` +
          `Cilium ${this.profile.version.line}; upgrade Cilium or use another peer`,
      );
    }
  }

  private checkL7(): void {
    if (!this.profile.l7Proxy) {
      throw new MeshValidationError(
        'HTTP rules need the L7 proxy, which the profile has disabled (the agent rejects such policies); ' +
          'enable l7Proxy on the Cilium install or drop the http rules',
      );
    }
    this.check(Feature.L7_POLICY);
  }

  private check(feature: Feature): void {
    this.checked ??= new Set();
    if (!this.checked.has(feature)) {
      this.checked.add(feature);
      checkCapability(this.scope, feature, this.profile);
    }
  }
}

/** The CRD's limit on ports per `toPorts` entry (40 on every supported line). */
const MAX_PORTS = CRD_LIMITS.CiliumNetworkPolicy['spec.ingress[].toPorts[].ports'].maxItems;

/**
 * Sorted ports cut into `toPorts` entries of at most 40 (`toPorts[].ports` maxItems). Entries of one rule are ORed,
 * and each carries the same L7 rules, so the split allows exactly what one entry would.
 */
function portChunks(ports: readonly Port[]): (readonly Port[])[] {
  if (ports.length <= MAX_PORTS) return [ports];
  const out: Port[][] = [];
  for (let i = 0; i < ports.length; i += MAX_PORTS) out.push(ports.slice(i, i + MAX_PORTS));
  return out;
}

/** `direction|peer|port` per port (`*` for all ports) of an allow or deny rule; none for the other rules. */
function conflictKeysOf(e: Entry): string[] {
  if (e.peer === undefined) return [];
  return e.ports.length === 0 ? [`${e.direction}|${e.peer}|*`] : e.ports.map((p) => `${e.direction}|${e.peer}|${p}`);
}

function sortJson<T>(items: readonly T[]): T[] {
  const m = new Map(items.map((i) => [JSON.stringify(i), i] as const));
  return [...m.keys()].sort().map((k) => m.get(k)!);
}
