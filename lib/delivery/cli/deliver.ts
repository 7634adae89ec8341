import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DELIVERY_RESOURCE_TYPE } from '../provider';

/**
 * `cdk-cilium-mesh deliver <cdk.out> [--kubeconfig F] [--context C] [--stack S] [--dry-run]`: applies the meshes
 * of a synthesized app to the cluster of a kubeconfig with the handler's engine (lib/delivery/handler), run
 * locally with python3; the batches are read from the cloud assembly instead of S3. Each mesh is one ApplySet,
 * named after the stack (environment and name) and the custom resource's logical id.
 */

/** Counts of one delivery, as the engine reports them. */
export interface DeliveryCounts {
  readonly Created: number;
  readonly Updated: number;
  readonly Pruned: number;
  readonly Unchanged: number;
  readonly DriftCorrected: number;
  readonly Adopted: number;
  /** Object names per action (dry run only). */
  readonly Names?: Record<string, string[]>;
}

/** Options of `deliver`. */
export interface DeliverOptions {
  /** The cloud assembly directory (`cdk.out`). */
  readonly assembly: string;
  /** @default - kubectl's default (KUBECONFIG or ~/.kube/config) */
  readonly kubeconfig?: string;
  /** @default - the kubeconfig's current context */
  readonly context?: string;
  /** Only the stack with this artifact id or stack name. @default - every stack */
  readonly stack?: string;
  /** Print the plan, change nothing. @default false */
  readonly dryRun?: boolean;
  /** The kubectl binary. @default 'kubectl' (from PATH) */
  readonly kubectl?: string;
  /** Seconds to wait for kinds not served yet. @default 0 */
  readonly waitSeconds?: number;
  /** Seconds for the whole delivery of one mesh. @default 840 */
  readonly timeoutSeconds?: number;
  /** The python3 binary. @default 'python3' */
  readonly python?: string;
}

/** One mesh found in the assembly. */
export interface AssemblyMesh {
  readonly stackName: string;
  readonly environment: string;
  readonly logicalId: string;
  readonly path: string;
  readonly properties: Record<string, unknown>;
  /** S3 object key → local file of each batch. */
  readonly assets: Record<string, string>;
}

/** A failure with a one-line message for the user. */
export class DeliverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliverError';
    Object.setPrototypeOf(this, DeliverError.prototype);
  }
}

