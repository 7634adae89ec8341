import * as fs from 'fs';
import * as path from 'path';
import {
  Annotations,
  Aspects,
  Aws,
  CfnResource,
  CustomResource,
  Duration,
  FileAssetPackaging,
  Lazy,
  Names,
  Stack,
  Stage,
  Token,
  type IAspect,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Chart } from 'cdk8s';
import { Construct, type IConstruct, type IDependable } from 'constructs';
import { isDeliveryCheckedChart, isWalkedChart } from './deliverable';
import { deliveredObjects, type MeshNamespaceOptions } from './namespaces';
import { planFilteredBatches, type BatchPlan, type BatchPlanOptions, type DeliveredObject } from './plan';
import { DELIVERY_RESOURCE_TYPE, DeliveryProvider, type DeliveryProviderOptions } from './provider';
import { MeshReviewFiles } from './review-files';
import { ConstructWalk } from '../private/construct-walk';
import { atScope, MeshValidationError } from '../private/errors';
import { sortedOnce } from '../private/json';

/** `Kind namespace/name (group)` for an `objectIdentity`. */
function describeIdentity(id: string): string {
  const [group, kind, namespace, name] = id.split('/');
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}${group ? ` (${group})` : ''}`;
}

/** Object identities delivered per cluster, with the path of the delivery that applies each. */
const CLAIMED_OBJECTS = new WeakMap<eks.ICluster, Map<string, string>>();

/** Options for delivering charts (`Cilium.addMesh`); `MeshDeliveryProps` adds the cluster and the charts. */
export interface MeshDeliveryOptions extends DeliveryProviderOptions, MeshNamespaceOptions {
  /**
   * Take over objects that already exist in the cluster and are not this delivery's (made by hand, by GitOps,
   * or by another delivery, e.g. before the mesh moved to another construct path or stack). Without it such an
   * object fails the deploy with a message naming it and its current owner or field managers, and nothing is
   * changed. Adopted objects become members: they are updated, pruned and deleted with the mesh. A failed
   * deploy gives them back (drops the member label) but does not restore their previous content.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Re-apply the deployed mesh on a schedule (an EventBridge rule invoking the handler), so that objects deleted or
   * edited by hand are restored even when no deploy changes the mesh: CloudFormation sends nothing for an unchanged
   * custom resource. The handler reads the deployed properties from the stack's template and skips while the stack
   * is being deployed or rolled back.
   * @default true
   */
  readonly reconcile?: boolean;
  /**
   * How often `reconcile` re-applies the mesh.
   * @default Duration.hours(1)
   */
  readonly reconcileEvery?: Duration;
  /**
   * What must exist before the objects are applied, e.g. the Cilium Helm release (the handler also waits up
   * to 10 minutes for the CRDs of the objects' kinds, which Cilium's operator registers after it starts).
   * @default - no extra dependency
   */
  readonly dependsOn?: IDependable[];
  /**
   * How objects are cut into batches.
   * @default - about 64 objects per batch, at most 256 KiB
   */
  readonly batching?: BatchPlanOptions;
}

/** Properties of a `MeshDelivery`. */
export interface MeshDeliveryProps extends MeshDeliveryOptions {
  /** The EKS cluster (aws-eks-v2) to apply the objects to. */
  readonly cluster: eks.ICluster;
  /**
   * The cdk8s charts whose objects are delivered, typically one `ServiceMesh`. Read at synthesis, so objects
   * added after this construct was created are delivered too.
   */
  readonly charts: Chart[];
}

/**
 * Delivers the objects of cdk8s charts to an EKS cluster at any scale, with one custom resource.
 *
 * At synthesis the objects are canonicalized, sorted by identity and cut into content-defined batches
 * (`planBatches`); each batch is an S3 asset named by its sha256, and one custom resource lists the batches.
 * Its handler applies all the objects on every deploy as one kubectl ApplySet (server-side apply, field manager
 * `cdk-cilium-mesh`; parent: a cluster-scoped `MeshDelivery` named after the stack id and logical id), prunes
 * members that are no longer in the mesh, and on stack deletion deletes them all, routes first and namespaces last,
 * waiting for finalizers. An object that exists and is not a member fails the deploy unless `adopt` is set; a failed
 * first deploy removes what it created. Every namespace the objects use is created by the mesh or declared in
 * `existingNamespaces`. See docs/delivery.md for the guarantees. The cluster must accept EKS access entries
 * (authentication mode API or API_AND_CONFIG_MAP, the aws-eks-v2 default): the handler role gets one.
 * Batches are file assets, so use the default (bootstrapped) stack synthesizer: the legacy synthesizer turns
 * every asset into CloudFormation parameters, of which a stack may have 200.
 *
 * Limits (5,000 CiliumNetworkPolicy-sized objects are tested): the template holds ~70 bytes per batch instead
 * of the objects; the stack gets a fixed number of resources (one custom resource, one handler per cluster);
 * the custom-resource request (old and new properties, ~150 bytes per batch each) stays far below the 256 KB
 * asynchronous Lambda invocation payload with which CloudFormation calls the provider.
 */
export class MeshDelivery extends Construct {
  /** The custom resource that applies the objects. */
  public readonly resource: CustomResource;
  /**
   * The owner label value of deliveries made before ApplySets (this construct's address): their objects are
   * taken over as members without `adopt`.
   */
  public readonly owner: string;

  private readonly charts: Chart[];
  private readonly review: MeshReviewFiles;
  private readonly cluster: eks.ICluster;
  private readonly provider: DeliveryProvider;
  private readonly batching: BatchPlanOptions;
  private readonly namespaces: MeshNamespaceOptions;
  private readonly batchSuffix: string;
  private materialized?: { plan: BatchPlan; bucket: string; sources: Record<string, string>[] };

  constructor(scope: Construct, id: string, props: MeshDeliveryProps) {
    super(scope, id);
    if (props.charts.length === 0) {
      throw new MeshValidationError('charts is empty; pass the ServiceMesh (or other cdk8s charts) to deliver', this);
    }
    this.charts = [...props.charts];
    this.review = new MeshReviewFiles(this, 'Review', { charts: this.charts });
    this.batching = props.batching ?? {};
    this.owner = this.node.addr;
    this.cluster = props.cluster;
    this.provider = DeliveryProvider.of(this, props.cluster, props);

    this.namespaces = { existingNamespaces: props.existingNamespaces, createNamespaces: props.createNamespaces };
    this.batchSuffix = `.meshbatch-${this.node.addr.slice(2, 18)}`;

    this.resource = new CustomResource(this, 'Objects', {
      serviceToken: this.provider.serviceToken,
      resourceType: DELIVERY_RESOURCE_TYPE,
      // CloudFormation waits this long for an answer if the provider dies without one (default: one hour).
      serviceTimeout: Duration.minutes(20),
      properties: {
        Engine: 'applyset/v1',
        Path: this.node.path,
        // the owner label of deliveries made before ApplySets: their objects are taken over without `adopt`
        Owner: this.owner,
        Adopt: props.adopt ? 'true' : 'false',
        RetainOnDelete: 'false',
        Bucket: Lazy.string({ produce: () => this.materialize().bucket }),
        Kinds: Lazy.list({ produce: () => this.materialize().plan.kinds }),
        Sources: Lazy.any({ produce: () => this.materialize().sources }),
      },
    });
    this.resource.node.addDependency(this.provider.accessEntry);
    if (props.reconcile ?? true) {
      this.addReconcile(props.reconcileEvery ?? Duration.hours(1));
    }
    for (const d of props.dependsOn ?? []) {
      this.resource.node.addDependency(d);
    }
    const aspect: IAspect = {
      visit: (node: IConstruct) => {
        if (node === this) {
          this.materialize();
        }
      },
    };
    Aspects.of(this).add(aspect);
  }

  /** A scheduled Reconcile of this delivery: the handler re-applies what the deployed template declares. */
  private addReconcile(every: Duration): void {
    const minutes = every.toSeconds() / 60;
    if (!Number.isInteger(minutes) || minutes < 5) {
      throw new MeshValidationError(
        `reconcileEvery must be a whole number of minutes, at least 5, got ${every.toHumanString()}; ` +
          'use e.g. Duration.hours(1)',
        this,
      );
    }
    const logicalId = Stack.of(this).getLogicalId(this.resource.node.defaultChild as CfnResource);
    const rule = new events.Rule(this, 'Reconcile', {
      description: `cdk-cilium-mesh: re-applies ${this.node.path} (drift correction)`,
      schedule: events.Schedule.rate(every),
    });
    rule.addTarget(
      new targets.LambdaFunction(this.provider.handler, {
        event: events.RuleTargetInput.fromObject({
          RequestType: 'Reconcile',
          StackId: Aws.STACK_ID,
          LogicalResourceId: logicalId,
        }),
        retryAttempts: 0,
      }),
    );
    this.provider.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
        resources: [Aws.STACK_ID],
      }),
    );
  }

  /**
   * The batch plan: the one delivered once the app was synthesized; before that, a preview of the objects the
   * charts hold now (reading it does not freeze them).
   */
  public get plan(): BatchPlan {
    return this.materialized?.plan ?? atScope(this, () => planFilteredBatches(this.objects(), this.batching));
  }

  /**
   * The delivered objects: the charts' objects with the namespaces they use accounted for (`meshNamespaces`),
   * cluster-scoped ones without one (`withoutClusterScopedNamespaces`), as `planFilteredBatches` takes them.
   */
  private objects(perChart?: DeliveredObject[][]): DeliveredObject[] {
    const objects = (perChart ?? this.charts.map((c) => c.toJson() as DeliveredObject[])).flat();
    return atScope(this, () => deliveredObjects(objects, this.namespaces));
  }

  /** Reads the charts, plans batches, creates their assets and forwards chart warnings; runs once. */
  private materialize() {
    if (this.materialized) {
      return this.materialized;
    }
    // The charts' construct trees walked once for this materialization: the objects, the warnings recorded on
    // constructs and the review's diagram read that walk (the trees do not change between them).
    const walk = new ConstructWalk();
    // Keys sorted once, here (`sortedOnce`): the batch plan, the review YAML and the diagram ask for them sorted again
    // and get them as they are, without another walk.
    const perChart = this.charts.map((c) =>
      (isWalkedChart(c) ? c._deliveryObjects(walk) : c.toJson()).map((o) => sortedOnce(o) as DeliveredObject),
    );
    const objects = this.objects(perChart);
    const plan = atScope(this, () => planFilteredBatches(objects, this.batching));
    this.claimObjects(plan);
    const stack = Stack.of(this);
    // The batches go straight into the assembly's asset directory under the name asset staging would give them
    // (`asset.<hash><extension>`) and are registered with the stack's synthesizer: no s3assets.Asset per batch, whose
    // staging fingerprints the file through aws-cdk-lib's disk cache (a JSON file in ~/.cdk read and rewritten per
    // asset) and copies it from a temporary file, and which adds three constructs per batch.
    const assetDir = Stage.of(stack)!.assetOutdir;
    const assemblyDir = Stage.of(stack)!.outdir;
    fs.mkdirSync(assetDir, { recursive: true });
    const displayPrefix = Names.stackRelativeConstructPath(this);
    let bucket: string | undefined;
    let bucketJson: string | undefined;
    const sources: Record<string, string>[] = [];
    for (const batch of plan.batches) {
      // the extension ends the S3 key: the handler may read only keys with this delivery's suffix
      const file = path.join(assetDir, `asset.${batch.sha256}${this.batchSuffix}`);
      if (!fs.existsSync(file)) {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, batch.content);
        fs.renameSync(tmp, file);
      }
      // The batch is named by its content's sha256: the S3 key is `<prefix><sha256><suffix>`.
      const location = stack.synthesizer.addFileAsset({
        sourceHash: batch.sha256,
        fileName: path.relative(assemblyDir, file),
        packaging: FileAssetPackaging.FILE,
        displayName: `${displayPrefix}/Batch${batch.sha256.slice(0, 16)}`,
      });
      if (bucket === undefined) {
        // One grant for all batches (a statement per batch would pass IAM's 10,240-character policy limit at
        // ~10,000 objects): s3:GetObject on the keys ending with this delivery's suffix, under the synthesizer's
        // prefix.
        const key = location.objectKey;
        const prefix = Token.isUnresolved(key)
          ? ''
          : key.slice(0, Math.max(0, key.length - batch.sha256.length - this.batchSuffix.length));
        this.provider.grantBatches(location.bucketName, `${prefix}*${this.batchSuffix}`, this.batchSuffix);
        bucket = location.bucketName;
        bucketJson = JSON.stringify(stack.resolve(bucket));
      }
      const sameBucket = JSON.stringify(stack.resolve(location.bucketName)) === bucketJson;
      sources.push({
        ...(sameBucket ? {} : { Bucket: location.bucketName }),
        Key: location.objectKey,
        Sha256: batch.sha256,
      });
    }
    this.forwardWarnings(perChart, walk);
    this.review._useDelivered(perChart, walk);
    this.materialized = { plan, bucket: bucket ?? '', sources };
    return this.materialized;
  }

  /**
   * Refuses objects that another delivery to the same cluster already applies: both would apply it with their own
   * owner label, each overwriting the other on every deploy, and pruning by one could delete what the other still
   * declares (a shared Namespace, say).
   */
  private claimObjects(plan: BatchPlan): void {
    let claimed = CLAIMED_OBJECTS.get(this.cluster);
    if (!claimed) {
      claimed = new Map();
      CLAIMED_OBJECTS.set(this.cluster, claimed);
    }
    // the identities the plan made (one per object, in plan order: the same conflict is named for the same objects in
    // any order), not `objectIdentity` once more (~1 µs per object at 20,000)
    for (const batch of plan.batches) {
      for (const id of batch.identities) {
        this.claim(claimed, id);
      }
    }
  }

  private claim(claimed: Map<string, string>, id: string): void {
    const owner = claimed.get(id);
    if (owner !== undefined && owner !== this.node.path) {
      throw new MeshValidationError(
        `${describeIdentity(id)} is also delivered to this cluster by ${owner}; two deliveries of one object overwrite ` +
          'each other and one may prune what the other declares, so declare it in one mesh only (e.g. the Namespace in ' +
          'the mesh that owns it) or give one of them another name or namespace' +
          (id.startsWith('/Namespace//')
            ? '; for a namespace both meshes use, let one create it and list it in ' +
              'existingNamespaces of the other, with dependsOn on the first delivery'
            : ''),
        this,
      );
    }
    claimed.set(id, this.node.path);
  }

  /**
   * Re-emits the warnings recorded on chart constructs (`aws:cdk:warning` metadata) and the warnings a chart computes
   * over its objects (`DeliveryCheckedChart`, e.g. a mesh's cross-checks) as CDK warnings here, once per kind
   * (warning id) and chart, under the id they were recorded with, so that
   * `Annotations.of(scope).acknowledgeWarning('cdk-cilium-mesh:l7Policy')` (or `cdk acknowledge`-style
   * acknowledgement of the id the CLI prints) silences exactly that kind. Warnings recorded without an id (plain
   * `addWarning`) come out as `cdk-cilium-mesh:meshWarning`.
   */
  private forwardWarnings(perChart: readonly DeliveredObject[][], walk: ConstructWalk): void {
    this.charts.forEach((chart, i) => {
      // id → message → paths of the constructs it was recorded on
      const byId = new Map<string, Map<string, Set<string>>>();
      const add = (id: string, path: string, message: string) => {
        const byMessage = byId.get(id) ?? new Map<string, Set<string>>();
        byId.set(id, byMessage);
        const paths = byMessage.get(message) ?? new Set<string>();
        byMessage.set(message, paths);
        paths.add(path);
      };
      if (isDeliveryCheckedChart(chart)) {
        chart._deliveryWarnings(perChart[i], walk).forEach((w) => add(w.id, w.path, w.message));
      }
      for (const c of walk.findAll(chart)) {
        for (const entry of c.node.metadata) {
          if (entry.type === 'aws:cdk:warning') {
            const { id, message } = splitAckTag(String(entry.data));
            add(id, c.node.path, message);
          }
        }
      }
      for (const id of [...byId.keys()].sort()) {
        Annotations.of(this).addWarningV2(id, warningText(byId.get(id)!));
      }
    });
  }
}

/** The id fallback for chart warnings recorded without one (`Annotations.addWarning`). */
const UNNAMED_WARNING = 'cdk-cilium-mesh:meshWarning';
/** How many different messages of one kind are spelled out; `ServiceMesh.warnings` lists all of them. */
const MESSAGES_SHOWN = 5;
/** How many construct paths are named for one message. */
const PATHS_SHOWN = 3;

/** `message [ack: id]` (how `addWarningV2` records a warning) split into its id and message. */
function splitAckTag(data: string): { id: string; message: string } {
  const m = /^([\s\S]*) \[ack: ([^\]]+)\]$/.exec(data);
  return m ? { id: m[2], message: m[1] } : { id: UNNAMED_WARNING, message: data };
}

/**
 * One warning text for all warnings of one kind: each distinct message once, prefixed with the paths it was
 * recorded on (the first few, then how many more), at most `MESSAGES_SHOWN` messages.
 */
function warningText(byMessage: ReadonlyMap<string, ReadonlySet<string>>): string {
  const entries = [...byMessage.entries()]
    .map(([message, paths]) => ({ message, paths: [...paths].sort() }))
    .sort((a, b) => (a.paths[0] < b.paths[0] ? -1 : a.paths[0] > b.paths[0] ? 1 : a.message < b.message ? -1 : 1));
  const lines = entries.slice(0, MESSAGES_SHOWN).map(({ message, paths }) => {
    const more = paths.length - PATHS_SHOWN;
    const where = paths.slice(0, PATHS_SHOWN).join(', ') + (more > 0 ? ` and ${more} more` : '');
    return `${where}: ${message}`;
  });
  const rest = entries.length - MESSAGES_SHOWN;
  if (rest > 0) {
    lines.push(`and ${rest} more warnings of this kind (ServiceMesh.warnings lists them all)`);
  }
  return lines.join('\n');
}
