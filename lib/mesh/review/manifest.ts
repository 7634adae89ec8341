import { type CiliumProfile, envoyConfigOf, gatewayApiChannelOf } from '../../cilium/profile';

/** Orders strings by UTF-16 code units: the same everywhere, unlike `localeCompare`, which follows the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** YAML 1.1 words a plain scalar must not be (kubectl reads YAML 1.1: `on`, `yes`, `no` are booleans). */
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~|)$/i;
/** A plain scalar that every YAML reader reads back as the same string. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*( [A-Za-z0-9_./-]+)*$/;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

/** Lines of a value at `indent` (for objects and arrays; the caller writes scalars inline). */
function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        const inner: string[] = [];
        emit(item, `${indent}  `, inner);
        out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
      } else {
        out.push(`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
      }
    }
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x !== null && typeof x === 'object' && !isEmpty(x)) {
      out.push(`${indent}${scalar(k)}:`);
      emit(x, `${indent}  `, out);
    } else {
      out.push(`${indent}${scalar(k)}: ${isEmpty(x) ? (Array.isArray(x) ? '[]' : '{}') : scalar(x)}`);
    }
  }
}

/**
 * A JSON value as block YAML: keys in the given order, sequences indented under their key (as kubectl prints them),
 * strings plain when every YAML 1.1 and 1.2 reader reads them back unchanged, else double-quoted. Linear and fast
 * (the mesh of 5,000 objects is written at every synth).
 */
export function toYaml(value: unknown): string {
  if (value === null || typeof value !== 'object' || isEmpty(value)) {
    return `${isEmpty(value) ? (Array.isArray(value) ? '[]' : '{}') : scalar(value)}\n`;
  }
  const out: string[] = [];
  emit(value, '', out);
  return `${out.join('\n')}\n`;
}

/** What the header of a review manifest names. */
export interface ReviewManifestHeader {
  /** The CDK stack that delivers the mesh (its path), or a description of where the objects go. */
  readonly stack: string;
  /** The mesh (the cdk8s chart's path). */
  readonly mesh: string;
  /** The Cilium install the mesh is rendered for; undefined for a plain chart. */
  readonly cilium?: CiliumProfile;
}

/** The Cilium line and the facts that decide what a mesh renders, in one line. */
export function describeCiliumProfile(p: CiliumProfile): string {
  const facts = [
    p.datapath,
    `kubeProxyReplacement=${p.kubeProxyReplacement}`,
    `l7Proxy=${p.l7Proxy}`,
    `gatewayApi=${p.gatewayApi}${p.gatewayApi ? ` (${gatewayApiChannelOf(p)})` : ''}`,
    `ingressController=${p.ingressController}`,
    `envoyConfig=${envoyConfigOf(p)}`,
    `l7LoadBalancing=${p.l7LoadBalancing ?? false}`,
    `mutualAuthentication=${p.mutualAuthentication}`,
  ];
  return `Cilium ${p.version.version} (line ${p.version.line}; ${facts.join(', ')})`;
}

/** A JSON value with object keys sorted at every level (arrays keep their order: it is meaningful). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeysDeep);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) {
        out[key] = sortKeysDeep(v);
      }
    }
    return out;
  }
  return value;
}

/** The sort key of an object: API group, kind, namespace, name (the identity Kubernetes knows it by). */
export function objectSortKey(o: unknown): string {
  const obj = (o ?? {}) as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } };
  const apiVersion = obj.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return [group, obj.kind ?? '', obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''].join('\u0000');
}

/**
 * The objects of a mesh as one YAML document stream a reviewer can diff: a comment header naming the stack, the
 * mesh and the Cilium install, then every object with keys sorted, objects ordered by group, kind, namespace and
 * name. Pure and byte-stable: the same objects in any order give the same text.
 */
export function renderReviewManifest(objects: readonly unknown[], header: ReviewManifestHeader): string {
  const sorted = [...objects].map(sortKeysDeep).sort((a, b) => {
    const ka = objectSortKey(a);
    const kb = objectSortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
  });
  const lines = [
    '# Generated by cdk-cilium-mesh at synth for review; not applied from here. Do not edit.',
    `# stack:  ${header.stack}`,
    `# mesh:   ${header.mesh} (${sorted.length} object${sorted.length === 1 ? '' : 's'})`,
    `# cilium: ${header.cilium ? describeCiliumProfile(header.cilium) : 'not a ServiceMesh (plain cdk8s chart)'}`,
  ];
  const body = sorted.map((o) => `---\n${toYaml(o)}`).join('');
  return `${lines.join('\n')}\n${body}`;
}
