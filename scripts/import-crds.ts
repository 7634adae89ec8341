/**
 * Regenerates the typed bindings in lib/imports/ with `cdk8s import`, and the CRD limits the synth checks read
 * (lib/imports/crd-limits.ts), from the upstream CRDs in ../shared/upstream (reference data, never copied into this
 * repository). Run: `npm run import`; `npm run import -- --limits-only` regenerates the limits alone.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { gvkMembers } from './gvk-members';
import { withIdentityMappedClasses } from './identity-mappings';
import { linearUndefinedFilter } from './undefined-filter';

const root = path.resolve(__dirname, '..');
const upstream = process.env.UPSTREAM_DIR ?? path.resolve(root, '..', 'shared', 'upstream');
const out = path.join(root, 'lib', 'imports');
const cdk8s = path.join(root, 'node_modules', '.bin', 'cdk8s');

interface Source {
  /** Output module name (without .ts). */
  readonly module: string;
  /** CRD files, concatenated in this order into one input for `cdk8s import`. */
  readonly files: string[];
  /**
   * The file of `cdk8s import`'s output to keep (it writes one file per API group).
   * @default `${module}.ts`
   */
  readonly generated?: string;
}

const cilium = path.join(upstream, 'cilium', 'v1.20.0', 'crds');
const SOURCES: Source[] = [
  {
    module: 'cilium.io',
    files: fs
      .readdirSync(cilium)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => path.join(cilium, f)),
  },
  {
    module: 'gateway.networking.k8s.io',
    files: [path.join(upstream, 'gateway-api', 'v1.6.1', 'standard-install.yaml')],
  },
  {
    // The experimental channel: fields that only its CRDs have (e.g. HTTPRoute `retry`, GEP-1731). Kept in its own
    // module so that standard-channel objects cannot pick up an experimental field by accident. Only the
    // gateway.networking.k8s.io group is kept (not the x-k8s.io one: XBackend, XMesh, ... are not used).
    module: 'gateway.networking.k8s.io.experimental',
    files: [path.join(upstream, 'gateway-api', 'v1.6.1', 'experimental-install.yaml')],
    generated: 'gateway.networking.k8s.io.ts',
  },
];

// ---------------------------------------------------------------------------------------------------------------
// CRD limits: lib/imports/crd-limits.ts. For every field this library emits and checks at synth, the limits its
// CRD schemas declare (maxItems, minItems, maxLength, minLength, pattern, enum, minimum, maximum) and the CEL rules
// whose form can be checked without a CEL engine. Merged over every release a Cilium line renders for (Gateway API
// v1.6.1 standard and experimental, v1.1.0 experimental; Cilium v1.20.0 and v1.16.19), keeping the strictest value, so
// one check holds on every supported line and channel. Where the releases disagree, `releases` also keeps each
// release's own values (e.g. the redirect status codes that Gateway API v1.1.0 lacks), for checks that depend on the
// line. The field list names fields; every value comes from the schemas.

interface LimitSource {
  /** CRD files; the served version named below is read from each. */
  readonly files: string[];
  /** Served versions to read, first found wins (e.g. v1, then v1alpha2 for TLSRoute on Gateway API v1.1.0). */
  readonly versions: string[];
}

const GATEWAY_API_LIMIT_SOURCES: LimitSource = {
  files: [
    path.join(upstream, 'gateway-api', 'v1.6.1', 'standard-install.yaml'),
    path.join(upstream, 'gateway-api', 'v1.6.1', 'experimental-install.yaml'),
    path.join(upstream, 'gateway-api', 'v1.1.0', 'experimental-install.yaml'),
  ],
  versions: ['v1', 'v1beta1', 'v1alpha2'],
};
const CILIUM_LIMIT_SOURCES = (crd: string): LimitSource => ({
  files: [
    path.join(upstream, 'cilium', 'v1.20.0', 'crds', crd),
    path.join(upstream, 'cilium', 'v1.16.19', 'crds', crd),
  ],
  versions: ['v2'],
});

