/**
 * The live-cluster suite's plumbing: a fresh kube-apiserver per deployment (scripts/kube/start.sh), the upstream
 * Cilium chart of a release from the Go module proxy, and the driver that deploys a synthesized stack to the
 * server with the library's own delivery handler (test/live/drive_stack.py).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
const SHARED = process.env.SHARED_DIR ?? path.resolve(ROOT, '..', 'shared');

/** kubectl and helm of the Lambda layer (scripts/kube/tools.sh). */
export const TOOLS =
  process.env.KUBE_TOOLS_DIR ??
  execFileSync('bash', [path.join(ROOT, 'scripts/kube/tools.sh')], { encoding: 'utf8' }).trim();
export const KUBECTL = path.join(TOOLS, 'kubectl', 'kubectl');
export const HELM = path.join(TOOLS, 'helm', 'helm');

/** A running kube-apiserver + etcd in its own state directory. */
export interface LiveServer {
  readonly state: string;
  readonly kubeconfig: string;
  kubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string };
  stop(): void;
}

export function startServer(name: string): LiveServer {
  // Under KUBE_RUN_DIR when the suite runner sets it: it stops every server there on exit, even if jest is killed.
  const parent = process.env.KUBE_RUN_DIR ?? os.tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  let state = fs.mkdtempSync(path.join(parent, `kube-${name}-`));
  try {
    execFileSync('bash', [path.join(ROOT, 'scripts/kube/start.sh'), state], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // start.sh picks free ports by binding port 0 and releasing it; with two test files starting servers at once,
    // another server can take one of them before etcd or the API server binds it. Once more, on new ports.
    execFileSync('bash', [path.join(ROOT, 'scripts/kube/stop.sh'), state]);
    state = fs.mkdtempSync(path.join(parent, `kube-${name}-`));
    execFileSync('bash', [path.join(ROOT, 'scripts/kube/start.sh'), state], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const kubeconfig = path.join(state, 'kubeconfig');
  return {
    state,
    kubeconfig,
    kubectl(args, input) {
      const r = spawnSync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
        encoding: 'utf8',
        input,
        maxBuffer: 1 << 28,
      });
      return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
    stop() {
      execFileSync('bash', [path.join(ROOT, 'scripts/kube/stop.sh'), state]);
    },
  };
}

/**
 * Patches the Go module proxy serves in place of a pinned patch it refuses here (403 "not available"); the
 * chart's values keys do not change within a line. Reported by every test that uses a stand-in.
 */
const SERVED_STAND_INS: Record<string, string> = { '1.17.18': '1.17.16', '1.18.14': '1.18.11', '1.19.8': '1.19.7' };

/** A Cilium release's chart and CRDs, from the `github.com/cilium/cilium` module (install/kubernetes/cilium). */
export interface LocalChart {
  /** The version asked for. */
  readonly requested: string;
  /** The version whose chart is used (a stand-in when the proxy does not serve the requested one). */
  readonly version: string;
  readonly chart: string;
  /** CRD directories of the release (what the operator registers at run time). */
  readonly crds: string[];
}

const charts = new Map<string, LocalChart>();

export function ciliumChart(requested: string): LocalChart {
  const cached = charts.get(requested);
  if (cached) return cached;
  const download = (v: string) =>
    spawnSync('go', ['mod', 'download', '-json', `github.com/cilium/cilium@v${v}`], {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      cwd: os.tmpdir(),
      maxBuffer: 1 << 24,
    });
  let version = requested;
  let r = download(version);
  if (r.status !== 0 && SERVED_STAND_INS[requested]) {
    version = SERVED_STAND_INS[requested];
    r = download(version);
  }
  const info = JSON.parse(r.stdout || '{}') as { Dir?: string; Error?: string };
  if (r.status !== 0 || !info.Dir) {
    throw new Error(`cannot get the Cilium ${requested} chart from the Go module proxy: ${info.Error ?? r.stderr}`);
  }
  const crdRoot = path.join(info.Dir, 'pkg/k8s/apis/cilium.io/client/crds');
  const chart: LocalChart = {
    requested,
    version,
    chart: path.join(info.Dir, 'install/kubernetes/cilium'),
    crds: fs
      .readdirSync(crdRoot)
      .sort()
      .map((d) => path.join(crdRoot, d))
      .filter((d) => fs.statSync(d).isDirectory()),
  };
  charts.set(requested, chart);
  return chart;
}

/** Pinned release URLs and the local files that stand in for them (the handler still checks their sha256). */
export function urlStandIns(): Record<string, string> {
  const out: Record<string, string> = {};
  const gw = path.join(SHARED, 'upstream', 'gateway-api');
  for (const version of fs.readdirSync(gw).filter((v) => /^v\d/.test(v))) {
    for (const file of fs.readdirSync(path.join(gw, version)).filter((f) => f.endsWith('-install.yaml'))) {
      out[`https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/${file}`] = path.join(
        gw,
        version,
        file,
      );
    }
  }
  return out;
}

/** What drive_stack.py reports for one stack. */
export interface DeployReport {
  readonly template: string;
  readonly order: string[];
  readonly objects: number;
  readonly chartInstalls: number;
  readonly readBackDifferences: number;
  readonly error: string | null;
  readonly lateCrdFiles?: number;
  /** Per custom resource: CRD groups and Helm releases that existed when it started. */
  readonly seen?: Record<string, { crdGroups: string[]; releases: string[] }>;
  readonly resources: Array<{
    id: string;
    type: string;
    objects?: number;
    chartVersion?: string;
    version?: string;
    problems: string[];
    result?: Record<string, number>;
  }>;
}

export interface DeployOptions {
  /** Apply the Cilium CRDs this many seconds after the mesh delivery started instead of after the release. */
  readonly lateCiliumCrds?: number;
  /** Seconds the handler waits for missing kinds. */
  readonly waitSeconds?: number;
}

/** Deploys the cluster-facing custom resources of one synthesized template to `server`, in template order. */
export function deployTemplate(
  server: LiveServer,
  assembly: string,
  template: string,
  options: DeployOptions = {},
): DeployReport {
  const t = JSON.parse(fs.readFileSync(template, 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const localCharts: Record<string, LocalChart> = {};
  for (const r of Object.values(t.Resources)) {
    if (r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties?.Chart === 'cilium') {
      const v = String(r.Properties.Version);
      localCharts[`cilium@${v}`] = ciliumChart(v);
    }
  }
  return runDriver(server, {
    assembly,
    template,
    charts: localCharts,
    urls: urlStandIns(),
    lateCiliumCrds: options.lateCiliumCrds,
    waitSeconds: options.waitSeconds,
    // Custom resources that are not deployed to the API server: aws-eks-v2's KubernetesObjectValue (reads a
    // value back after deploy) and aws-cdk-lib's LogRetention (sets a CloudWatch Logs group's retention).
    notClusterFacing: ['Custom::AWSCDK-EKS-KubernetesObjectValue', 'Custom::LogRetention'],
  }) as DeployReport;
}

/**
 * Runs test/live/drive_stack.py against `server` with `config` (plus the root, the server's state directory and
 * the layer's tools) and returns its JSON report; fails with the driver's stderr when it exits non-zero.
 */
export function runDriver(server: LiveServer, config: Record<string, unknown>): unknown {
  const file = path.join(server.state, 'drive.json');
  fs.writeFileSync(file, JSON.stringify({ root: ROOT, state: server.state, tools: TOOLS, ...config }));
  const r = spawnSync('python3', [path.join(__dirname, 'drive_stack.py'), file], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) {
    throw new Error(`drive_stack.py failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

/** Appends one line of counts for the suite's summary (scripts/kube/test-cluster.sh adds them up). */
export function tally(counts: { examples?: number; objects?: number; chartInstalls?: number; failed?: number }): void {
  const file = process.env.CLUSTER_TALLY;
  if (file) fs.appendFileSync(file, JSON.stringify(counts) + '\n');
}

/** Applies a cdk8s app's YAML files as a GitOps tool would, after Gateway API and Cilium CRDs (Cilium installed elsewhere). */
export function deployManifests(
  server: LiveServer,
  files: string[],
  prerequisites: { gatewayApiFiles: string[]; ciliumVersion: string },
): DeployReport {
  return runDriver(server, {
    assembly: '',
    template: '',
    charts: {},
    urls: {},
    manifestFiles: files,
    prerequisiteFiles: prerequisites.gatewayApiFiles,
    ciliumCrds: ciliumChart(prerequisites.ciliumVersion).crds,
  }) as DeployReport;
}

/** The Gateway API release file in ../shared/upstream. */
export function gatewayApiFile(version: string, channel: 'standard' | 'experimental'): string {
  return path.join(SHARED, 'upstream', 'gateway-api', version, `${channel}-install.yaml`);
}

/** The Gateway API CRD files of a release and channel, from the `sigs.k8s.io/gateway-api` module (config/crd). */
export function gatewayApiCrdFiles(version: string, channel: string): string[] {
  const r = spawnSync('go', ['mod', 'download', '-json', `sigs.k8s.io/gateway-api@${version}`], {
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    cwd: os.tmpdir(),
  });
  const info = JSON.parse(r.stdout || '{}') as { Dir?: string; Error?: string };
  if (r.status !== 0 || !info.Dir) {
    throw new Error(`cannot get Gateway API ${version} from the Go module proxy: ${info.Error ?? r.stderr}`);
  }
  const dir = path.join(info.Dir, 'config', 'crd', channel);
  // CRD files only (the directory also holds kustomization.yaml).
  return fs
    .readdirSync(dir)
    .filter((f) => /^gateway\.networking\.(x-)?k8s\.io_.*\.yaml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
