import { Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import type { CiliumVersion } from './version';
import { MeshValidationError } from '../private/errors';

/** A flow verdict (`flow.Verdict`), as Hubble names it in filters. */
export enum FlowVerdict {
  FORWARDED = 'FORWARDED',
  DROPPED = 'DROPPED',
  ERROR = 'ERROR',
  AUDIT = 'AUDIT',
  REDIRECTED = 'REDIRECTED',
  TRACED = 'TRACED',
  TRANSLATED = 'TRANSLATED',
}

/**
 * A flow event type (`event_type[].type` of a filter): the monitor message types of pkg/monitor/api/types.go,
 * the same numbers on every line 1.16-1.20.
 */
export class FlowEventType {
  /** Packet drops (`drop`). */
  public static readonly DROP = new FlowEventType(1, 'drop');
  /** Forwarded packets (`trace`). */
  public static readonly TRACE = new FlowEventType(4, 'trace');
  /** Policy verdicts (`policy-verdict`). */
  public static readonly POLICY_VERDICT = new FlowEventType(5, 'policy-verdict');
  /** Socket-level load balancing (`trace-sock`). */
  public static readonly TRACE_SOCK = new FlowEventType(7, 'trace-sock');
  /** L7 flows from Envoy and the DNS proxy (`l7`, access log). */
  public static readonly L7 = new FlowEventType(129, 'l7');

  private constructor(
    public readonly type: number,
    public readonly name: string,
  ) {}
}

/**
 * One Hubble flow filter (`flow.FlowFilter`): a flow matches when it matches every field that is set; a field
 * with several values matches any of them. Namespaces and pods are rendered as Hubble's `source_pod` /
 * `destination_pod` prefixes (`shop/`, `shop/api-`).
 * @see https://docs.cilium.io/en/stable/observability/hubble/configuration/export/
 */
export interface FlowFilter {
  /** Source namespaces (`source_pod: ['<ns>/']`). */
  readonly sourceNamespaces?: string[];
  /** Destination namespaces (`destination_pod: ['<ns>/']`). */
  readonly destinationNamespaces?: string[];
  /** Source pods as `namespace/name-prefix` (`source_pod`). */
  readonly sourcePods?: string[];
  /** Destination pods as `namespace/name-prefix` (`destination_pod`). */
  readonly destinationPods?: string[];
  /** Verdicts (`verdict`). */
  readonly verdicts?: FlowVerdict[];
  /** Event types (`event_type`). */
  readonly eventTypes?: FlowEventType[];
}

/** Where an exporter writes flows. */
export class FlowExportTarget {
  /**
   * The agent's standard output, one JSON flow per line, for a log shipper that tails container logs (Fluent Bit
   * to CloudWatch Logs, Promtail to Loki, the CloudWatch agent). No file, no rotation.
   */
  public static stdout(): FlowExportTarget {
    return new FlowExportTarget('stdout');
  }

  /**
   * A file on the node, rotated by size: `maxSize` (whole MiB) per file, `maxBackups` rotated files, `compress`
   * them (1.18+). The agent writes under `/var/run/cilium/hubble/` (a host path), where a node-level shipper reads it.
   */
  public static file(path: string, rotation: FileRotation = {}): FlowExportTarget {
    return new FlowExportTarget(path, rotation);
  }

  private constructor(
    public readonly filePath: string,
    public readonly rotation?: FileRotation,
  ) {}
}

/** Rotation of a flow log file. */
export interface FileRotation {
  /** Size of a file before it is rotated, whole MiB. @default Size.mebibytes(10) (chart default) */
  readonly maxSize?: Size;
  /** Rotated files kept. @default 5 (chart default) */
  readonly maxBackups?: number;
  /** Compress rotated files (Cilium 1.18+). @default false */
  readonly compress?: boolean;
}

/** One flow exporter. */
export interface FlowExporter {
  /** Where flows go. */
  readonly target: FlowExportTarget;
  /** Export only flows matching one of these (`allowList` / `includeFilters`). @default - every flow */
  readonly allowList?: FlowFilter[];
  /** Never export flows matching one of these (`denyList` / `excludeFilters`). @default - none */
  readonly denyList?: FlowFilter[];
  /**
   * Fields of each exported flow (`fieldMask`, proto names such as `time`, `verdict`, `source.namespace`,
   * `destination.pod_name`, `l4`); the first segment is checked against the line's `flow.Flow`.
   * @default - every field
   */
  readonly fieldMask?: string[];
}

/** A dynamic exporter: a named entry of the `cilium-flowlog-config` ConfigMap, reconfigurable without restarts. */
export interface DynamicFlowExporter extends FlowExporter {
  /** Unique name (lower case, digits, `-`). */
  readonly name: string;
}

/**
 * Hubble flow export (`hubble.export.*`): a static exporter bound to the agent's lifecycle and/or dynamic
 * exporters read from a ConfigMap (both exist on every line 1.16-1.20 in chart and agent). Rotation keys moved
 * from `hubble.export.*` to `hubble.export.static.*` in 1.18, when dynamic exporters got their own.
 * @see https://docs.cilium.io/en/stable/observability/hubble/configuration/export/
 */
export interface FlowExportOptions {
  /** `hubble.export.static`. @default - none */
  readonly static?: FlowExporter;
  /** `hubble.export.dynamic.config.content`. @default - none */
  readonly dynamic?: DynamicFlowExporter[];
}

const FILTER_FIELDS = [
  'sourceNamespaces',
  'destinationNamespaces',
  'sourcePods',
  'destinationPods',
  'verdicts',
  'eventTypes',
];
const EXPORTER_FIELDS = ['target', 'allowList', 'denyList', 'fieldMask', 'name'];
/** Top-level `flow.Flow` fields per line (api/v1/flow/flow.proto of each line). */
const FLOW_FIELDS_1_16 = [
  'time',
  'uuid',
  'verdict',
  'auth_type',
  'ethernet',
  'IP',
  'l4',
  'source',
  'destination',
  'Type',
  'node_name',
  'node_labels',
  'source_names',
  'destination_names',
  'l7',
  'event_type',
  'source_service',
  'destination_service',
  'traffic_direction',
  'policy_match_type',
  'trace_observation_point',
  'trace_reason',
  'drop_reason_desc',
  'is_reply',
  'debug_capture_point',
  'interface',
  'proxy_port',
  'trace_context',
  'sock_xlate_point',
  'socket_cookie',
  'cgroup_id',
  'extensions',
  'egress_allowed_by',
  'ingress_allowed_by',
  'egress_denied_by',
  'ingress_denied_by',
];
const FLOW_FIELDS_ADDED: ReadonlyArray<[number, string[]]> = [
  [17, ['file']],
  [18, ['tunnel', 'policy_log']],
  [19, ['emitter', 'ip_trace_id', 'aggregate']],
];
const ENDPOINT_FIELDS = ['ID', 'identity', 'cluster_name', 'namespace', 'labels', 'pod_name', 'workloads'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const POD_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9.-]*$/;
/** The first line whose chart has per-exporter and `static.*` rotation keys, and `fileCompress`. */
const ROTATION_MOVED_MINOR = 18;

/** The JSON form of a filter, with Hubble's proto field names. */
export type RenderedFlowFilter = { [field: string]: unknown };

/** Renders one filter (pure; path-less `MeshValidationError` on unknown or malformed fields). */
export function renderFlowFilter(filter: FlowFilter, where: string): RenderedFlowFilter {
  const unknown = Object.keys(filter).filter((k) => !FILTER_FIELDS.includes(k));
  if (unknown.length > 0) {
    throw new MeshValidationError(
      `${where}: unknown filter field(s) ${unknown.map((k) => `'${k}'`).join(', ')}; ` +
        `use ${FILTER_FIELDS.join(', ')}`,
    );
  }
  const out: RenderedFlowFilter = {};
  const ns = (list: string[] | undefined, what: string) =>
    (list ?? []).map((n) => {
      if (!DNS_LABEL.test(n)) {
        throw new MeshValidationError(`${where}: ${what} entry '${n}' is not a namespace name; pass e.g. 'shop'`);
      }
      return `${n}/`;
    });
  const pods = (list: string[] | undefined, what: string) =>
    (list ?? []).map((p) => {
      if (!POD_PREFIX.test(p)) {
        throw new MeshValidationError(
          `${where}: ${what} entry '${p}' must be 'namespace/pod-name-prefix', e.g. 'shop/api-'`,
        );
      }
      return p;
    });
  const source = [...ns(filter.sourceNamespaces, 'sourceNamespaces'), ...pods(filter.sourcePods, 'sourcePods')];
  const destination = [
    ...ns(filter.destinationNamespaces, 'destinationNamespaces'),
    ...pods(filter.destinationPods, 'destinationPods'),
  ];
  if (source.length > 0) out.source_pod = [...new Set(source)].sort();
  if (destination.length > 0) out.destination_pod = [...new Set(destination)].sort();
  if (filter.verdicts && filter.verdicts.length > 0) {
    for (const v of filter.verdicts) {
      if (!Object.values(FlowVerdict).includes(v)) {
        throw new MeshValidationError(
          `${where}: verdict '${String(v)}' is unknown; use FlowVerdict.${Object.keys(FlowVerdict).join(', FlowVerdict.')}`,
        );
      }
    }
    out.verdict = [...new Set(filter.verdicts)].sort();
  }
  if (filter.eventTypes && filter.eventTypes.length > 0) {
    if (filter.eventTypes.some((e) => !(e instanceof FlowEventType))) {
      throw new MeshValidationError(
        `${where}: eventTypes entries must be FlowEventType constants (e.g. FlowEventType.DROP)`,
      );
    }
    out.event_type = [...new Set(filter.eventTypes.map((e) => e.type))].sort((a, b) => a - b).map((type) => ({ type }));
  }
  if (Object.keys(out).length === 0) {
    throw new MeshValidationError(
      `${where}: a filter without fields matches every flow; set at least one of ${FILTER_FIELDS.join(', ')}`,
    );
  }
  return out;
}

function checkFieldMask(mask: string[] | undefined, version: CiliumVersion, where: string): string[] {
  const fields = new Set([
    ...FLOW_FIELDS_1_16,
    ...FLOW_FIELDS_ADDED.filter(([m]) => version.isAtLeast(m)).flatMap(([, f]) => f),
  ]);
  for (const path of mask ?? []) {
    const [first, second] = path.split('.');
    if (!fields.has(first)) {
      const later = FLOW_FIELDS_ADDED.find(([, f]) => f.includes(first));
      throw new MeshValidationError(
        `${where}: fieldMask entry '${path}' is not a field of flow.Flow on Cilium ${version.line}` +
          (later ? ` (added in 1.${later[0]})` : '') +
          '; use proto names such as time, verdict, source.namespace, l4',
      );
    }
    if ((first === 'source' || first === 'destination') && second !== undefined && !ENDPOINT_FIELDS.includes(second)) {
      throw new MeshValidationError(
        `${where}: fieldMask entry '${path}': '${second}' is not a field of flow.Endpoint; use ` +
          ENDPOINT_FIELDS.join(', '),
      );
    }
  }
  return [...(mask ?? [])];
}

function rotationValues(
  target: FlowExportTarget,
  version: CiliumVersion,
  where: string,
  perExporterAllowed: boolean,
): { [key: string]: unknown } {
  const r = target.rotation;
  if (!r) return {};
  if (target.filePath === 'stdout') {
    throw new MeshValidationError(
      `${where}: rotation is set for stdout; remove it or export to FlowExportTarget.file(...)`,
    );
  }
  const out: { [key: string]: unknown } = {};
  if (r.maxSize !== undefined) {
    const mb = r.maxSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(mb) || mb < 1) {
      throw new MeshValidationError(
        `${where}: maxSize must be a whole number of MiB, at least 1, got ${mb} MiB; pass e.g. Size.mebibytes(50)`,
      );
    }
    out.fileMaxSizeMb = mb;
  }
  if (r.maxBackups !== undefined) {
    if (!Number.isInteger(r.maxBackups) || r.maxBackups < 1) {
      throw new MeshValidationError(`${where}: maxBackups must be an integer >= 1, got ${r.maxBackups}`);
    }
    out.fileMaxBackups = r.maxBackups;
  }
  if (r.compress !== undefined) {
    if (!version.isAtLeast(ROTATION_MOVED_MINOR)) {
      throw new MeshValidationError(
        `${where}: compress needs Cilium 1.18 (hubble.export.*.fileCompress), got ${version.line}; ` +
          'remove compress or use CiliumVersion.V1_18 or later',
      );
    }
    out.fileCompress = r.compress;
  }
  if (!perExporterAllowed && Object.keys(out).length > 0) {
    throw new MeshValidationError(
      `${where}: per-exporter rotation needs Cilium 1.18 (earlier charts rotate only the static ` +
        `exporter, through hubble.export.fileMaxSizeMb/fileMaxBackups), got ${version.line}; remove rotation from dynamic exporters`,
    );
  }
  return out;
}

