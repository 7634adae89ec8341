import * as fs from 'fs';
import * as path from 'path';
import { Aspects, Stack, Stage } from 'aws-cdk-lib';
import type { Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { isReviewedChart } from './deliverable';
import type { DeliveredObject } from './plan';
import { renderReviewManifest, sortForReview } from './review-manifest';
import type { ConstructWalk } from '../private/construct-walk';
import { MeshValidationError } from '../private/errors';

const REVIEW_FILES = Symbol.for('cdk-cilium-mesh.MeshReviewFiles');
/** Context key that turns the files off (`cdk synth -c cdk-cilium-mesh:reviewFiles=false`), e.g. for very large meshes. */
export const REVIEW_FILES_CONTEXT = 'cdk-cilium-mesh:reviewFiles';

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
 * `<stack artifact id>.<chart id>.mesh.yaml` (the objects, sorted, with a header naming the stack and the chart)
 * and whatever the chart adds: a `ServiceMesh` names its Cilium install in the header and adds
 * `<stack artifact id>.<chart id>.mesh.md` (its Mermaid diagram, which GitHub renders). Byte-stable: the same mesh
 * always gives the same files. `MeshDelivery` adds one; the jest snapshot serializer
 * (`cdk-cilium-mesh/jest-serializer`) appends the same YAML to a stack's snapshot.
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
  /**
   * The charts' objects as delivered, once `MeshDelivery` has read them, with the construct walk they were read from
   * (until the files are made), and the files made from them.
   */
  private delivered?: {
    readonly perChart: readonly (readonly DeliveredObject[])[];
    walk?: ConstructWalk;
    files?: MeshReviewFile[];
  };

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

  /**
   * The charts' objects as `MeshDelivery` delivers them (one array per chart, in the order of `charts`), so that
   * the files are made from the same objects, without a second `toJson()`, and the walk of the charts' constructs they
   * were read from, so that a chart's additions (a mesh's diagram) read the same constructs without another walk.
   * The charts are complete by then.
   * @internal
   */
  public _useDelivered(perChart: readonly (readonly DeliveredObject[])[], walk: ConstructWalk): void {
    this.delivered = { perChart, walk };
  }

  /** The files this construct writes. */
  public files(): MeshReviewFile[] {
    if (this.delivered?.files) {
      return this.delivered.files;
    }
    const stack = Stack.of(this);
    const stackName = stack.node.path === stack.stackName ? stack.stackName : `${stack.node.path} (${stack.stackName})`;
    const files = this.charts.flatMap((chart, i) => {
      const base = `${stack.artifactId}.${chart.node.id}.mesh`;
      const place = { stack: stackName, mesh: chart.node.path || chart.node.id };
      // Sorted once for the YAML and the chart's own files (the diagram draws in the same order; delivered objects have
      // sorted keys already, so sorting them shares them).
      const objects = sortForReview(this.delivered?.perChart[i] ?? chart.toJson()) as DeliveredObject[];
      const review = isReviewedChart(chart) ? chart._deliveryReview(objects, place, this.delivered?.walk) : undefined;
      const yaml = renderReviewManifest(objects, { ...place, lines: [...(review?.headerLines ?? [])] });
      return [
        { fileName: `${base}.yaml`, content: yaml },
        ...(review?.files ?? []).map((f) => ({ fileName: `${base}.${f.extension}`, content: f.content })),
      ];
    });
    if (this.delivered) {
      // the objects are final once delivered: the files are made once (the aspect and the snapshot serializer ask),
      // and the walk is not needed any more
      this.delivered.files = files;
      this.delivered.walk = undefined;
    }
    return files;
  }
}
