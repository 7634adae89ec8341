import * as fs from 'fs';
import * as path from 'path';
import { Aspects, Stack, Stage } from 'aws-cdk-lib';
import type { Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { MeshValidationError } from '../../private/errors';
import { ServiceMesh } from '../service-mesh';
import { meshDiagramInput, renderMeshDiagram } from './diagram';
import { describeCiliumProfile, renderReviewManifest } from './manifest';

const REVIEW_FILES = Symbol.for('cdk-cilium-mesh.MeshReviewFiles');
/** Context key that turns the files off (`cdk synth -c cdk-cilium-mesh:reviewFiles=false`), e.g. for very large meshes. */
export const REVIEW_FILES_CONTEXT = 'cdk-cilium-mesh:reviewFiles';
/** Mermaid's default `maxTextSize`: larger diagrams are not rendered (GitHub uses the default). */
const MERMAID_MAX_TEXT = 50_000;

/** Properties of `MeshReviewFiles`. */
export interface MeshReviewFilesProps {
  /** The charts delivered next to this construct (typically one `ServiceMesh`). Read at synthesis. */
  readonly charts: Chart[];
}

/** One review file: its name in the cloud assembly directory and its text. */
export interface MeshReviewFile {
  readonly fileName: string;
  readonly content: string;
}

/**
 * Writes what a pull-request reviewer reads next to the stack's template at `cdk synth`, per delivered chart:
 * `<stack artifact id>.<chart id>.mesh.yaml` (the objects, sorted, with a header naming the stack, the mesh and
 * the Cilium install) and, for a `ServiceMesh`, `<stack artifact id>.<chart id>.mesh.md` (its Mermaid diagram,
 * which GitHub renders). Byte-stable: the same mesh always gives the same files. `MeshDelivery` adds one; the
 * jest snapshot serializer (`cdk-cilium-mesh/jest-serializer`) appends the same YAML to a stack's snapshot.
 */
export class MeshReviewFiles extends Construct {
  /** True if `x` is a MeshReviewFiles (works across copies of this library). */
  public static isMeshReviewFiles(x: unknown): x is MeshReviewFiles {
    return typeof x === 'object' && x !== null && REVIEW_FILES in x;
  }

  /** The review files of every delivery in `scope` (e.g. a stack), sorted by file name. */
  public static filesOf(scope: IConstruct): MeshReviewFile[] {
    const files = scope.node
      .findAll()
      .filter(MeshReviewFiles.isMeshReviewFiles)
      .flatMap((r) => r.files());
    return [...new Map(files.map((f) => [f.fileName, f])).values()].sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
  }

  private readonly charts: readonly Chart[];

  constructor(scope: Construct, id: string, props: MeshReviewFilesProps) {
    super(scope, id);
    Object.defineProperty(this, REVIEW_FILES, { value: true });
    this.charts = [...props.charts];
    // Written while aspects run, as cdk-nag writes its reports: public API only, and the charts are complete by
    // then (MeshDelivery reads them in its own aspect). Stage.outdir is the assembly directory of the stage.
    Aspects.of(this).add({
      visit: (node: IConstruct) => {
        if (node === this) this.write();
      },
    });
  }

  private write(): void {
    const outdir = Stage.of(this)?.outdir;
    const enabled = this.node.tryGetContext(REVIEW_FILES_CONTEXT);
    if (outdir === undefined || enabled === false || enabled === 'false') {
      return;
    }
    const others = Stack.of(this)
      .node.findAll()
      .filter((c) => c !== this && MeshReviewFiles.isMeshReviewFiles(c)) as MeshReviewFiles[];
    const taken = new Map(others.flatMap((o) => o.files()).map((f) => [f.fileName, f.content]));
    fs.mkdirSync(outdir, { recursive: true });
    for (const f of this.files()) {
      if (taken.has(f.fileName) && taken.get(f.fileName) !== f.content) {
        throw new MeshValidationError(
          `two deliveries in this stack write different meshes to ${f.fileName}; give the charts distinct ids`,
          this,
        );
      }
      // Overwrites what an earlier synth left in the directory (cdk.out is reused).
      fs.writeFileSync(path.join(outdir, f.fileName), f.content);
    }
  }

  /** The files this construct writes. */
  public files(): MeshReviewFile[] {
    const stack = Stack.of(this);
    return this.charts.flatMap((chart) => {
      const base = `${stack.artifactId}.${chart.node.id}.mesh`;
      const cilium = ServiceMesh.isServiceMesh(chart) ? chart.cilium : undefined;
      const stackName =
        stack.node.path === stack.stackName ? stack.stackName : `${stack.node.path} (${stack.stackName})`;
      const header = { stack: stackName, mesh: chart.node.path || chart.node.id, cilium };
      const objects = chart.toJson();
      const out: MeshReviewFile[] = [{ fileName: `${base}.yaml`, content: renderReviewManifest(objects, header) }];
      if (ServiceMesh.isServiceMesh(chart)) {
        const diagram = renderMeshDiagram(meshDiagramInput(chart, objects)).trimEnd();
        const md = [
          `# Mesh ${header.mesh}`,
          '',
          `Stack ${header.stack}, ${cilium ? describeCiliumProfile(cilium) : ''}. Generated by cdk-cilium-mesh at synth; do not edit.`,
          '',
          ...(diagram.length > MERMAID_MAX_TEXT
            ? [
                `The diagram has ${diagram.length} characters, more than Mermaid renders by default (maxTextSize ${MERMAID_MAX_TEXT}); ` +
                  'GitHub shows it as text. Render it with a larger maxTextSize, or review the YAML.',
                '',
              ]
            : []),
          '```mermaid',
          diagram,
          '```',
          '',
        ];
        out.push({ fileName: `${base}.md`, content: md.join('\n') });
      }
      return out;
    });
  }
}
