import { CRD_LIMITS } from '../../imports/crd-limits';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import { MeshValidationError } from '../../private/errors';
import { validateCelRules, validateEnum, validateRe2, validateString, type StringLimits } from '../../private/validate';

const HTTP = CRD_LIMITS.HTTPRoute;
/** A regular expression path: the CRD's limits, and not empty. */
const REGEX_PATH = { ...HTTP['spec.rules[].matches[].path.value'], minLength: 1 };
const NAME_FIX = "pass a name such as 'x-canary' (an RFC 7230 token)";

/** How a path is matched (Gateway API `PathMatchType`). */
export enum PathMatchType {
  /** The whole path equals the value. */
  EXACT = 'Exact',
  /** The path starts with the value, element-wise (`/api` matches `/api` and `/api/x`, not `/apix`). */
  PATH_PREFIX = 'PathPrefix',
  /** RE2 regular expression (implementation-specific; Cilium passes it to Envoy). */
  REGULAR_EXPRESSION = 'RegularExpression',
}

/**
 * A path match of an HTTPRoute rule. One static factory per variant. The value is checked when a route renders
 * it, so that errors name the route.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httppathmatch
 */
export class PathMatch {
  /** Matches exactly `path`. */
  public static exact(path: string): PathMatch {
    return new PathMatch(PathMatchType.EXACT, path);
  }

  /** Matches `prefix` and everything below it (`/api` matches `/api/v1` but not `/apiv1`). */
  public static pathPrefix(prefix: string): PathMatch {
    return new PathMatch(PathMatchType.PATH_PREFIX, prefix);
  }

  /** Matches an RE2 regular expression against the whole path. */
  public static regularExpression(pattern: string): PathMatch {
    return new PathMatch(PathMatchType.REGULAR_EXPRESSION, pattern);
  }

  private constructor(
    public readonly type: PathMatchType,
    public readonly value: string,
  ) {}

  /** Validates the match (path-less error; routes wrap it with `atScope`) and returns its wire form. @internal */
  public _toKube(): gw.HttpRouteSpecRulesMatchesPath {
    if (this.type === PathMatchType.REGULAR_EXPRESSION) {
      const fix = "pass an RE2 pattern such as '/api/v[0-9]+'";
      validateString('regular expression path', this.value, REGEX_PATH, fix);
      validateRe2('regular expression path', this.value, fix);
    } else {
      checkPath(this.type, this.value);
    }
    return { type: this.type as string as gw.HttpRouteSpecRulesMatchesPathType, value: this.value };
  }
}

/** A rendered header or query parameter match. @internal */
export interface RenderedValueMatch {
  readonly type: string;
  readonly name: string;
  readonly value: string;
}

/** How a header or query parameter value is matched. */
export enum ValueMatchType {
  /** The value equals. */
  EXACT = 'Exact',
  /** RE2 regular expression on the value. */
  REGULAR_EXPRESSION = 'RegularExpression',
}

/**
 * A header match of an HTTPRoute rule (names are case-insensitive). One static factory per variant.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpheadermatch
 */
export class HeaderMatch {
  /** Header `name` equals `value`. */
  public static exact(name: string, value: string): HeaderMatch {
    return new HeaderMatch(ValueMatchType.EXACT, name, value);
  }

  /** Header `name` matches the RE2 `pattern`. */
  public static regularExpression(name: string, pattern: string): HeaderMatch {
    return new HeaderMatch(ValueMatchType.REGULAR_EXPRESSION, name, pattern);
  }

  /**
   * Requests carrying cookie `name` with value `value`. Cookies are one `cookie` header (`a=1; b=2`), so this is a
   * RegularExpression match on `cookie`.
   */
  public static cookie(name: string, value: string): HeaderMatch {
    return new HeaderMatch(
      ValueMatchType.REGULAR_EXPRESSION,
      'cookie',
      `(^|.*;\\s*)${escapeRegex(name)}=${escapeRegex(value)}(;.*|$)`,
      name,
    );
  }

  private constructor(
    public readonly type: ValueMatchType,
    public readonly name: string,
    public readonly value: string,
    /** The cookie name of `HeaderMatch.cookie`. */
    private readonly cookieName?: string,
  ) {}

