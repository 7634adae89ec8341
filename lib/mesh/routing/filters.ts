import type * as gw from '../../imports/gateway.networking.k8s.io';
import { gatewayBindings } from './bindings';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { MeshValidationError } from '../../private/errors';
import { validateCount, validateEnum, validatePort, validateString, validateWholeNumber } from '../../private/validate';
import type { IBackend } from './backend';
import type { RouteContext } from './context';
import { validateHostname } from './validation';
import {
  gatewayApiChannelOfInstall,
  gatewayApiUnsupportedReason,
  gatewayApiVersionOfLine,
} from '../../cilium/gateway-api-support';
import { GatewayApiFeature } from '../../gateway-api/features';

const HTTP = CRD_LIMITS.HTTPRoute;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

/** Header changes of a RequestHeaderModifier or ResponseHeaderModifier filter. */
export interface HeaderModifierOptions {
  /** Headers to set, replacing existing values. @default - none */
  readonly set?: Record<string, string>;
  /** Headers to add, keeping existing values. @default - none */
  readonly add?: Record<string, string>;
  /** Header names to remove. @default - none */
  readonly remove?: string[];
}

/**
 * How a redirect or rewrite changes the path (Gateway API `HTTPPathModifier`). One static factory per variant. The
 * value is checked when a route renders it, so that the error names the route.
 */
export class PathModifier {
  /** Replaces the whole path with `path`. */
  public static replaceFullPath(path: string): PathModifier {
    return new PathModifier('ReplaceFullPath', path);
  }

  /** Replaces the part matched by the rule's PathPrefix match with `prefix` (needs a PathPrefix match). */
  public static replacePrefixMatch(prefix: string): PathModifier {
    return new PathModifier('ReplacePrefixMatch', prefix);
  }

  private constructor(
    private readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch',
    private readonly value: string,
  ) {}

  /** Whether this is a ReplacePrefixMatch modifier (which needs one PathPrefix match). @internal */
  public get _replacesPrefix(): boolean {
    return this.type === 'ReplacePrefixMatch';
  }

  /** Validates the value (path-less error) and returns `path` of a redirect or rewrite. @internal */
  public _toKube(): RenderedPathModifier {
    validateString(
      'path modifier value',
      this.value,
      HTTP['spec.rules[].filters[].requestRedirect.path.replaceFullPath'],
      "pass e.g. '/v2'",
    );
    if (!this.value.startsWith('/')) {
      throw new MeshValidationError(`path modifier value must start with '/', got '${this.value}'; pass e.g. '/v2'`);
    }
    return this.type === 'ReplaceFullPath'
      ? { type: this.type, replaceFullPath: this.value }
      : { type: this.type, replacePrefixMatch: this.value };
  }
}

/** A rendered `HTTPPathModifier` (the same JSON for redirects and rewrites). @internal */
export interface RenderedPathModifier {
  readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  readonly replaceFullPath?: string;
  readonly replacePrefixMatch?: string;
}

/** The scheme of a redirect. */
export enum RedirectScheme {
  /** `http`. */
  HTTP = 'http',
  /** `https`. */
  HTTPS = 'https',
}

/** Redirect status codes allowed by Gateway API. */
export enum RedirectStatusCode {
  MOVED_PERMANENTLY_301 = 301,
  FOUND_302 = 302,
  SEE_OTHER_303 = 303,
  TEMPORARY_REDIRECT_307 = 307,
  PERMANENT_REDIRECT_308 = 308,
}

/** Options of a RequestRedirect filter; unset parts keep the request's value. */
export interface RequestRedirectOptions {
  /** @default - the request's scheme */
  readonly scheme?: RedirectScheme;
  /** @default - the request's hostname */
  readonly hostname?: string;
  /** @default - derived from the scheme */
  readonly port?: number;
  /** @default - the request's path */
  readonly path?: PathModifier;
  /** @default RedirectStatusCode.FOUND_302 */
  readonly statusCode?: RedirectStatusCode;
}

/** Options of a URLRewrite filter. */
export interface UrlRewriteOptions {
  /** Host header sent to the backend. @default - unchanged */
  readonly hostname?: string;
  /** @default - unchanged */
  readonly path?: PathModifier;
}

/** Options of a RequestMirror filter. */
export interface RequestMirrorOptions {
  /**
   * Whole percentage (0-100) of requests to mirror. Needs the `percent` field, which exists from Gateway API v1.3
   * (standard channel); it is not in v1.1.0 (Cilium 1.16), and this library emits it from Cilium 1.20 (Gateway API
   * v1.6.1) only; elsewhere it is a synth error.
   * @default - every request (100%)
   */
  readonly percent?: number;
}

