import { MeshValidationError } from '../../private/errors';

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
 * A path match of an HTTPRoute rule. One static factory per variant.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httppathmatch
 */
export class PathMatch {
  /** Matches exactly `path`. */
  public static exact(path: string): PathMatch {
    return new PathMatch(PathMatchType.EXACT, checkPath(path));
  }

  /** Matches `prefix` and everything below it (`/api` matches `/api/v1` but not `/apiv1`). */
  public static pathPrefix(prefix: string): PathMatch {
    return new PathMatch(PathMatchType.PATH_PREFIX, checkPath(prefix));
  }

  /** Matches an RE2 regular expression against the whole path. */
  public static regularExpression(pattern: string): PathMatch {
    if (pattern.length === 0 || pattern.length > 1024) {
      throw new MeshValidationError(`regular expression path must be 1-1024 characters, got '${pattern}'; pass a pattern such as '/api/v[0-9]+'`);
    }
    try {
      new RegExp(pattern);
    } catch {
      throw new MeshValidationError(`regular expression path '${pattern}' does not compile; fix the pattern`);
    }
    return new PathMatch(PathMatchType.REGULAR_EXPRESSION, pattern);
  }

  private constructor(public readonly type: PathMatchType, public readonly value: string) {}
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
    return new HeaderMatch(ValueMatchType.EXACT, checkHeaderName(name), value);
  }

  /** Header `name` matches the RE2 `pattern`. */
  public static regularExpression(name: string, pattern: string): HeaderMatch {
    return new HeaderMatch(ValueMatchType.REGULAR_EXPRESSION, checkHeaderName(name), pattern);
  }

  /**
   * Requests carrying cookie `name` with value `value`. Cookies are one `cookie` header (`a=1; b=2`), so this is a
   * RegularExpression match on `cookie`.
   */
  public static cookie(name: string, value: string): HeaderMatch {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new MeshValidationError(`cookie name must be an RFC 6265 token, got '${name}'; pass a name such as 'beta'`);
    }
    return new HeaderMatch(ValueMatchType.REGULAR_EXPRESSION, 'cookie', `(^|.*;\\s*)${escapeRegex(name)}=${escapeRegex(value)}(;.*|$)`);
  }

  private constructor(public readonly type: ValueMatchType, public readonly name: string, public readonly value: string) {}
}

/**
 * A query parameter match of an HTTPRoute rule. One static factory per variant.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpqueryparammatch
 */
export class QueryParamMatch {
  /** Parameter `name` equals `value`. */
  public static exact(name: string, value: string): QueryParamMatch {
    return new QueryParamMatch(ValueMatchType.EXACT, checkHeaderName(name), value);
  }

  /** Parameter `name` matches the RE2 `pattern`. */
  public static regularExpression(name: string, pattern: string): QueryParamMatch {
    return new QueryParamMatch(ValueMatchType.REGULAR_EXPRESSION, checkHeaderName(name), pattern);
  }

  private constructor(public readonly type: ValueMatchType, public readonly name: string, public readonly value: string) {}
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

function checkPath(path: string): string {
  if (!path.startsWith('/') || path.length > 1024 || /\/\/|\/\.{1,2}(\/|$)|%2f|%2F|#/.test(path)) {
    throw new MeshValidationError(
      `path must start with '/', be at most 1024 characters and contain no '//', '/./', '/../', '%2f' or '#', got '${path}'; pass a path such as '/api'`,
    );
  }
  return path;
}

function checkHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/.test(name)) {
    throw new MeshValidationError(`header or query parameter name must be an RFC 7230 token, got '${name}'; pass a name such as 'x-canary'`);
  }
  return name;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
