import { Chart, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { CiliumClusterwideNetworkPolicy } from '../../imports/cilium.io';
import { MeshValidationError, atScope } from '../../private/errors';
import { validateDnsLabel, validateLabels } from '../../private/validate';
import { claimObjectName, objectNameFor } from '../object-names';
import { MeshObject } from '../rendered-object';
import { ServiceMesh } from '../service-mesh';
import type { DefaultDenyDirections } from './default-deny';
import type { PolicySpecManifest, RuleManifest, SelectorManifest } from './manifest';
import type { IMeshPeer } from './peers';
import { type AllowOptions, type Bucket, type DenyOptions, DNS_ALLOW_RULE, RuleSet } from './rules';
import { merged } from '../../private/objects';

const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

/**
 * The group, version and kind of the generated `CiliumClusterwideNetworkPolicy` binding, written out so that loading
 * this construct does not load the generated Cilium bindings (a test checks it against the binding's `GVK`).
 * @internal
 */
export const CILIUM_CLUSTERWIDE_NETWORK_POLICY_GVK: typeof CiliumClusterwideNetworkPolicy.GVK = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
};

/**
 * Which pods a cluster-wide policy applies to. There is no implicit "everything": selecting all pods of
 * the cluster is spelled `ClusterSelector.allPods()`.
 */
export class ClusterSelector {
  /** Pods in these namespaces. */
  public static namespaces(...namespaces: string[]): ClusterSelector {
    return new ClusterSelector(
      () => ({ matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'In', values: checkNamespaces(namespaces) }] }),
      (ns) => namespaces.includes(ns),
    );
  }

  /** Pods in every namespace except these (e.g. `kube-system`). */
  public static allNamespacesExcept(...namespaces: string[]): ClusterSelector {
    return new ClusterSelector(
      () => ({ matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'NotIn', values: checkNamespaces(namespaces) }] }),
      (ns) => !namespaces.includes(ns),
    );
  }

  /** Pods in the cluster carrying all these labels (in any namespace). */
  public static podLabels(labels: { [key: string]: string }): ClusterSelector {
    return new ClusterSelector(
      () => {
        if (Object.keys(labels).length === 0) {
          throw new MeshValidationError(
            'ClusterSelector.podLabels needs at least one label; use ClusterSelector.allPods() to select every pod',
          );
        }
        return { matchLabels: validateLabels(labels) };
      },
      () => undefined,
    );
  }

  /** Every pod of the cluster, explicitly. */
  public static allPods(): ClusterSelector {
    return new ClusterSelector(
      () => ({}),
      () => true,
    );
  }

  private constructor(
    private readonly produce: () => SelectorManifest,
    /** Whether the selector selects pods of a namespace: true, false, or undefined when it depends on pod labels. */
    private readonly coversNamespace: (namespace: string) => boolean | undefined,
  ) {}

  /** True when the selector certainly selects pods of `namespace` (label selectors: unknown, so false). */
  public selectsNamespace(namespace: string): boolean {
    return this.coversNamespace(namespace) === true;
  }

  /**
   * The `endpointSelector` (validates; path-less errors).
   * @internal
   */
  public _toKube(): SelectorManifest {
    return this.produce();
  }
}

function checkNamespaces(namespaces: readonly string[]): string[] {
  if (namespaces.length === 0) {
    throw new MeshValidationError(
      'a namespace selector needs at least one namespace; use ClusterSelector.allPods() to select every pod',
    );
  }
  return [...new Set(namespaces)].sort().map((n) => validateDnsLabel('namespace', n));
}

/** Properties of a `ClusterwidePolicy`. */
export interface ClusterwidePolicyProps {
  /** The pods the policy applies to. */
  readonly selector: ClusterSelector;
  /**
   * Put the selected pods into default deny. Egress default deny keeps DNS to kube-dns allowed.
   * @default - no default deny in either direction: the policy only adds allow and deny rules
   */
  readonly defaultDeny?: DefaultDenyDirections;
  /**
   * A human-readable description (`spec.description`).
   * @default - none
   */
  readonly description?: string;
}

