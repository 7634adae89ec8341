/**
 * What the delivery layer asks of a chart beyond its objects, so that it knows no mesh. Any cdk8s `Chart` is
 * deliverable; a chart may also
 * - compute warnings over its own delivered objects (checks that need every object, e.g. `ServiceMesh`'s routes
 *   against its policies), which `MeshDelivery` re-emits as CDK warnings with the chart's own warnings;
 * - add to its review files (`MeshReviewFiles`): header lines and more files, e.g. `ServiceMesh`'s Cilium install
 *   and Mermaid diagram.
 * `ServiceMesh` implements both hooks.
 */
import type { Chart } from 'cdk8s';
import type { DeliveredObject } from './plan';
import type { ReviewHeaderLine } from './review-manifest';
import type { ConstructWalk } from '../private/construct-walk';

/**
 * A chart that reads its objects from the construct walk a delivery makes for its materialization (`ServiceMesh`
 * does), so that the walk is shared with the delivery's other readers instead of walking the tree once more.
 */
export interface WalkedChart extends Chart {
  /** Its `toJson()`, with the constructs read from `walk`. */
  _deliveryObjects(walk: ConstructWalk): unknown[];
}

/** Whether `chart` reads its objects from a delivery's construct walk. */
export function isWalkedChart(chart: Chart): chart is WalkedChart {
  return typeof (chart as Partial<WalkedChart>)._deliveryObjects === 'function';
}

/** One warning a chart computes over its delivered objects. */
export interface DeliveryWarning {
  /** The warning id, e.g. `cdk-cilium-mesh:envoySourceIdentity` (what `Annotations.acknowledgeWarning` takes). */
  readonly id: string;
  /** Path of the construct the warning is about. */
  readonly path: string;
  /** The warning text, without its id. */
  readonly message: string;
}

/** A chart that checks its own delivered objects (`ServiceMesh` does). */
export interface DeliveryCheckedChart extends Chart {
  /**
   * Warnings over `objects` (the chart's `toJson()` as delivered); the chart's constructs, if it reads them, from
   * `walk` (the delivery's, when it has one).
   */
  _deliveryWarnings(objects: readonly DeliveredObject[], walk?: ConstructWalk): DeliveryWarning[];
}

/** Whether `chart` computes warnings over its delivered objects. */
export function isDeliveryCheckedChart(chart: Chart): chart is DeliveryCheckedChart {
  return typeof (chart as Partial<DeliveryCheckedChart>)._deliveryWarnings === 'function';
}

/** Where a chart's review files go: what their headers name. */
export interface ReviewPlace {
  /** The stack that delivers the chart, e.g. `App/Shop (Shop)`. */
  readonly stack: string;
  /** The chart's path. */
  readonly mesh: string;
}

/** What a chart adds to its review files. */
export interface DeliveryReview {
  /** Header lines of the YAML file after the stack and the chart. */
  readonly headerLines: readonly ReviewHeaderLine[];
  /** More files: `<stack artifact id>.<chart id>.mesh.<extension>` with this content. */
  readonly files: readonly { readonly extension: string; readonly content: string }[];
}

/** A chart that adds to its review files (`ServiceMesh` does). */
export interface ReviewedChart extends Chart {
  /**
   * Its additions for `objects` (the chart's `toJson()` as delivered), written to the review files at `place`; the
   * chart's constructs, if it reads them, from `walk` (the delivery's, when the objects are the delivered ones).
   */
  _deliveryReview(objects: readonly DeliveredObject[], place: ReviewPlace, walk?: ConstructWalk): DeliveryReview;
}

/** Whether `chart` adds to its review files. */
export function isReviewedChart(chart: Chart): chart is ReviewedChart {
  return typeof (chart as Partial<ReviewedChart>)._deliveryReview === 'function';
}
