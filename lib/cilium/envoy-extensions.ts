/**
 * Which Envoy extensions the cilium-envoy image of each Cilium release compiles in, as data: cilium/proxy
 * `envoy_build_config/extensions_build_config.bzl` at the proxy commit named in the chart's `envoy.image.tag`
 * (only uncommented entries are built; the Cilium docs name that file as the authority,
 * `Documentation/network/servicemesh/l7-traffic-management.rst`). A filter that is not compiled in passes Cilium's
 * CiliumEnvoyConfig parser and is then refused by Envoy (`Didn't find a registered implementation for '<name>'`,
 * cilium/cilium#30180), so nothing renders one. Read at synth by the resilience constructs and exported as JSON
 * for the Envoy checker in CI (scripts/envoy).
 *
 * Sources per chart range: ../shared/research/round2-facts.md §2.1. The library's pinned patches (1.17.18,
 * 1.18.14, 1.19.8, 1.20.2) are newer than the charts read there; they are assumed to carry at least the newest
 * image of their line that was read (UNCONFIRMED upstream).
 */
import type { CiliumVersion } from './version';

/**
 * One Envoy extension: its name (as in `extensions_build_config.bzl` and in a filter's `name`), the protobuf
 * types it is configured with (`typed_config` `@type`), and per Cilium minor line the first patch whose image
 * compiles it in (absent: not compiled on that line).
 */
export interface EnvoyExtension {
  readonly name: string;
  readonly typeUrls: readonly string[];
  /** Minor line (16 for 1.16) -> first patch that compiles it in. */
  readonly since: Readonly<Partial<Record<number, number>>>;
}

const T = 'type.googleapis.com/';
/** Compiled in from the first patch of every line 1.16-1.20. */
const ALL: Readonly<Record<number, number>> = { 16: 0, 17: 0, 18: 0, 19: 0, 20: 0 };

/**
 * The extensions whose presence or absence matters to this library: everything the resilience constructs
 * render, the alternatives their errors name, and the ones users ask for that are not built.
 * `envoy.filters.network.http_connection_manager`, `envoy.filters.listener.tls_inspector` and
 * `envoy.upstreams.http.http_protocol_options` are not in the research matrix; they are compiled in because Cilium's
 * own Gateway, Ingress and L7 load-balancing CECs use them on every line (round2-facts.md §1.5, §1.6).
 */
