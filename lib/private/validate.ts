import { MeshValidationError } from './errors';

/** Kubernetes naming and labelling rules, as the API server applies them (k8s.io/apimachinery validation). */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A DNS-1123 label (namespaces, Service names, port names): at most 63 lower-case alphanumerics or '-'. */
export function validateDnsLabel(what: string, value: string): string {
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new MeshValidationError(
      `${what} must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and '-', starting and ending with an ` +
        `alphanumeric), got '${value}'; use a name such as '${suggestDnsName(value, 63)}'`,
    );
  }
  return value;
}

/** A DNS-1123 subdomain (most object names): at most 253 characters, dot-separated labels. */
export function validateDnsSubdomain(what: string, value: string): string {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new MeshValidationError(
      `${what} must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, '-' and '.', starting and ending ` +
        `with an alphanumeric), got '${value}'; use a name such as '${suggestDnsName(value, 253)}'`,
    );
  }
  return value;
}

/** A label key: optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function validateLabelKey(value: string): string {
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    throw new MeshValidationError(
      `label key must be an optional DNS-1123 prefix and '/' followed by a name of at most 63 characters ` +
        `([A-Za-z0-9], '-', '_', '.', alphanumeric at both ends), got '${value}'; fix the key, e.g. 'app.kubernetes.io/name'`,
    );
  }
  return value;
}

/** A label value: empty, or at most 63 characters of [A-Za-z0-9-_.] with alphanumerics at both ends. */
export function validateLabelValue(key: string, value: string): string {
  if (value !== '' && (value.length > 63 || !LABEL_NAME.test(value))) {
    throw new MeshValidationError(
      `label value for '${key}' must be at most 63 characters of [A-Za-z0-9], '-', '_', '.' with an alphanumeric ` +
        `at both ends, got '${value}'; shorten or simplify the value`,
    );
  }
  return value;
}

/** Validates every key and value of a label map and returns a copy with sorted keys (deterministic output). */
export function validateLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    validateLabelKey(key);
    out[key] = validateLabelValue(key, labels[key]);
  }
  return out;
}

/** A TCP/UDP/SCTP port number. */
export function validatePort(what: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MeshValidationError(`${what} must be an integer from 1 to 65535, got ${port}; pass a valid port number`);
  }
  return port;
}

function suggestDnsName(value: string, max: number): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return s || 'my-name';
}
