/**
 * What the delivery layer asks of a chart beyond its objects, so that it knows no mesh: a chart may compute
 * warnings over its own delivered objects (checks that need every object, e.g. `ServiceMesh`'s routes against its
 * policies), which `MeshDelivery` re-emits as CDK warnings with the chart's own warnings. Any cdk8s `Chart` is
 * deliverable; `ServiceMesh` is the one that implements the hook.
 */
import type { Chart } from 'cdk8s';
import type { DeliveredObject } from './plan';

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
  /** Warnings over `objects` (the chart's `toJson()` as delivered). */
  _deliveryWarnings(objects: readonly DeliveredObject[]): DeliveryWarning[];
}

/** Whether `chart` computes warnings over its delivered objects. */
export function isDeliveryCheckedChart(chart: Chart): chart is DeliveryCheckedChart {
  return typeof (chart as Partial<DeliveryCheckedChart>)._deliveryWarnings === 'function';
}