export const ENVOY_EXTENSIONS: readonly EnvoyExtension[] = [
  {
    name: 'envoy.filters.network.http_connection_manager',
    typeUrls: [`${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`],
    since: ALL,
  },
  {
    name: 'envoy.filters.listener.tls_inspector',
    typeUrls: [`${T}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`],
    since: ALL,
  },
  {
    name: 'envoy.upstreams.http.http_protocol_options',
    typeUrls: [`${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`],
    since: ALL,
  },
  { name: 'envoy.filters.http.router', typeUrls: [`${T}envoy.extensions.filters.http.router.v3.Router`], since: ALL },
  {
    name: 'envoy.filters.http.local_ratelimit',
    typeUrls: [`${T}envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`],
    since: ALL,
  },
  {
    name: 'envoy.filters.network.local_ratelimit',
    typeUrls: [`${T}envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit`],
    since: ALL,
  },
  {
    name: 'envoy.filters.http.ratelimit',
    typeUrls: [`${T}envoy.extensions.filters.http.ratelimit.v3.RateLimit`],
    since: ALL,
  },
  {
    name: 'envoy.filters.http.ext_authz',
    typeUrls: [`${T}envoy.extensions.filters.http.ext_authz.v3.ExtAuthz`],
    since: ALL,
  },
  { name: 'envoy.filters.http.wasm', typeUrls: [`${T}envoy.extensions.filters.http.wasm.v3.Wasm`], since: ALL },
  {
    name: 'envoy.filters.http.health_check',
    typeUrls: [`${T}envoy.extensions.filters.http.health_check.v3.HealthCheck`],
    since: ALL,
  },
  {
    name: 'envoy.filters.http.jwt_authn',
    typeUrls: [`${T}envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication`],
    since: ALL,
  },
  {
    name: 'envoy.filters.http.set_metadata',
    typeUrls: [`${T}envoy.extensions.filters.http.set_metadata.v3.Config`],
    since: ALL,
  },
  {
    name: 'envoy.filters.http.rbac',
    typeUrls: [`${T}envoy.extensions.filters.http.rbac.v3.RBAC`],
    since: { 16: 4, 17: 0, 18: 0, 19: 0, 20: 0 },
  },
  {
    name: 'envoy.filters.http.ext_proc',
    typeUrls: [`${T}envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor`],
    since: { 17: 13, 18: 7, 19: 0, 20: 0 },
  },
  {
    name: 'envoy.filters.http.cors',
    typeUrls: [`${T}envoy.extensions.filters.http.cors.v3.Cors`],
    since: { 17: 16, 18: 10, 19: 4, 20: 0 },
  },
  {
    name: 'envoy.filters.http.compressor',
    typeUrls: [`${T}envoy.extensions.filters.http.compressor.v3.Compressor`],
    since: { 17: 13, 18: 6, 19: 0, 20: 0 },
  },
  {
    name: 'envoy.filters.http.buffer',
    typeUrls: [`${T}envoy.extensions.filters.http.buffer.v3.Buffer`],
    since: { 17: 15, 18: 9, 19: 3, 20: 0 },
  },
  {
    name: 'envoy.filters.http.dynamic_modules',
    typeUrls: [`${T}envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter`],
    since: { 17: 14, 18: 8, 19: 2, 20: 0 },
  },
  {
    name: 'envoy.load_balancing_policies.round_robin',
    typeUrls: [`${T}envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin`],
    since: ALL,
  },
  {
    name: 'envoy.load_balancing_policies.random',
    typeUrls: [`${T}envoy.extensions.load_balancing_policies.random.v3.Random`],
    since: ALL,
  },
  {
    name: 'envoy.load_balancing_policies.least_request',
    typeUrls: [`${T}envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest`],
    since: ALL,
  },
  {
    name: 'envoy.load_balancing_policies.ring_hash',
    typeUrls: [`${T}envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash`],
    since: ALL,
  },
  {
    name: 'envoy.load_balancing_policies.maglev',
    typeUrls: [`${T}envoy.extensions.load_balancing_policies.maglev.v3.Maglev`],
    since: ALL,
  },
  {
    name: 'envoy.access_loggers.open_telemetry',
    typeUrls: [`${T}envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig`],
    since: ALL,
  },
  {
    name: 'envoy.access_loggers.stdout',
    typeUrls: [`${T}envoy.extensions.access_loggers.stream.v3.StdoutAccessLog`],
    since: ALL,
  },
  {
    name: 'envoy.access_loggers.file',
    typeUrls: [`${T}envoy.extensions.access_loggers.file.v3.FileAccessLog`],
    since: ALL,
  },
  // Not compiled in any image 1.16-1.20 (listed so that checks can say so by name).
  { name: 'envoy.filters.http.fault', typeUrls: [`${T}envoy.extensions.filters.http.fault.v3.HTTPFault`], since: {} },
  { name: 'envoy.filters.http.lua', typeUrls: [`${T}envoy.extensions.filters.http.lua.v3.Lua`], since: {} },
  {
    name: 'envoy.filters.http.stateful_session',
    typeUrls: [`${T}envoy.extensions.filters.http.stateful_session.v3.StatefulSession`],
    since: {},
  },
  {
    name: 'envoy.filters.http.header_mutation',
    typeUrls: [`${T}envoy.extensions.filters.http.header_mutation.v3.HeaderMutation`],
    since: {},
  },
  {
    name: 'envoy.filters.http.adaptive_concurrency',
    typeUrls: [`${T}envoy.extensions.filters.http.adaptive_concurrency.v3.AdaptiveConcurrency`],
    since: {},
  },
  {
    name: 'envoy.filters.http.admission_control',
    typeUrls: [`${T}envoy.extensions.filters.http.admission_control.v3.AdmissionControl`],
    since: {},
  },
  {
    name: 'envoy.filters.http.bandwidth_limit',
    typeUrls: [`${T}envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit`],
    since: {},
  },
  {
    name: 'envoy.retry_host_predicates.previous_hosts',
    typeUrls: [`${T}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate`],
    since: {},
  },
  { name: 'envoy.tracers.opentelemetry', typeUrls: [`${T}envoy.config.trace.v3.OpenTelemetryConfig`], since: {} },
];

