import { MeshValidationError } from '../../private/errors';
import { validateRe2 } from '../../private/validate';
import { validateFqdn } from './validation';

/** Options of an L7 HTTP rule. Every field that is set must match; unset fields match anything. */
export interface HttpRuleOptions {
  /**
   * The request method, an RE2 regular expression matched against the whole method (e.g. `GET`, `GET|HEAD`).
   * @default - any method
   */
  readonly method?: string;
  /**
   * The request path, an RE2 regular expression that must match the whole path (e.g. `/api/.*`).
   * @default - any path
   */
  readonly path?: string;
  /**
   * The host, an RE2 regular expression matched against the `Host` header.
   * @default - any host
   */
  readonly host?: string;
  /**
   * Headers that must be present with these exact values.
   * @default - no header requirement
   */
  readonly headers?: { [name: string]: string };
}

/** The wire form of an HTTP rule (`toPorts[].rules.http[]`). Internal: not exported from the package. */
export interface HttpRuleManifest {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: string[];
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * An L7 HTTP rule, enforced by Cilium's Envoy proxy. Requests on the rule's ports that match no HTTP rule
 * get `403 Access denied`.
 * @see https://docs.cilium.io/en/stable/security/policy/language/#http
 */
export class HttpRule {
  /** `GET` requests whose path matches `path` (a regex). */
  public static get(path?: string): HttpRule {
    return new HttpRule({ method: 'GET', path });
  }

  /** `POST` requests whose path matches `path` (a regex). */
  public static post(path?: string): HttpRule {
    return new HttpRule({ method: 'POST', path });
  }

  /** Any combination of method, path, host and headers. */
  public static of(options: HttpRuleOptions): HttpRule {
    return new HttpRule(options);
  }

  private constructor(private readonly options: HttpRuleOptions) {}

  /**
   * Validates the rule (path-less error) and returns its wire form.
   * @internal
   */
  public _toKube(): HttpRuleManifest {
    const o = this.options;
    for (const [field, value] of [
      ['method', o.method],
      ['path', o.path],
      ['host', o.host],
    ] as const) {
      if (value === undefined) {
        continue;
      }
      if (typeof value !== 'string') {
        throw new MeshValidationError(
          `HTTP rule ${field} must be a string, got ${typeof value}; pass a regular expression such as '/api/.*'`,
        );
      }
      // Cilium compiles these with Go's regexp (RE2), in the agent and in its Envoy filter.
      validateRe2(`HTTP rule ${field}`, value, 'escape special characters; RE2 has no lookaround or back-references');
      if (value === '') {
        throw new MeshValidationError(`HTTP rule ${field} must not be empty; leave it unset to match anything`);
      }
    }
    // Envoy matches the regex against the whole path, which always starts with '/': a path regex that starts
    // with a letter or digit can never match.
    if (o.path !== undefined && /^[A-Za-z0-9]/.test(o.path)) {
      throw new MeshValidationError(
        `HTTP rule path '${o.path}' can never match (paths start with '/'); write '/${o.path}'`,
      );
    }
    const headers = Object.keys(o.headers ?? {})
      .sort()
      .map((name) => {
        if (!HEADER_NAME.test(name)) {
          throw new MeshValidationError(
            `HTTP header name '${name}' is not an RFC 9110 token; use letters, digits and '-'`,
          );
        }
        return `${name}: ${o.headers![name]}`;
      });
    if (o.method === undefined && o.path === undefined && o.host === undefined && headers.length === 0) {
      throw new MeshValidationError(
        'an HTTP rule must set at least one of method, path, host or headers; omit the rule to allow all requests',
      );
    }
    return {
      ...(o.method !== undefined ? { method: o.method } : {}),
      ...(o.path !== undefined ? { path: o.path } : {}),
      ...(o.host !== undefined ? { host: o.host } : {}),
      ...(headers.length > 0 ? { headers } : {}),
    };
  }
}

/** The wire form of a DNS rule (`toPorts[].rules.dns[]`). Internal: not exported from the package. */
export interface DnsRuleManifest {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/**
 * An L7 DNS rule: which names a workload may look up through Cilium's DNS proxy (egress to a DNS server
 * on port 53).
 * @see https://docs.cilium.io/en/stable/security/policy/language/#obtaining-dns-data-for-use-by-tofqdns
 */
export class DnsRule {
  /** Lookups of exactly `name`. */
  public static matchName(name: string): DnsRule {
    return new DnsRule({ matchName: name });
  }

  /** Lookups matching `pattern` (`*` matches within one label; `*` alone matches every name). */
  public static matchPattern(pattern: string): DnsRule {
    return new DnsRule({ matchPattern: pattern });
  }

  private constructor(private readonly manifest: DnsRuleManifest) {}

  /**
   * Validates the rule (path-less error) and returns its wire form.
   * @internal
   */
  public _toKube(): DnsRuleManifest {
    if (this.manifest.matchName !== undefined) {
      validateFqdn('matchName', this.manifest.matchName);
    } else {
      validateFqdn('matchPattern', this.manifest.matchPattern!);
    }
    return this.manifest;
  }
}