function readJson(file: string, what: string): Record<string, any> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DeliverError(`${what} ${file} cannot be read (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The meshes (delivery custom resources) of the stacks of a cloud assembly. */
export function findMeshes(assembly: string, stack?: string): AssemblyMesh[] {
  const manifestFile = path.join(assembly, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new DeliverError(
      `${assembly} is not a cloud assembly (no manifest.json); run cdk synth and pass its output directory`,
    );
  }
  const artifacts: Record<string, any> = readJson(manifestFile, 'cloud assembly manifest').artifacts ?? {};
  const stacks = Object.entries(artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const chosen =
    stack === undefined ? stacks : stacks.filter(([id, a]) => id === stack || a.properties?.stackName === stack);
  if (stack !== undefined && chosen.length === 0) {
    throw new DeliverError(
      `no stack ${stack} in ${assembly}; stacks: ${stacks.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  const meshes: AssemblyMesh[] = [];
  for (const [id, artifact] of chosen) {
    const template = readJson(path.join(assembly, artifact.properties.templateFile), 'template');
    const assets: Record<string, string> = {};
    for (const dep of artifact.dependencies ?? []) {
      const a = artifacts[dep];
      if (a?.type !== 'cdk:asset-manifest') continue;
      const files: Record<string, any> = readJson(path.join(assembly, a.properties.file), 'asset manifest').files ?? {};
      for (const f of Object.values(files)) {
        for (const d of Object.values<any>(f.destinations ?? {})) {
          assets[d.objectKey] = path.resolve(assembly, f.source.path);
        }
      }
    }
    for (const [logicalId, r] of Object.entries<any>(template.Resources ?? {})) {
      if (r.Type !== DELIVERY_RESOURCE_TYPE || r.Properties?.Engine !== 'applyset/v1') continue;
      meshes.push({
        stackName: artifact.properties.stackName ?? id,
        environment: artifact.environment ?? 'aws://unknown-account/unknown-region',
        logicalId,
        path: String(r.Properties.Path),
        properties: r.Properties,
        assets,
      });
    }
  }
  if (meshes.length === 0) {
    throw new DeliverError(
      `no meshes in ${assembly}${stack ? ` (stack ${stack})` : ''}: no stack delivers a mesh; ` +
        'deliver one with cilium.addMesh(mesh) or new MeshDelivery(...) and synthesize again',
    );
  }
  return meshes;
}

function handlerScript(): string {
  const candidates = [
    path.join(__dirname, '..', 'handler', 'index.py'),
    path.join(__dirname, '..', '..', '..', '..', 'lib', 'delivery', 'handler', 'index.py'),
  ];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

/** A request to the engine: a CloudFormation-shaped event (`RequestType` Create, Update or Delete). */
export interface EngineRequest {
  readonly event: Record<string, unknown>;
  readonly assets: Record<string, string>;
}

/**
 * Runs the engine (handler/index.py) once with python3; returns the handler's response `Data` or throws a
 * `DeliverError` with the engine's one-line message. `deliverMesh` uses it; so do the live tests for the requests
 * only CloudFormation sends (Update with old properties, Delete).
 */
export function runEngine(
  request: EngineRequest,
  o: Omit<DeliverOptions, 'assembly'>,
  label = '',
): Record<string, unknown> {
  const input = {
    Event: request.event,
    Assets: request.assets,
    Kubeconfig: o.kubeconfig,
    Context: o.context,
    Kubectl: o.kubectl ?? 'kubectl',
    WaitSeconds: o.waitSeconds ?? 0,
    TimeoutSeconds: o.timeoutSeconds ?? 840,
  };
  const r = spawnSync(o.python ?? 'python3', [handlerScript()], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) {
    throw new DeliverError(`cannot run ${o.python ?? 'python3'}: ${r.error.message}`);
  }
  const prefix = label ? `${label}: ` : '';
  let out: any;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new DeliverError(`${prefix}the engine failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  }
  if (out.Error) {
    throw new DeliverError(`${prefix}${out.Error}`);
  }
  return out.Data;
}

/** The engine event that delivers `mesh` (what CloudFormation would send, with the cloud assembly's identity). */
export function meshEvent(mesh: AssemblyMesh, requestType: 'Create' | 'Update' | 'Delete' = 'Create', dryRun = false) {
  const sources = (mesh.properties.Sources ?? []) as Record<string, unknown>[];
  return {
    RequestType: requestType,
    DryRun: dryRun,
    StackId: `local:${mesh.environment}/${mesh.stackName}`,
    LogicalResourceId: mesh.logicalId,
    ResourceProperties: {
      ...mesh.properties,
      Bucket: 'cloud-assembly',
      Sources: sources.map((s) => ({ Key: s.Key, Sha256: s.Sha256 })),
    },
  };
}

/** Delivers one mesh with the engine; throws a `DeliverError` with the engine's one-line message. */
export function deliverMesh(mesh: AssemblyMesh, o: DeliverOptions): DeliveryCounts {
  const sources = (mesh.properties.Sources ?? []) as Record<string, unknown>[];
  for (const s of sources) {
    if (typeof s.Key !== 'string' || !(s.Key in mesh.assets)) {
      throw new DeliverError(`${mesh.path}: batch ${JSON.stringify(s.Key)} is not in the assembly; synthesize again`);
    }
  }
  return runEngine(
    { event: meshEvent(mesh, 'Create', o.dryRun === true), assets: mesh.assets },
    o,
    mesh.path,
  ) as unknown as DeliveryCounts;
}

/** The summary line. */
export function summaryLine(c: Omit<DeliveryCounts, 'Adopted' | 'Names'>): string {
  return `deliver: ${c.Created} created, ${c.Updated} updated, ${c.Pruned} pruned, ${c.Unchanged} unchanged, ${c.DriftCorrected} drift corrected`;
}

/** Delivers every mesh of the assembly in order; returns the summed counts. */
export function deliver(o: DeliverOptions, log: (line: string) => void = () => undefined): DeliveryCounts {
  if (o.kubeconfig !== undefined && !fs.existsSync(o.kubeconfig)) {
    throw new DeliverError(`kubeconfig ${o.kubeconfig} does not exist; pass the file of the cluster to deliver to`);
  }
  const total = { Created: 0, Updated: 0, Pruned: 0, Unchanged: 0, DriftCorrected: 0, Adopted: 0 };
  for (const mesh of findMeshes(o.assembly, o.stack)) {
    const c = deliverMesh(mesh, o);
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += c[k];
    log(
      `${mesh.path}: ${c.Created} created, ${c.Updated} updated, ${c.Pruned} pruned, ` +
        `${c.Unchanged} unchanged, ${c.DriftCorrected} drift corrected${c.Adopted ? `, ${c.Adopted} adopted` : ''}`,
    );
    for (const [action, names] of Object.entries(c.Names ?? {})) {
      if (action !== 'Unchanged') for (const n of names) log(`  ${action.toLowerCase()} ${n}`);
    }
  }
  return total;
}

const USAGE =
  'usage: cdk-cilium-mesh deliver <cdk.out dir> [--kubeconfig FILE] [--context NAME] [--stack NAME] [--dry-run] [--kubectl PATH]';

/** The command line; returns the exit code. */
export function main(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  const [command, ...rest] = argv;
  if (command !== 'deliver') {
    err(command === undefined || command === '--help' ? USAGE : `unknown command ${command}; ${USAGE}`);
    return command === '--help' ? 0 : 2;
  }
  const o: { -readonly [K in keyof DeliverOptions]?: DeliverOptions[K] } = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new DeliverError(`${a} needs a value; ${USAGE}`);
      return v;
    };
    try {
      if (a === '--dry-run') o.dryRun = true;
      else if (a === '--kubeconfig') o.kubeconfig = value();
      else if (a === '--context') o.context = value();
      else if (a === '--stack') o.stack = value();
      else if (a === '--kubectl') o.kubectl = value();
      else if (a.startsWith('--')) throw new DeliverError(`unknown option ${a}; ${USAGE}`);
      else positional.push(a);
    } catch (e) {
      err(`deliver: error: ${(e as Error).message}`);
      return 2;
    }
  }
  if (positional.length !== 1) {
    err(`deliver: error: pass one cdk.out directory; ${USAGE}`);
    return 2;
  }
  try {
    if (o.dryRun) out('dry run: nothing is changed');
    const total = deliver({ ...o, assembly: positional[0] }, out);
    out(summaryLine(total));
    return 0;
  } catch (e) {
    if (e instanceof DeliverError) {
      err(`deliver: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
