import { Construct } from 'constructs';
import type * as kplus from 'cdk8s-plus-34';
import { checkCapability, Feature } from '../../cilium/capabilities';
import { IngressLoadBalancerMode } from '../../cilium/values-options';
import { atScope, MeshValidationError } from '../../private/errors';
import { validateDnsLabel, validateDnsSubdomain, validateEnum } from '../../private/validate';
import { claimObjectName, objectNameFor } from '../object-names';
import { ServiceMesh } from '../service-mesh';
import { namespaceOf } from './context';
import { loadBalancerAnnotations, type AwsLoadBalancerOptions } from './gateway';
import { validateHostname } from './validation';

/** How an Ingress path is matched. */
export enum IngressPathType {
  EXACT = 'Exact',
  PREFIX = 'Prefix',
}

/** One path rule of a `CiliumIngress`. */
export interface CiliumIngressRule {
  /** @default - any host */
  readonly host?: string;
  /** Path, starting with '/'. */
  readonly path: string;
  /** @default IngressPathType.PREFIX */
  readonly pathType?: IngressPathType;
  /** The Service to send matching requests to. */
  readonly service: kplus.Service;
  /** @default - the Service's only port */
  readonly port?: number;
}

/** A TLS section: hosts served with a `kubernetes.io/tls` Secret in the Ingress's namespace. */
export interface CiliumIngressTls {
  readonly hosts: string[];
  readonly secretName: string;
}

/** Properties of a `CiliumIngress`. */
export interface CiliumIngressProps {
  /** Path rules (at least one). */
  readonly rules: CiliumIngressRule[];
  /** @default - the chart's `ingressController.loadbalancerMode` (Helm default `dedicated`) */
  readonly loadBalancerMode?: IngressLoadBalancerMode;
  /** @default - no TLS */
  readonly tls?: CiliumIngressTls[];
  /**
   * AWS NLB settings for this Ingress's own load balancer, as Service annotations on the Ingress: Cilium copies
   * Ingress annotations whose prefix is in the chart's `ingressController.ingressLBAnnotationPrefixes` (default
   * includes `service.beta.kubernetes.io` on 1.16 and 1.20) to the dedicated LoadBalancer Service. Needs
   * `loadBalancerMode: DEDICATED`; shared mode uses the one shared Service configured on the Cilium install.
   * @default - no load balancer annotations
   */
  readonly loadBalancer?: AwsLoadBalancerOptions;
  /** @default - the ServiceMesh chart's namespace, else `default` */
  readonly namespace?: string;
  /**
   * The object name (a DNS label, at most 63 characters).
   * @default - derived from the construct path below the ServiceMesh, like policy names
   */
  readonly name?: string;
}

/**
 * A Kubernetes `Ingress` of class `cilium` (cdk8s-plus `Ingress` underneath), for teams not yet on Gateway API.
 * Needs Cilium's Ingress controller (`ingressController`).
 * @see https://docs.cilium.io/en/stable/network/servicemesh/ingress/
 */
export class CiliumIngress extends Construct {
  /** The underlying cdk8s-plus Ingress. */
  public readonly ingress: kplus.Ingress;