function checkKeys(o: object, where: string, allowed: string[]): void {
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new MeshValidationError(
      `${where}: unknown field(s) ${unknown.map((k) => `'${k}'`).join(', ')}; use ${allowed.join(', ')}`,
    );
  }
}

/**
 * Renders `hubble.export` for `version` (pure; path-less `MeshValidationError`s). Static filters become the JSON
 * strings of `allowList`/`denyList`; dynamic ones the objects of `includeFilters`/`excludeFilters`. Rotation of the
 * static exporter goes to `hubble.export.fileMaxSizeMb/fileMaxBackups` on 1.16-1.17 and to `hubble.export.static.*`
 * from 1.18, where dynamic exporters get their own rotation keys.
 */
export function renderFlowExport(options: FlowExportOptions, version: CiliumVersion): { [key: string]: unknown } {
  checkKeys(options, 'hubble.export', ['static', 'dynamic']);
  const out: { [key: string]: unknown } = {};
  const moved = version.isAtLeast(ROTATION_MOVED_MINOR);
  if (options.static) {
    const s = options.static;
    const where = 'hubble.export.static';
    checkKeys(
      s,
      where,
      EXPORTER_FIELDS.filter((k) => k !== 'name'),
    );
    const rotation = rotationValues(s.target, version, where, true);
    out.static = {
      enabled: true,
      filePath: s.target.filePath,
      ...(s.fieldMask ? { fieldMask: checkFieldMask(s.fieldMask, version, where) } : {}),
      ...(s.allowList
        ? { allowList: s.allowList.map((f, i) => JSON.stringify(renderFlowFilter(f, `${where}.allowList[${i}]`))) }
        : {}),
      ...(s.denyList
        ? { denyList: s.denyList.map((f, i) => JSON.stringify(renderFlowFilter(f, `${where}.denyList[${i}]`))) }
        : {}),
      ...(moved ? rotation : {}),
    };
    if (!moved) Object.assign(out, rotation);
  }
  if (options.dynamic) {
    const names = new Set<string>();
    const paths = new Set<string>();
    const content = options.dynamic.map((d, i) => {
      const where = `hubble.export.dynamic[${i}]`;
      checkKeys(d, where, EXPORTER_FIELDS);
      if (!DNS_LABEL.test(d.name ?? '') || names.has(d.name)) {
        throw new MeshValidationError(
          `${where}: name '${d.name}' must be a unique lower-case name (letters, digits, '-')`,
        );
      }
      names.add(d.name);
      if (paths.has(d.target.filePath)) {
        // The agent refuses the whole configuration on a duplicate path, stdout included (pkg/hubble/exporter).
        throw new MeshValidationError(
          `${where}: '${d.target.filePath}' is already the target of another dynamic exporter, ` +
            'which the agent refuses; give each dynamic exporter its own file (at most one stdout)',
        );
      }
      paths.add(d.target.filePath);
      return {
        name: d.name,
        filePath: d.target.filePath,
        fieldMask: checkFieldMask(d.fieldMask, version, where),
        includeFilters: (d.allowList ?? []).map((f, j) => renderFlowFilter(f, `${where}.allowList[${j}]`)),
        excludeFilters: (d.denyList ?? []).map((f, j) => renderFlowFilter(f, `${where}.denyList[${j}]`)),
        ...rotationValues(d.target, version, where, moved),
      };
    });
    if (content.length === 0) {
      throw new MeshValidationError('hubble.export.dynamic is empty; add an exporter or remove dynamic');
    }
    out.dynamic = { enabled: true, config: { content } };
  }
  return out;
}