type FilterSpec =
  | { readonly kind: 'RequestHeaderModifier' | 'ResponseHeaderModifier'; readonly headers: HeaderModifierOptions }
  | { readonly kind: 'RequestRedirect'; readonly redirect: RequestRedirectOptions }
  | { readonly kind: 'URLRewrite'; readonly rewrite: UrlRewriteOptions }
  | { readonly kind: 'RequestMirror'; readonly backend: IBackend; readonly percent?: number };

/**
 * A filter of an HTTPRoute rule. One static factory per variant. Options are checked when a route renders the
 * filter, so that errors name the route.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutefilter
 */
export class HttpRouteFilter {
  /** Changes request headers before forwarding. */
  public static requestHeaderModifier(options: HeaderModifierOptions): HttpRouteFilter {
    return new HttpRouteFilter({ kind: 'RequestHeaderModifier', headers: options });
  }

  /** Changes response headers before returning them to the client. */
  public static responseHeaderModifier(options: HeaderModifierOptions): HttpRouteFilter {
    return new HttpRouteFilter({ kind: 'ResponseHeaderModifier', headers: options });
  }

  /** Answers with a redirect instead of forwarding (the rule then needs no backend). */
  public static requestRedirect(options: RequestRedirectOptions): HttpRouteFilter {
    return new HttpRouteFilter({ kind: 'RequestRedirect', redirect: options });
  }

  /** Rewrites the Host header and/or path before forwarding. */
  public static urlRewrite(options: UrlRewriteOptions): HttpRouteFilter {
    return new HttpRouteFilter({ kind: 'URLRewrite', rewrite: options });
  }

  /**
   * Sends a copy of requests to `backend`; its responses are discarded, so the mirror has no effect on what
   * clients receive.
   */
  public static requestMirror(backend: IBackend, options: RequestMirrorOptions = {}): HttpRouteFilter {
    return new HttpRouteFilter({ kind: 'RequestMirror', backend, percent: options.percent });
  }

  private constructor(private readonly spec: FilterSpec) {}

  /** The Gateway API filter type, e.g. `RequestMirror`. */
  public get type(): string {
    return this.spec.kind;
  }

  /** Whether a path modifier of this filter uses ReplacePrefixMatch. @internal */
  public get _replacesPrefix(): boolean {
    const s = this.spec;
    const path = s.kind === 'RequestRedirect' ? s.redirect.path : s.kind === 'URLRewrite' ? s.rewrite.path : undefined;
    return path?._replacesPrefix ?? false;
  }

  /**
   * Validates the options (path-less errors; routes call this under `atScope`) and renders the filter for an
   * HTTPRoute rule (GRPCRoute reuses the header and mirror variants). @internal
   */
  public _toKube(ctx: RouteContext): gw.HttpRouteSpecRulesFilters {
    const s = this.spec;
    switch (s.kind) {
      case 'RequestHeaderModifier':
        return {
          type: gatewayBindings().HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER,
          requestHeaderModifier: renderHeaders(checkHeaders(s.headers)),
        };
      case 'ResponseHeaderModifier':
        return {
          type: gatewayBindings().HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
          responseHeaderModifier: renderHeaders(checkHeaders(s.headers)),
        };
      case 'RequestRedirect':
        checkRedirect(s.redirect, ctx);
        return {
          type: gatewayBindings().HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
          requestRedirect: {
            scheme: s.redirect.scheme as string as gw.HttpRouteSpecRulesFiltersRequestRedirectScheme | undefined,
            hostname: s.redirect.hostname,
            port: s.redirect.port,
            statusCode: s.redirect.statusCode as number as
              gw.HttpRouteSpecRulesFiltersRequestRedirectStatusCode | undefined,
            path: s.redirect.path?._toKube() as gw.HttpRouteSpecRulesFiltersRequestRedirectPath | undefined,
          },
        };
      case 'URLRewrite':
        if (s.rewrite.hostname !== undefined) validateHostname('rewrite hostname', s.rewrite.hostname, false);
        return {
          type: gatewayBindings().HttpRouteSpecRulesFiltersType.URL_REWRITE,
          urlRewrite: {
            hostname: s.rewrite.hostname,
            path: s.rewrite.path?._toKube() as gw.HttpRouteSpecRulesFiltersUrlRewritePath | undefined,
          },
        };
      case 'RequestMirror': {
        if (s.percent !== undefined) {
          validateWholeNumber('mirror percent', s.percent, 0, 100, 'pass e.g. 5');
          const why = gatewayApiUnsupportedReason(ctx.profile, GatewayApiFeature.REQUEST_MIRROR_PERCENT);
          if (why) {
            throw new MeshValidationError(
              `mirror percent ${s.percent}: ${why}; without the field every request would be mirrored, ` +
                "so drop 'percent' or upgrade Cilium",
            );
          }
        }
        return {
          type: gatewayBindings().HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
          requestMirror: { backendRef: ctx.backendRef(s.backend), percent: s.percent },
        };
      }
    }
  }
}

