import { Construct } from 'constructs';
import { gatewayBindings } from './bindings';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { atScope, MeshValidationError } from '../../private/errors';
import { validateCount } from '../../private/validate';
import { meshObjectOf } from '../rendered-object';
import { gatewayApiObject, routeContext } from './context';
import type { WeightedBackend } from './http-route';
import type { ParentRef } from './parent';
import { gatewayApiSupports, gatewayApiUnsupportedReason } from '../../cilium/gateway-api-support';
import { GatewayApiFeature } from '../../gateway-api/features';
import { validateHostname, validateWeights } from './validation';
import { merged } from '../../private/objects';

/** Properties of a `TlsRoute`. */
export interface TlsRouteProps {
  /** Gateways with a TLS passthrough listener. */
  readonly parentRefs: ParentRef[];
  /** SNI host names this route takes (1-16). */
  readonly hostnames: string[];
  /** Where the (still encrypted) connections go, with weights. */
  readonly backendRefs: WeightedBackend[];
  /** @default - the ServiceMesh chart's namespace, else `default` */
  readonly namespace?: string;
  /**
   * The object name (a DNS label, at most 63 characters).
   * @default - derived from the construct path below the ServiceMesh, like policy names (e.g. `public` for a Gateway
   * with id `Public`)
   */
  readonly name?: string;
}

/**
 * A Gateway API `TLSRoute`: TLS passthrough by SNI, the backend terminates TLS. The API version follows the Cilium
 * line: `v1` on Cilium 1.20 (Gateway API v1.6.1 standard channel; the v1.20.0 release notes ask users to migrate
 * from v1alpha2), `v1alpha2` on older lines (Cilium 1.16: Gateway API v1.1.0, experimental channel only).
 * @see https://gateway-api.sigs.k8s.io/api-types/tlsroute/
 */
export class TlsRoute extends Construct {
  /** The route's object name. */
  public readonly name: string;
  /** The route's namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: TlsRouteProps) {
    super(scope, id);
    const { profile, namespace, name } = gatewayApiObject(this, 'TLSRoute', props.namespace, props.name);
    this.namespace = namespace;
    this.name = name;
    const spec = atScope(this, () => {
      validateCount(
        'TLSRoute SNI hostnames',
        props.hostnames.length,
        { ...CRD_LIMITS.TLSRoute['spec.hostnames'], minItems: 1 },
        "pass e.g. ['db.example.com']",
      );
      const hostnames = props.hostnames.map((h) => validateHostname('TLSRoute hostname', h));
      if (props.parentRefs.length < 1 || props.parentRefs.some((p) => p.isService)) {
        throw new MeshValidationError(
          'a TLSRoute attaches to Gateways only (TLS passthrough listeners); pass ParentRef.gateway(...)',
        );
      }
      const noTlsRoute = gatewayApiUnsupportedReason(profile, GatewayApiFeature.TLS_ROUTE);
      if (noTlsRoute) {
        throw new MeshValidationError(
          `${noTlsRoute}; install the experimental-channel CRDs (gatewayApiCrds: { channel: ` +
            'GatewayApiChannel.EXPERIMENTAL } on the Cilium construct) or use Cilium 1.20',
        );
      }
      validateCount(
        'TLSRoute backendRefs',
        props.backendRefs.length,
        { ...CRD_LIMITS.TLSRoute['spec.rules[].backendRefs'], minItems: 1 },
        'pass backendRefs',
      );
      validateCount(
        'TLSRoute parentRefs',
        props.parentRefs.length,
        CRD_LIMITS.TLSRoute['spec.parentRefs'],
        'attach to fewer Gateways',
      );
      validateWeights(
        'TLSRoute',
        props.backendRefs.map((b) => b.weight ?? 1),
      );
      const ctx = routeContext(this, 'TLSRoute', this.namespace);
      return {
        parentRefs: props.parentRefs.map((p) => p._toKube('TLSRoute', this.namespace, hostnames)),
        hostnames,
        rules: [{ backendRefs: props.backendRefs.map((b) => merged(ctx.backendRef(b.backend), { weight: b.weight })) }],
      };
    });
    const metadata = { name, namespace: this.namespace };
    if (gatewayApiSupports(profile, GatewayApiFeature.TLS_ROUTE_V1)) {
      meshObjectOf(this, 'Resource', gatewayBindings().TlsRoute, { metadata, spec });
    } else {
      meshObjectOf(this, 'Resource', gatewayBindings().TlsRouteV1Alpha2, { metadata, spec });
    }
  }
}