/**
 * A CiliumClusterwideNetworkPolicy: a baseline that platform teams apply across namespaces (e.g. allow
 * every pod to reach kube-dns and the Hubble relay, deny the instance metadata endpoint everywhere).
 * Like `NetworkPolicy`, it does not enable default deny unless `defaultDeny` says so. A cluster-wide
 * default deny is not tracked for rule mirroring; use `mirror: true` on the rules that need it.
 * @see https://docs.cilium.io/en/stable/network/kubernetes/policy/#ciliumclusterwidenetworkpolicy
 */
export class ClusterwidePolicy extends Construct {
  /** The object name. */
  public readonly name: string;
  private readonly rules: RuleSet;

  constructor(scope: Construct, id: string, props: ClusterwidePolicyProps) {
    super(scope, id);
    const mesh = ServiceMesh.ofScope(this);
    // A CiliumVersion.of(...) is checked where it is first used, so that the error names a construct.
    mesh.cilium.version.validate(this);
    this.rules = new RuleSet(this, mesh.cilium);
    this.name = objectNameFor(this, mesh);
    claimObjectName(mesh, this, 'CiliumClusterwideNetworkPolicy', '', this.name);
    const selector = atScope(this, () => props.selector._toKube());
    const ingressDeny = props.defaultDeny?.ingress ?? false;
    const egressDeny = props.defaultDeny?.egress ?? false;
    if (props.defaultDeny && !ingressDeny && !egressDeny) {
      throw new MeshValidationError(
        'defaultDeny covers no direction; set ingress and/or egress to true, or omit defaultDeny',
        this,
      );
    }
    if ((ingressDeny || egressDeny) && props.selector.selectsNamespace('kube-system')) {
      // CoreDNS itself would be selected: with ingress denied no pod can query it, with egress denied it can reach
      // only kube-dns, not the VPC resolver. Either way the cluster loses DNS (and Hubble Relay its agents).
      throw new MeshValidationError(
        'a default deny for a selector that includes kube-system cuts the cluster off from DNS (CoreDNS would ' +
          "refuse queries or lose the VPC resolver); use ClusterSelector.allNamespacesExcept('kube-system', ...) or " +
          'select the namespaces to enforce',
        this,
      );
    }
    const obj = new MeshObject(
      this,
      'Resource',
      merged(CILIUM_CLUSTERWIDE_NETWORK_POLICY_GVK, {
        metadata: { name: this.name },
        spec: Lazy.any({ produce: () => this.renderSpec(selector, ingressDeny, egressDeny, props.description) }),
      }),
    );
    // Cluster-scoped: cdk8s would copy the chart's namespace onto it.
    if (Chart.of(this).namespace !== undefined) {
      obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }

  /** Allows traffic from `peer` to the selected pods. */
  public allowFrom(peer: IMeshPeer, options: AllowOptions = {}): void {
    this.rules.allow('ingress', peer, options, []);
  }

  /** Allows traffic from the selected pods to `peer`. */
  public allowTo(peer: IMeshPeer, options: AllowOptions = {}): void {
    this.rules.allow('egress', peer, options, []);
  }

  /** Denies traffic from `peer` to the selected pods; wins over every allow. */
  public denyFrom(peer: IMeshPeer, options: DenyOptions = {}): void {
    this.rules.deny('ingress', peer, options);
  }

  /** Denies traffic from the selected pods to `peer`; wins over every allow. */
  public denyTo(peer: IMeshPeer, options: DenyOptions = {}): void {
    this.rules.deny('egress', peer, options);
  }

  private renderSpec(
    endpointSelector: SelectorManifest,
    ingress: boolean,
    egress: boolean,
    description?: string,
  ): PolicySpecManifest {
    const extra: Array<[Bucket, RuleManifest]> = [];
    if (egress) {
      extra.push(['egress', DNS_ALLOW_RULE]);
    }
    const sections = this.rules.render(extra);
    if (ingress && !sections.ingress) {
      sections.ingress = [{}];
    }
    if (Object.keys(sections).length === 0) {
      throw new MeshValidationError(
        'the policy has no rules and no default deny; add rules or remove the policy',
        this,
      );
    }
    return {
      ...(description ? { description } : {}),
      endpointSelector,
      enableDefaultDeny: { ingress, egress },
      ...sections,
    };
  }
}
