import { Token } from 'aws-cdk-lib';

/** CIDRs that admit every address. */
const WORLD = new Set(['0.0.0.0/0', '::/0']);

/** The endpoint fields of an EKS cluster's `ResourcesVpcConfig`, as written to the template (tokens allowed). */
export interface EndpointConfig {
  readonly endpointPublicAccess?: unknown;
  readonly publicAccessCidrs?: unknown;
}

/**
 * Whether the cluster's public API endpoint admits the whole internet: public access on (the EKS API's default when
 * `endpointPublicAccess` is omitted) with no `publicAccessCidrs` (EKS then applies `0.0.0.0/0`) or with
 * `0.0.0.0/0` or `::/0` among them. `undefined` when a token hides the answer. Used by `MeshCluster`'s
 * `cdk-cilium-mesh:publicEndpoint` warning and by the nag rule of scripts/nag.
 *
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigRequest.html
 */
export function endpointOpenToWorld(config: EndpointConfig): boolean | undefined {
  const pub = config.endpointPublicAccess;
  if (pub === false) return false;
  if (pub !== undefined && pub !== true) return undefined;
  const cidrs = config.publicAccessCidrs;
  if (cidrs === undefined) return true;
  if (!Array.isArray(cidrs) || Token.isUnresolved(cidrs)) return undefined;
  if (cidrs.some((c) => typeof c === 'string' && WORLD.has(c))) return true;
  return cidrs.every((c) => typeof c === 'string' && !Token.isUnresolved(c)) ? false : undefined;
}