  /** Validates the match (path-less error; routes wrap it with `atScope`) and returns its wire form. @internal */
  public _toKube(): RenderedValueMatch {
    if (this.cookieName !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(this.cookieName)) {
      throw new MeshValidationError(
        `cookie name must be an RFC 6265 token, got '${this.cookieName}'; pass a name such as 'beta'`,
      );
    }
    return renderValueMatch(
      'header',
      this.type,
      this.name,
      this.value,
      HTTP['spec.rules[].matches[].headers[].name'],
      HTTP['spec.rules[].matches[].headers[].value'],
    );
  }
}

/**
 * A query parameter match of an HTTPRoute rule. One static factory per variant.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpqueryparammatch
 */
export class QueryParamMatch {
  /** Parameter `name` equals `value`. */
  public static exact(name: string, value: string): QueryParamMatch {
    return new QueryParamMatch(ValueMatchType.EXACT, name, value);
  }

  /** Parameter `name` matches the RE2 `pattern`. */
  public static regularExpression(name: string, pattern: string): QueryParamMatch {
    return new QueryParamMatch(ValueMatchType.REGULAR_EXPRESSION, name, pattern);
  }

  private constructor(
    public readonly type: ValueMatchType,
    public readonly name: string,
    public readonly value: string,
  ) {}

  /** Validates the match (path-less error; routes wrap it with `atScope`) and returns its wire form. @internal */
  public _toKube(): RenderedValueMatch {
    return renderValueMatch(
      'query parameter',
      this.type,
      this.name,
      this.value,
      HTTP['spec.rules[].matches[].queryParams[].name'],
      HTTP['spec.rules[].matches[].queryParams[].value'],
    );
  }
}

/** HTTP methods (Gateway API `HTTPMethod`). */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
  CONNECT = 'CONNECT',
  OPTIONS = 'OPTIONS',
  TRACE = 'TRACE',
  PATCH = 'PATCH',
}

/**
 * One match of an HTTPRoute rule: all given conditions must hold (AND); a rule matches when any of its matches
 * does (OR).
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch
 */
export interface HttpRouteMatch {
  /**
   * Path condition.
   * @default PathMatch.pathPrefix('/') (Gateway API default)
   */
  readonly path?: PathMatch;
  /** @default - no header condition */
  readonly headers?: HeaderMatch[];
  /** @default - no query parameter condition */
  readonly queryParams?: QueryParamMatch[];
  /** @default - any method */
  readonly method?: HttpMethod;
}

/**
 * One match of a GRPCRoute rule: gRPC `service` and/or `method` (exact), and headers.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#grpcroutematch
 */
export interface GrpcRouteMatch {
  /** Fully qualified service, e.g. `foo.bar.v1.Greeter`. @default - any service */
  readonly service?: string;
  /** Method name, e.g. `SayHello`. @default - any method */
  readonly method?: string;
  /** @default - no header condition */
  readonly headers?: HeaderMatch[];
}

/** An Exact or PathPrefix path: the CRD's length limit and its CEL rules (characters, '//', '/./', ...). */
function checkPath(type: PathMatchType, path: string): void {
  const fix = "pass a path such as '/api' (percent-encode other characters, e.g. '%20' for a space)";
  validateString(`${type} path`, path, HTTP['spec.rules[].matches[].path.value'], fix);
  validateCelRules(`${type} path`, { type, value: path }, HTTP['spec.rules[].matches[].path'].cel, fix);
}

function renderValueMatch(
  what: string,
  type: ValueMatchType,
  name: string,
  value: string,
  nameLimits: StringLimits,
  valueLimits: StringLimits,
): RenderedValueMatch {
  validateEnum(`${what} match type`, type, Object.values(ValueMatchType));
  validateString(`${what} name`, name, nameLimits, NAME_FIX);
  const fix =
    type === ValueMatchType.REGULAR_EXPRESSION
      ? 'pass an RE2 pattern'
      : 'pass a non-empty value, or match with a regular expression';
  validateString(`${what} '${name}' ${type === ValueMatchType.EXACT ? 'value' : 'pattern'}`, value, valueLimits, fix);
  if (type === ValueMatchType.REGULAR_EXPRESSION) {
    validateRe2(`${what} '${name}' pattern`, value, "escape special characters, e.g. '\\[' for a literal '['");
  }
  return { type, name, value };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