function renderHeaders(h: HeaderModifierOptions): gw.HttpRouteSpecRulesFiltersRequestHeaderModifier {
  const pairs = (m?: Record<string, string>) =>
    m && Object.keys(m).length
      ? Object.keys(m)
          .sort()
          .map((name) => ({ name, value: m[name] }))
      : undefined;
  return { set: pairs(h.set), add: pairs(h.add), remove: h.remove?.length ? [...h.remove].sort() : undefined };
}

/**
 * The redirect status codes the line's Gateway API CRD accepts: Gateway API v1.1.0 (Cilium 1.16) has 301 and 302
 * only, v1.6.1 (Cilium 1.20) all five. For 1.17 to 1.19 no CRD is at hand, so the enum of this library applies.
 */
function redirectStatusCodes(ctx: RouteContext): readonly number[] {
  const releases: Record<string, { enum: readonly number[] } | undefined> =
    HTTP['spec.rules[].filters[].requestRedirect.statusCode'].releases;
  const version = gatewayApiVersionOfLine(ctx.profile.version);
  // The CRDs at hand: the install's channel, else the other channel of the same release (the enum is the same in both).
  const crd =
    releases[`gateway-api/${version}/${gatewayApiChannelOfInstall(ctx.profile)}`] ??
    releases[`gateway-api/${version}/experimental`] ??
    releases[`gateway-api/${version}/standard`];
  return crd?.enum ?? Object.values(RedirectStatusCode).filter((v): v is RedirectStatusCode => typeof v === 'number');
}

function checkRedirect(r: RequestRedirectOptions, ctx: RouteContext): void {
  if (r.hostname !== undefined) validateHostname('redirect hostname', r.hostname, false);
  if (r.port !== undefined) validatePort('redirect port', r.port);
  if (r.scheme !== undefined)
    validateEnum('redirect scheme', r.scheme, HTTP['spec.rules[].filters[].requestRedirect.scheme'].enum);
  if (r.statusCode !== undefined) {
    const allowed = redirectStatusCodes(ctx);
    if (!allowed.includes(r.statusCode)) {
      throw new MeshValidationError(
        `redirect status code must be one of ${allowed.join(', ')} on Cilium ${ctx.profile.version.line} (its Gateway API CRD), ` +
          `got ${r.statusCode}; use RedirectStatusCode.FOUND_302 or MOVED_PERMANENTLY_301`,
      );
    }
  }
}

/** Header modifier changes against the CRD: names, non-empty values of at most 4096 characters, at most 16 of each. */
function checkHeaders(h: HeaderModifierOptions): HeaderModifierOptions {
  const names = [...Object.keys(h.set ?? {}), ...Object.keys(h.add ?? {}), ...(h.remove ?? [])];
  if (names.length === 0) {
    throw new MeshValidationError('header modifier changes nothing; pass at least one of set, add or remove');
  }
  const limits = 'requestHeaderModifier';
  validateCount(
    'header modifier set',
    Object.keys(h.set ?? {}).length,
    HTTP[`spec.rules[].filters[].${limits}.set`],
    'set fewer headers, or use another filter on a later rule',
  );
  validateCount(
    'header modifier add',
    Object.keys(h.add ?? {}).length,
    HTTP[`spec.rules[].filters[].${limits}.add`],
    'add fewer headers',
  );
  validateCount(
    'header modifier remove',
    (h.remove ?? []).length,
    HTTP[`spec.rules[].filters[].${limits}.remove`],
    'remove fewer headers',
  );
  for (const n of names) {
    if (typeof n !== 'string' || !HEADER_NAME.test(n)) {
      throw new MeshValidationError(`header name must be an RFC 7230 token, got '${n}'; fix the name`);
    }
  }
  for (const [op, m] of [
    ['set', h.set],
    ['add', h.add],
  ] as const) {
    for (const [name, value] of Object.entries(m ?? {})) {
      validateString(
        `header modifier ${op} '${name}' value`,
        value,
        HTTP['spec.rules[].filters[].requestHeaderModifier.set[].value'],
        'pass a non-empty value (use remove to drop a header)',
      );
    }
  }
  return h;
}