/** Fields (schema paths from the kind's root: `.` for properties, `[]` for array items, `{}` for map values). */
const LIMIT_FIELDS: Record<string, { readonly source: LimitSource; readonly fields: string[] }> = {
  HTTPRoute: {
    source: GATEWAY_API_LIMIT_SOURCES,
    fields: [
      'spec.parentRefs',
      'spec.hostnames',
      'spec.hostnames[]',
      'spec.rules',
      'spec.rules[].matches',
      'spec.rules[].matches[].path',
      'spec.rules[].matches[].path.value',
      'spec.rules[].matches[].headers',
      'spec.rules[].matches[].headers[].name',
      'spec.rules[].matches[].headers[].value',
      'spec.rules[].matches[].queryParams',
      'spec.rules[].matches[].queryParams[].name',
      'spec.rules[].matches[].queryParams[].value',
      'spec.rules[].matches[].method',
      'spec.rules[].filters',
      'spec.rules[].filters[].requestHeaderModifier.set',
      'spec.rules[].filters[].requestHeaderModifier.set[].value',
      'spec.rules[].filters[].requestHeaderModifier.add',
      'spec.rules[].filters[].requestHeaderModifier.remove',
      'spec.rules[].filters[].requestHeaderModifier.remove[]',
      'spec.rules[].filters[].requestRedirect.scheme',
      'spec.rules[].filters[].requestRedirect.statusCode',
      'spec.rules[].filters[].requestRedirect.path.replaceFullPath',
      'spec.rules[].filters[].requestMirror.percent',
      'spec.rules[].backendRefs',
      'spec.rules[].backendRefs[].weight',
    ],
  },
  GRPCRoute: {
    source: GATEWAY_API_LIMIT_SOURCES,
    fields: [
      'spec.parentRefs',
      'spec.hostnames',
      'spec.rules',
      'spec.rules[].matches',
      'spec.rules[].matches[].headers',
      'spec.rules[].matches[].method.service',
      'spec.rules[].matches[].method.method',
      'spec.rules[].filters',
      'spec.rules[].backendRefs',
    ],
  },
  TLSRoute: {
    source: GATEWAY_API_LIMIT_SOURCES,
    fields: ['spec.parentRefs', 'spec.hostnames', 'spec.rules[].backendRefs'],
  },
  Gateway: {
    source: GATEWAY_API_LIMIT_SOURCES,
    fields: [
      'spec.listeners',
      'spec.listeners[].tls.certificateRefs',
      'spec.infrastructure.annotations',
      'spec.infrastructure.annotations{}',
    ],
  },
  ReferenceGrant: {
    source: GATEWAY_API_LIMIT_SOURCES,
    fields: ['spec.from', 'spec.to'],
  },
  CiliumNetworkPolicy: {
    source: CILIUM_LIMIT_SOURCES('ciliumnetworkpolicies.yaml'),
    fields: [
      'spec.ingress[].toPorts[].ports',
      'spec.egress[].toPorts[].ports',
      'spec.ingressDeny[].toPorts[].ports',
      'spec.egressDeny[].toPorts[].ports',
      'spec.egress[].toFQDNs[].matchName',
      'spec.egress[].toFQDNs[].matchPattern',
      'spec.ingress[].toPorts[].ports[].protocol',
      'spec.egress[].toEntities[]',
      'spec.ingress[].fromEntities[]',
    ],
  },
};

/** A CEL rule of the schema in one of the forms checked without a CEL engine. */
interface DerivedCelRule {
  /** `self.<field>` the rule checks (empty: `self`). */
  readonly field: string;
  readonly check: 'matches' | 'startsWith' | 'notContains' | 'notEndsWith';
  readonly value: string;
  /** The condition under which the rule applies: the `self.type in [...]` guard's values, when there is one. */
  readonly whenType?: string[];
  /** The API server's message. */
  readonly message: string;
}

interface FieldLimits {
  maxItems?: number;
  minItems?: number;
  maxLength?: number;
  minLength?: number;
  maxProperties?: number;
  minimum?: number;
  maximum?: number;
  patterns?: string[];
  enum?: (string | number)[];
  cel?: DerivedCelRule[];
  /** Each release's own limits, when the releases disagree (keyed e.g. `gateway-api/v1.1.0/experimental`). */
  releases?: Record<string, FieldLimits>;
}

