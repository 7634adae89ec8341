import { MeshValidationError } from '../../private/errors';

/**
 * Pure validators for policy inputs. They throw path-less `MeshValidationError`s; constructs call them inside
 * `atScope(this, ...)` so that every message names the construct.
 */

export { validateCidr, validateCidrExcept, type ParsedCidr } from '../../private/cidr';

const FQDN_NAME = /^([-a-zA-Z0-9_]+[.]?)+$/;
const FQDN_PATTERN = /^([-a-zA-Z0-9_*]+[.]?)+$/;

/**
 * A `matchName` (no wildcards) or `matchPattern`. Cilium's pattern grammar: `*` matches zero or more DNS
 * characters within one label (it never spans a dot); a lone `*` matches every name. Labels are at most 63
 * characters and the name at most 253 (a trailing dot is allowed).
 * @see https://docs.cilium.io/en/stable/security/policy/language/#dns-based
 */
export function validateFqdn(kind: 'matchName' | 'matchPattern', value: string): string {
  const grammar = kind === 'matchName' ? FQDN_NAME : FQDN_PATTERN;
  const bare = value.endsWith('.') ? value.slice(0, -1) : value;
  const labels = bare.split('.');
  if (!grammar.test(value) || bare.length > 253 || labels.some((l) => l.length === 0 || l.length > 63)) {
    const hint =
      kind === 'matchName' && value.includes('*')
        ? `wildcards need a pattern: use Peer.fqdnPattern('${value}')`
        : `use DNS characters (a-z, 0-9, '-', '_')${kind === 'matchPattern' ? " and '*'" : ''} in dot-separated labels of 1-63 characters`;
    throw new MeshValidationError(`FQDN ${kind} '${value}' is not valid; ${hint}`);
  }
  if (kind === 'matchPattern' && labels.some((l) => l.includes('**'))) {
    throw new MeshValidationError(
      `FQDN matchPattern '${value}' repeats '*' inside a label; one '*' already matches any run of characters in a label`,
    );
  }
  return value;
}