/**
 * The resource types a CiliumEnvoyConfig may carry in `spec.resources` (the CRD description; Cilium's parser
 * refuses any other `@type` with `unsupported type`, `pkg/ciliumenvoyconfig/cec_resource_parser.go`).
 */
export const CEC_RESOURCE_TYPES: readonly string[] = [
  `${T}envoy.config.listener.v3.Listener`,
  `${T}envoy.config.route.v3.RouteConfiguration`,
  `${T}envoy.config.cluster.v3.Cluster`,
  `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  `${T}envoy.extensions.transport_sockets.tls.v3.Secret`,
];

/** The table by name (the first entry of a name, as a search of the table finds it). */
const BY_NAME = new Map<string, EnvoyExtension>();
for (const e of [...ENVOY_EXTENSIONS].reverse()) BY_NAME.set(e.name, e);

/** The extension named `name`, or undefined when this table does not list it. */
export function envoyExtension(name: string): EnvoyExtension | undefined {
  return BY_NAME.get(name);
}

/** True when the cilium-envoy image of `version` compiles in extension `e`. */
export function isEnvoyExtensionCompiled(e: EnvoyExtension, version: CiliumVersion): boolean {
  const first = e.since[version.minor];
  return first !== undefined && patchOf(version) >= first;
}

/** Patch numbers by version string: every resilience policy asks for each of its extensions. */
const PATCHES = new Map<string, number>();

function patchOf(version: CiliumVersion): number {
  let patch = PATCHES.get(version.version);
  if (patch === undefined) {
    patch = Number(version.version.split('.')[2]);
    PATCHES.set(version.version, patch);
  }
  return patch;
}

/** The names of the extensions compiled into the cilium-envoy image of `version`, sorted. */
export function compiledEnvoyExtensions(version: CiliumVersion): string[] {
  return ENVOY_EXTENSIONS.filter((e) => isEnvoyExtensionCompiled(e, version))
    .map((e) => e.name)
    .sort();
}

/**
 * The data the CI checker reads (scripts/envoy): per version, the compiled extensions with their type URLs, plus
 * the CiliumEnvoyConfig resource types. Deterministic (sorted).
 */
export function envoyExtensionsJson(versions: readonly CiliumVersion[]): {
  resourceTypes: string[];
  lines: {
    [line: string]: {
      version: string;
      extensions: { name: string; typeUrls: string[] }[];
      notCompiled: { name: string; typeUrls: string[] }[];
    };
  };
} {
  const lines: ReturnType<typeof envoyExtensionsJson>['lines'] = {};
  const byName = (a: EnvoyExtension, b: EnvoyExtension) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const entry = (e: EnvoyExtension) => ({ name: e.name, typeUrls: [...e.typeUrls] });
  for (const v of versions) {
    const sorted = [...ENVOY_EXTENSIONS].sort(byName);
    lines[v.line] = {
      version: v.version,
      extensions: sorted.filter((e) => isEnvoyExtensionCompiled(e, v)).map(entry),
      notCompiled: sorted.filter((e) => !isEnvoyExtensionCompiled(e, v)).map(entry),
    };
  }
  return { resourceTypes: [...CEC_RESOURCE_TYPES], lines };
}