type Schema = {
  [k: string]: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
};

function schemaAt(root: Schema, field: string): Schema | undefined {
  let node: Schema | undefined = root;
  for (const part of field.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? []) {
    if (!node) return undefined;
    node = part === '[]' ? node.items : part === '{}' ? node.additionalProperties : node.properties?.[part];
  }
  return node;
}

/** The CEL rules of `node` that have one of the derivable forms; the others are left to `npm run check:cel`. */
function deriveCel(node: Schema): DerivedCelRule[] {
  const out: DerivedCelRule[] = [];
  for (const v of (node['x-kubernetes-validations'] as { rule: string; message?: string }[] | undefined) ?? []) {
    const guard = /^\(self\.type in \[([^\]]*)\]\) \? (.*) : true$/s.exec(v.rule);
    const body = guard ? guard[2] : v.rule;
    const whenType = guard ? guard[1].split(',').map((s) => s.trim().replace(/^'|'$/g, '')) : undefined;
    const forms: [RegExp, DerivedCelRule['check']][] = [
      [/^self(?:\.(\w+))?\.matches\(r"""(.*)"""\)$/s, 'matches'],
      [/^self(?:\.(\w+))?\.matches\('((?:[^'\\]|\\.)*)'\)$/s, 'matches'],
      [/^self(?:\.(\w+))?\.startsWith\('([^']*)'\)$/, 'startsWith'],
      [/^!self(?:\.(\w+))?\.contains\('([^']*)'\)$/, 'notContains'],
      [/^!self(?:\.(\w+))?\.endsWith\('([^']*)'\)$/, 'notEndsWith'],
    ];
    for (const [re, check] of forms) {
      const m = re.exec(body);
      if (m) {
        out.push({
          field: m[1] ?? '',
          check,
          value: m[2],
          ...(whenType ? { whenType } : {}),
          message: v.message ?? v.rule,
        });
        break;
      }
    }
  }
  return out;
}

function mergeLimits(into: FieldLimits, node: Schema): void {
  const num = (k: string) => (typeof node[k] === 'number' ? (node[k] as number) : undefined);
  const lower = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  const upper = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);
  into.maxItems = lower(into.maxItems, num('maxItems'));
  into.maxLength = lower(into.maxLength, num('maxLength'));
  into.maxProperties = lower(into.maxProperties, num('maxProperties'));
  into.maximum = lower(into.maximum, num('maximum'));
  into.minItems = upper(into.minItems, num('minItems'));
  into.minLength = upper(into.minLength, num('minLength'));
  into.minimum = upper(into.minimum, num('minimum'));
  if (typeof node.pattern === 'string' && !(into.patterns ?? []).includes(node.pattern)) {
    into.patterns = [...(into.patterns ?? []), node.pattern];
  }
  if (Array.isArray(node.enum)) {
    const values = node.enum as (string | number)[];
    into.enum = into.enum ? into.enum.filter((e) => values.includes(e)) : [...values];
  }
  for (const rule of deriveCel(node)) {
    if (!(into.cel ?? []).some((r) => JSON.stringify(r) === JSON.stringify(rule))) {
      into.cel = [...(into.cel ?? []), rule];
    }
  }
}

function crdSchemas(file: string): Map<string, Map<string, Schema>> {
  const out = new Map<string, Map<string, Schema>>();
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS() as {
      kind?: string;
      spec?: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
    };
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    out.set(crd.spec.names.kind, new Map(crd.spec.versions.map((v) => [v.name, v.schema.openAPIV3Schema])));
  }
  return out;
}

/** `gateway-api/v1.1.0/experimental`, `cilium/v1.20.0`: the release (and channel) a CRD file belongs to. */
function releaseOf(file: string): string {
  const [project, version, name] = path.relative(upstream, file).split(path.sep);
  const channel = /^(standard|experimental)-install\.yaml$/.exec(name ?? '')?.[1];
  return [project, version, channel].filter(Boolean).join('/');
}