  constructor(scope: Construct, id: string, props: CiliumIngressProps) {
    super(scope, id);
    const profile = ServiceMesh.ofScope(this).cilium;
    // A CiliumVersion.of(...) is checked where it is first used, so that the error names a construct.
    profile.version.validate(this);
    if (!profile.ingressController) {
      throw new MeshValidationError(
        "Ingress of class 'cilium' needs Cilium's Ingress controller, which this mesh's Cilium profile does not enable; " +
          'enable it on the Cilium construct (ingressController: true, i.e. Helm ingressController.enabled=true) or pass chainingProfile({ ingressController: true })',
        this,
      );
    }
    checkCapability(this, Feature.INGRESS, profile);
    const namespace = atScope(this, () => validateDnsLabel('Ingress namespace', namespaceOf(this, props.namespace)));
    const mesh = ServiceMesh.ofScope(this);
    const name =
      props.name === undefined
        ? objectNameFor(this, mesh, 'ingress')
        : atScope(this, () => validateDnsLabel('Ingress name', props.name!));
    claimObjectName(
      mesh,
      this,
      'Ingress',
      namespace,
      name,
      'pass a different name, or give one of the constructs a different id (names derive from construct paths)',
    );
    atScope(this, () => {
      if (props.rules.length === 0) throw new MeshValidationError('an Ingress needs at least one rule; pass rules');
      if (props.loadBalancerMode !== undefined) {
        validateEnum('Ingress load balancer mode', props.loadBalancerMode, Object.values(IngressLoadBalancerMode));
      }
      const seen = new Set<string>();
      for (const r of props.rules) {
        // cdk8s-plus refuses a second rule for the same host and path with a plain Error; say it here, with the path.
        const key = `${r.host ?? ''} ${r.path}`;
        if (seen.has(key)) {
          throw new MeshValidationError(
            `two Ingress rules for host '${r.host ?? '(any)'}' and path '${r.path}'; keep one rule per host and path`,
          );
        }
        seen.add(key);
        if (r.host !== undefined) validateHostname('Ingress host', r.host);
        if (r.pathType !== undefined) validateEnum('Ingress path type', r.pathType, Object.values(IngressPathType));
        if (!r.path.startsWith('/'))
          throw new MeshValidationError(`Ingress path must start with '/', got '${r.path}'; pass e.g. '/api'`);
        const svcNamespace = r.service.metadata.namespace ?? namespace;
        if (svcNamespace !== namespace) {
          throw new MeshValidationError(
            `Ingress backends must be in the Ingress's namespace '${namespace}', Service '${r.service.name}' is in '${svcNamespace}'; ` +
              'create the CiliumIngress in that namespace (namespace prop) or use an HttpRoute, which can reach other namespaces',
          );
        }
      }
      for (const t of props.tls ?? []) {
        validateDnsSubdomain('Ingress TLS Secret name', t.secretName);
        t.hosts.forEach((h) => validateHostname('Ingress TLS host', h));
      }
    });
    if (props.loadBalancer && props.loadBalancerMode !== IngressLoadBalancerMode.DEDICATED) {
      throw new MeshValidationError(
        `load balancer settings apply to an Ingress's own load balancer only; got loadBalancerMode ${props.loadBalancerMode ?? '(chart default)'}; ` +
          'set loadBalancerMode: IngressLoadBalancerMode.DEDICATED, or configure the shared Service on the Cilium install',
        this,
      );
    }
    const annotations: Record<string, string> = {
      ...(props.loadBalancer ? atScope(this, () => loadBalancerAnnotations(props.loadBalancer!)) : {}),
      ...(props.loadBalancerMode ? { 'ingress.cilium.io/loadbalancer-mode': props.loadBalancerMode } : {}),
    };
    // cdk8s-plus is loaded when the first Ingress is made, not when the library is (it is most of its load time).
    const k = require('cdk8s-plus-34') as typeof kplus;
    this.ingress = new k.Ingress(this, 'Resource', {
      metadata: {
        name,
        namespace,
        annotations: Object.keys(annotations).length
          ? Object.fromEntries(
              Object.keys(annotations)
                .sort()
                .map((k) => [k, annotations[k]]),
            )
          : undefined,
      },
      className: 'cilium',
    });
    for (const r of props.rules) {
      const backend = k.IngressBackend.fromService(r.service, { port: r.port });
      const pathType = (r.pathType ?? IngressPathType.PREFIX) as string as kplus.HttpIngressPathType;
      if (r.host) this.ingress.addHostRule(r.host, r.path, backend, pathType);
      else this.ingress.addRule(r.path, backend, pathType);
    }
    if (props.tls?.length) {
      this.ingress.addTls(
        props.tls.map((t, i) => ({
          hosts: [...t.hosts].sort(),
          secret: k.Secret.fromSecretName(this, `TlsSecret${i}`, t.secretName),
        })),
      );
    }
  }
}
