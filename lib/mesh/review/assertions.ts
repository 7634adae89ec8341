import { MeshValidationError } from '../../private/errors';
import type { IConstruct } from 'constructs';
import type { IMeshPeer } from '../policy/peers';
import type { Port } from '../policy/ports';
import type { ServiceMesh } from '../service-mesh';
import {
  type ConnectivityEndpoint,
  type ConnectivityVerdict,
  type HttpRequestInfo,
  evaluateConnectivity,
  readPolicies,
} from './connectivity';
import { type MeshEndpointRef, meshEndpoints, resolveEndpoint, resolvePort } from './endpoints';

/** Options of `MeshAssertions.allows` and `denies`. */
export interface ConnectivityAssertionOptions {
  /**
   * An HTTP request, checked against the L7 rules that apply on the connection.
   * @default - the connection only (L3/L4); L7 filtering is named in the explanation
   */
  readonly http?: HttpRequestInfo;
  /**
   * Accept a conditional verdict: one that holds only under facts the mesh cannot see (labels set outside
   * it, addresses of DNS names). Without this, a conditional verdict fails the assertion and names the conditions.
   * @default false
   */
  readonly conditional?: boolean;
}

/**
 * Connectivity questions answered statically from a mesh's rendered policies, with Cilium's semantics (deny
 * rules win, default deny per direction and `enableDefaultDeny`, namespace scoping, entities, CIDRs, FQDNs,
 * L7 HTTP rules, the `ingress` identity of Gateway traffic). See docs/review.md.
 *
 * ```ts
 * const mesh = MeshAssertions.of(stack.mesh);
 * mesh.allows(frontend, backend, 8080, { http: { method: 'GET', path: '/api/items' } });
 * mesh.denies(frontend, database, 5432);
 * console.log(mesh.explain(frontend, database, 5432).explanation);
 * ```
 *
 * The objects are read at each call, so rules added after `of()` count.
 */
export class MeshAssertions {
  /** Assertions over `mesh`. */
  public static of(mesh: ServiceMesh): MeshAssertions {
    return new MeshAssertions(mesh);
  }

  private constructor(private readonly mesh: ServiceMesh) {}

  /**
   * The verdict for traffic from `source` to `destination` on `port` (a number means TCP), naming the policies and
   * rules that decided and, for a conditional verdict, what it depends on.
   *
   * `source` and `destination` may each be:
   * - a `Workload` of the mesh (its pods);
   * - a Service of the mesh: the cdk8s-plus `Service` (or its `ApiObject`), or `'namespace/name'`;
   * - `'namespace/name'` of a workload (its construct id, case-insensitive) or of the Service a workload names;
   * - a `Gateway` of the mesh (as a source only: Cilium's Envoy forwards with the identity `ingress`);
   * - `Peer.entity(...)`, `Peer.cidr('203.0.113.7/32')` for one outside address, or `Peer.fqdn(...)`.
   */
  public explain(
    source: IMeshPeer | IConstruct | string,
    destination: IMeshPeer | IConstruct | string,
    port: number | Port,
    http?: HttpRequestInfo,
  ): ConnectivityVerdict {
    const endpoints = meshEndpoints(this.mesh);
    const from = resolveEndpoint(endpoints, source, 'from');
    const to = resolveEndpoint(endpoints, destination, 'to');
    const asked = resolvePort(port, this.mesh);
    const mapped = to.targetPort?.(asked.port) ?? { port: asked.port };
    const verdict = evaluateConnectivity(readPolicies(endpoints.objects), {
      from: from.endpoint,
      to: to.endpoint,
      port: mapped.port,
      protocol: asked.protocol,
      http,
    });
    const extra = [mapped.condition, this.gammaCondition(endpoints.objects, to.endpoint)].filter(
      (c): c is string => c !== undefined,
    );
    if (extra.length === 0) {
      return verdict;
    }
    const conditions = [...verdict.conditions, ...extra].sort();
    return {
      ...verdict,
      conditions,
      explanation: [verdict.explanation, ...extra.map((c) => `  conditional: ${c}`)].join('\n'),
    };
  }

  /**
   * Before Cilium 1.18, requests to a Service that is the parent of a GAMMA route go through Envoy and reach the
   * route's backends with the identity `ingress` (cilium/cilium#34774, fixed by #39206): the pod-to-pod verdict then
   * does not describe routed requests.
   */
  private gammaCondition(objects: readonly any[], to: ConnectivityEndpoint): string | undefined {
    if (to.type !== 'pods' || this.mesh.cilium.version.isAtLeast(18)) {
      return undefined;
    }
    const routes = objects
      .filter(
        (o) =>
          String(o?.apiVersion).startsWith('gateway.networking.k8s.io/') &&
          /Route$/.test(o.kind ?? '') &&
          (o.spec?.parentRefs ?? []).some(
            (p: any) =>
              p.kind === 'Service' &&
              (to.services ?? []).includes(`${p.namespace ?? o.metadata?.namespace ?? 'default'}/${p.name}`),
          ),
      )
      .map((o) => `${o.kind} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`)
      .sort();
    return routes.length === 0
      ? undefined
      : `requests routed by ${routes.join(', ')} reach its backends with the identity 'ingress' on Cilium ${this.mesh.cilium.version.line} ` +
          '(cilium/cilium#34774, fixed in 1.18): ask about Peer.entity(Entity.INGRESS) to each backend for those';
  }

  /** Fails (with the explanation) unless the traffic is allowed. */
  public allows(
    source: IMeshPeer | IConstruct | string,
    destination: IMeshPeer | IConstruct | string,
    port: number | Port,
    options: ConnectivityAssertionOptions = {},
  ): void {
    this.check(true, source, destination, port, options);
  }

  /** Fails (with the explanation) unless the traffic is denied. */
  public denies(
    source: IMeshPeer | IConstruct | string,
    destination: IMeshPeer | IConstruct | string,
    port: number | Port,
    options: ConnectivityAssertionOptions = {},
  ): void {
    this.check(false, source, destination, port, options);
  }

  private check(
    expected: boolean,
    from: MeshEndpointRef,
    to: MeshEndpointRef,
    port: number | Port,
    options: ConnectivityAssertionOptions,
  ): void {
    const verdict = this.explain(from, to, port, options.http);
    const word = expected ? 'allowed' : 'denied';
    if (verdict.allowed !== expected) {
      throw new MeshValidationError(`expected ${word}, but:\n${verdict.explanation}\n`, this.mesh);
    }
    if (verdict.conditions.length > 0 && !options.conditional) {
      throw new MeshValidationError(
        `expected ${word} without conditions, but the verdict is conditional ` +
          `(pass { conditional: true } to accept it):\n${verdict.explanation}\n`,
        this.mesh,
      );
    }
  }
}