function writeLimits(): void {
  const cache = new Map<string, Map<string, Map<string, Schema>>>();
  const result: Record<string, Record<string, FieldLimits>> = {};
  const inputs = new Set<string>();
  const perRelease: Record<string, Record<string, FieldLimits>> = {};
  for (const kind of Object.keys(LIMIT_FIELDS).sort()) {
    const { source, fields } = LIMIT_FIELDS[kind];
    result[kind] = {};
    for (const file of source.files) {
      if (!cache.has(file)) cache.set(file, crdSchemas(file));
      inputs.add(path.relative(path.dirname(root), file));
      const versions = cache.get(file)!.get(kind);
      const version = source.versions.find((v) => versions?.has(v));
      if (!versions || !version)
        throw new Error(`${file}: no ${kind} CRD with a version of ${source.versions.join(', ')}`);
      const schema = versions.get(version)!;
      for (const field of fields) {
        const node = schemaAt(schema, field);
        // A field newer than the oldest release (e.g. RequestMirror `percent`) takes its limits from the releases
        // that have it; the synth checks decide separately whether a line may emit it at all.
        if (!node) continue;
        mergeLimits((result[kind][field] ??= {}), node);
        const own: FieldLimits = {};
        mergeLimits(own, node);
        (perRelease[`${kind} ${field}`] ??= {})[releaseOf(file)] = own;
      }
    }
    const missing = fields.filter((f) => !result[kind][f]);
    if (missing.length) throw new Error(`${kind}: no release has ${missing.join(', ')}; fix LIMIT_FIELDS`);
    for (const field of fields) {
      const releases = perRelease[`${kind} ${field}`];
      const values = Object.values(releases).map((r) => JSON.stringify(r));
      if (new Set(values).size > 1) result[kind][field].releases = releases;
    }
  }
  // Drop unset keys so that the data file shows only what the schemas declare.
  const json = JSON.stringify(result, (_k, v) => (v === undefined ? undefined : v), 2);
  const header =
    `// Generated by \`npm run import\` (scripts/import-crds.ts) from the CRD schemas of ${[...inputs].sort().join(', ')}.\n` +
    '// Do not edit. Per kind and field: the strictest limits over these releases, and the CEL rules that can be checked\n' +
    "// without a CEL engine (matches, startsWith, !contains, !endsWith; `whenType` is the rule's `self.type in [...]` guard).\n";
  const body =
    '/** A CEL rule of a CRD schema in a form that can be checked without a CEL engine. */\n' +
    'export interface DerivedCelRule {\n' +
    '  readonly field: string;\n' +
    "  readonly check: 'matches' | 'startsWith' | 'notContains' | 'notEndsWith';\n" +
    '  readonly value: string;\n' +
    '  readonly whenType?: readonly string[];\n' +
    '  readonly message: string;\n' +
    '}\n\n' +
    '/** The CRD limits of the fields this library emits, by kind and schema path. */\n' +
    `export const CRD_LIMITS = ${json} as const;\n`;
  fs.writeFileSync(path.join(out, 'crd-limits.ts'), header + body);
  console.log('wrote lib/imports/crd-limits.ts');
}

function writeBindings(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-import-'));
  try {
    for (const source of SOURCES) {
      const input = path.join(work, `${source.module}.yaml`);
      fs.writeFileSync(input, source.files.map((f) => fs.readFileSync(f, 'utf8')).join('\n---\n'));
      const dir = path.join(work, source.module);
      execFileSync(cdk8s, ['import', input, '--language', 'typescript', '--output', dir], { stdio: 'inherit' });
      const generated = path.join(dir, source.generated ?? `${source.module}.ts`);
      const header = `// Generated by \`npm run import\` (cdk8s import) from ${source.files
        .map((f) => path.relative(path.dirname(root), f))
        .join(', ')}. Do not edit.\n`;
      fs.writeFileSync(
        path.join(out, `${source.module}.ts`),
        header + withIdentityMappedClasses(gvkMembers(linearUndefinedFilter(fs.readFileSync(generated, 'utf8')))),
      );
      console.log(`wrote lib/imports/${source.module}.ts`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (!process.argv.includes('--limits-only')) writeBindings();
writeLimits();
