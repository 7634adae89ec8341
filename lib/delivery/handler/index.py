"""Custom resource handler of cdk-cilium-mesh: applies batches of Kubernetes objects to an EKS cluster.

Invoked by the CDK provider framework (aws-cdk-lib custom-resources) with the CloudFormation request.
Properties (CloudFormation passes scalars as strings):
  ClusterName, Endpoint, CertificateAuthorityData  the cluster; a bearer token is made here with botocore
  Owner                 value of the owner label put on every object this resource applies
  Bucket                default bucket of S3 sources
  Sources               [{Key, Sha256, Bucket?}] (S3 assets) or [{Url, Sha256}] (pinned downloads)
  Kinds                 ["group/version/Kind", ...]: where to look for owned objects when pruning/deleting
  Prune                 "true": delete owned objects that are no longer desired (on create and update)
  RetainOnDelete        "true": leave the objects in the cluster when the resource is deleted

Each source is a batch. A batch is applied only when its sha256 is new (not in OldResourceProperties), with
server-side apply; every object gets the owner label and a batch label (sha256 prefix). Pruning deletes the
objects that carry the owner label and a batch label not in the current set: an object removed from the mesh
is exactly such an object, an object moved to a new batch was re-applied with the new label. Nothing without
the owner label is ever listed or deleted. kubectl's own --prune is not used: its default allowlist covers
built-in kinds only (kubectl apply --help: --prune-allowlist), so custom resources would never be pruned.
"""

import base64
import concurrent.futures
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

logger = logging.getLogger()
logger.setLevel(logging.INFO)

OWNER_LABEL = "cdk-cilium-mesh.io/owner"
BATCH_LABEL = "cdk-cilium-mesh.io/batch"
FIELD_MANAGER = "cdk-cilium-mesh"
# Errors after which waiting helps: CRDs not registered yet (the Cilium operator registers its CRDs after the
# Helm release returns), access entry not yet effective, API server connectivity blips.
TRANSIENT = (
    "no matches for kind",
    "doesn't have a resource type",
    "ensure CRDs are installed first",
    "Unauthorized",
    "i/o timeout",
    "connection refused",
    "TLS handshake timeout",
    "the server is currently unable to handle the request",
    "EOF",
)
MISSING_KIND = (
    "no matches for kind",
    "doesn't have a resource type",
    "the server could not find the requested resource",
)
UNREACHABLE = ("i/o timeout", "connection refused", "no such host", "TLS handshake timeout")
# Kinds other objects may need to exist first: their batches are applied before the others (the batch planner
# also puts them first inside a batch, as kubectl applies a file in order).
FOUNDATION_KINDS = ("Namespace", "CustomResourceDefinition")


# Gateway API release downloads (GatewayApiCrds) are the only URL sources: anything else is refused.
ALLOWED_URL_PREFIX = "https://github.com/kubernetes-sigs/gateway-api/releases/download/"


def bound_cluster(props):
    """The cluster to act on: bound into the function's environment at synthesis (one handler per stack and
    cluster), never taken from the event. The event's values are used only where no binding exists (local runs)."""
    env = os.environ
    if env.get("CLUSTER_ENDPOINT"):
        return {
            "ClusterName": env["CLUSTER_NAME"],
            "Endpoint": env["CLUSTER_ENDPOINT"],
            "CertificateAuthorityData": env["CLUSTER_CA"],
        }
    return {k: props[k] for k in ("ClusterName", "Endpoint", "CertificateAuthorityData")}


def check_s3_source(bucket, key, batches):
    """Refuses S3 sources outside the bucket and the key suffix bound at synthesis (ASSET_BUCKET, ASSET_SUFFIXES)."""
    env = os.environ
    if env.get("ASSET_BUCKET") and bucket != env["ASSET_BUCKET"]:
        raise ValueError(f"s3://{bucket}/{key} is not in the asset bucket {env['ASSET_BUCKET']}; refusing to read it")
    suffixes = [x for x in env.get("ASSET_SUFFIXES", "").split(",") if x]
    if batches and suffixes and not any(key.endswith(x) for x in suffixes):
        raise ValueError(
            f"s3://{bucket}/{key} is not a batch of a mesh delivered by this function; refusing to read it"
        )


class KubectlError(Exception):
    pass


class Deps:
    """Everything that talks to the outside; replaced by fakes in the unit tests."""

    def __init__(self):
        path = os.environ.get("PATH", "")
        if "/opt/kubectl" not in path.split(":"):  # warm containers reuse the environment
            os.environ["PATH"] = "/opt/kubectl:" + path
        self.workdir = tempfile.mkdtemp()
        # kubectl caches discovery and the OpenAPI documents under $HOME/.kube/cache, which Lambda does not let it
        # write: without a cache every kubectl call downloads them again (~0.4 MB per group/version). One cache per
        # invocation, in its work directory (removed at the end, so a warm container never serves a stale one).
        os.environ["KUBECACHEDIR"] = os.path.join(self.workdir, "kube-cache")

    def s3_get(self, bucket, key):
        import boto3

        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()

    def url_get(self, url):
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.read()

    def token(self, cluster_name):
        """EKS bearer token: a presigned STS GetCallerIdentity URL carrying the x-k8s-aws-id header."""
        import boto3
        from botocore.signers import RequestSigner

        session = boto3.session.Session()
        sts = session.client("sts")
        signer = RequestSigner(
            sts.meta.service_model.service_id,
            sts.meta.region_name,
            "sts",
            "v4",
            session.get_credentials(),
            session.events,
        )
        url = signer.generate_presigned_url(
            {
                "method": "GET",
                "url": sts.meta.endpoint_url + "/?Action=GetCallerIdentity&Version=2011-06-15",
                "body": {},
                "headers": {"x-k8s-aws-id": cluster_name},
                "context": {},
            },
            region_name=sts.meta.region_name,
            expires_in=60,
            operation_name="",
        )
        return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")

    def kubectl(self, args, timeout=840):
        try:
            proc = subprocess.run(["kubectl"] + args, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return 124, "", f"kubectl did not finish within {timeout:.0f}s (the Lambda time left)"
        return proc.returncode, proc.stdout, proc.stderr

    def sleep(self, seconds):
        time.sleep(seconds)

    def deployed_stack(self, stack_id):
        """(status, template) of the deployed stack: what a scheduled Reconcile re-applies."""
        import boto3

        cfn = boto3.client("cloudformation")
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        body = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
        return status, json.loads(body) if isinstance(body, str) else body

    def monotonic(self):
        return time.monotonic()


# Stale members from which a deploy prunes them itself, in parallel, instead of leaving it to kubectl's ApplySet
# prune, which deletes one object at a time (measured on a loaded 2-core machine: 219 s for 1,000 objects).
PARALLEL_PRUNE_MIN = 100

# kubectl processes deleting one tier of objects at once (each deletes its share one request at a time).
DELETE_WORKERS = 8

# Seconds kept back from the Lambda time limit, so that a kubectl error (not "Task timed out") reaches CloudFormation.
DEADLINE_MARGIN_SECONDS = 45


def handler(event, context):
    deps = Deps()
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 900
    try:
        return Handler(deps, deadline=deps.monotonic() + remaining - DEADLINE_MARGIN_SECONDS).handle(event)
    finally:
        shutil.rmtree(deps.workdir, ignore_errors=True)  # warm Lambda containers keep /tmp


def parse_stream(text):
    """Objects of a stream of concatenated JSON documents (what `kubectl label --local -o json` prints)."""
    return [o for doc in json_docs(text) for o in (doc.get("items", []) if doc.get("kind") == "List" else [doc])]


def kind_ref(kind):
    """`group/version/Kind` → the kubectl resource argument `Kind.version.group` (core: `Kind`)."""
    parts = kind.split("/")
    if len(parts) == 2:
        return parts[1]
    return f"{parts[2]}.{parts[1]}.{parts[0]}"


def kind_ref_any_version(kind):
    """`group/version/Kind` → `Kind.group` (core: `Kind`): the kind at the server's preferred version."""
    parts = kind.split("/")
    return parts[-1] if len(parts) == 2 else f"{parts[2]}.{parts[0]}"


def source_id(source):
    return source["Sha256"][:16]


class Handler:
    def __init__(self, deps, wait_seconds=600, retry_seconds=10, deadline=None):
        self.deps = deps
        self.wait_seconds = wait_seconds
        self.retry_seconds = retry_seconds
        # One deadline for the whole invocation (monotonic clock): every kubectl call and retry fits before it.
        self.deadline = deadline if deadline is not None else deps.monotonic() + 840

    def handle(self, event):
        logger.info(json.dumps({k: v for k, v in event.items() if k != "ResponseURL"}))
        if event.get("RequestType") == "Reconcile":
            event = self.reconcile_event(event)
            if event is None:
                return {"Data": {"Skipped": 1}}
        props = event["ResourceProperties"]
        self.props = props
        self.owner = props.get("Owner", "")
        self.kubeconfig = os.path.join(self.deps.workdir, "kubeconfig")
        if props.get("Engine") == APPLYSET_ENGINE:
            return MeshEngine(self).handle(event)
        kind = event["RequestType"]
        if kind == "Delete":
            deleted = 0 if props.get("RetainOnDelete") == "true" else self.delete_owned(props.get("Kinds", []))
            return {"PhysicalResourceId": event.get("PhysicalResourceId", self.owner), "Data": {"Deleted": deleted}}
        old = event.get("OldResourceProperties", {}) if kind == "Update" else {}
        same_target = all(old.get(k) == props.get(k) for k in ("ClusterName", "Endpoint", "Owner"))
        known = {s["Sha256"] for s in old.get("Sources", [])} if same_target else set()
        changed = [s for s in props["Sources"] if s["Sha256"] not in known]
        try:
            applied = self.apply_sources(changed)
        except Exception:
            # After a failed Create the provider framework answers CloudFormation's Delete itself, without calling
            # this handler: remove what this attempt applied now, or it stays in the cluster unowned by any stack.
            if kind == "Create" and props.get("RetainOnDelete") != "true":
                try:
                    # never CRDs: they may have existed before this attempt (adopted by --force-conflicts), and
                    # deleting a CRD deletes every object of its kinds in the cluster
                    self.delete_owned(
                        [k for k in props.get("Kinds", []) if not k.endswith("/CustomResourceDefinition")]
                    )
                except Exception as cleanup:  # noqa: BLE001 - any cleanup failure is logged; the original error is re-raised
                    logger.warning("cleanup after the failed create failed: %s", cleanup)
            raise
        pruned = 0
        if props.get("Prune") == "true":
            kinds = sorted(set(props.get("Kinds", [])) | set(old.get("Kinds", [])))
            pruned = self.prune(kinds, [source_id(s) for s in props["Sources"]])
        return {"PhysicalResourceId": self.owner, "Data": {"Applied": applied, "Pruned": pruned}}

    def reconcile_event(self, event):
        """A scheduled Reconcile (EventBridge, fixed input: StackId and LogicalResourceId) becomes an Update to the
        properties CloudFormation deployed, read from the stack's template (the event carries none: 5,000 objects
        list more batches than an EventBridge input holds). Skipped while the stack is not in a settled state,
        so that it never races a deploy or a rollback."""
        status, template = self.deps.deployed_stack(event["StackId"])
        if (
            not status.endswith("_COMPLETE")
            or status in ("ROLLBACK_COMPLETE", "DELETE_COMPLETE")
            or "IN_PROGRESS" in status
        ):
            logger.info("stack is %s: reconcile skipped", status)
            return None
        resource = template.get("Resources", {}).get(event["LogicalResourceId"])
        if not resource or resource.get("Properties", {}).get("Engine") != APPLYSET_ENGINE:
            raise DeliveryError(f"no mesh delivery {event['LogicalResourceId']} in stack {event['StackId']}")
        props = dict(resource["Properties"])
        props["Bucket"] = os.environ.get("ASSET_BUCKET") or props.get("Bucket")
        return {
            "RequestType": "Update",
            "StackId": event["StackId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "PhysicalResourceId": "reconcile",
            "ResourceProperties": props,
            "OldResourceProperties": props,
            # an Update applies only changed batches and missing objects; the reconcile re-applies every object,
            # which restores fields edited by hand in batches that did not change
            "FullApply": True,
        }

    # -- kubectl plumbing ---------------------------------------------------------------------------------

    def write_kubeconfig(self):
        if getattr(self.deps, "local_kubeconfig", None):
            return  # local delivery: the user's kubeconfig (see LocalDeps)
        cluster = bound_cluster(self.props)
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "eks",
            "clusters": [
                {
                    "name": "eks",
                    "cluster": {
                        "server": cluster["Endpoint"],
                        "certificate-authority-data": cluster["CertificateAuthorityData"],
                    },
                }
            ],
            "users": [{"name": "cdk", "user": {"token": self.deps.token(cluster["ClusterName"])}}],
            "contexts": [{"name": "eks", "context": {"cluster": "eks", "user": "cdk"}}],
        }
        # batches are applied by parallel threads: write a private file, then swap it in atomically, so that a
        # kubectl started by another thread never reads a half-written kubeconfig
        tmp = f"{self.kubeconfig}.{threading.get_ident()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        os.replace(tmp, self.kubeconfig)

    def kubectl(self, args, transient=TRANSIENT, remote=True):
        """Runs kubectl; retries errors in `transient` until the wait budget is used up."""
        deadline = min(self.deps.monotonic() + self.wait_seconds, self.deadline)
        while True:
            left = self.deadline - self.deps.monotonic()
            if left <= 0:
                raise KubectlError(f"kubectl {' '.join(args)} not started: the Lambda time is used up")
            if remote:
                self.write_kubeconfig()  # fresh token (EKS tokens live 15 minutes)
                full = ["--kubeconfig", getattr(self.deps, "local_kubeconfig", None) or self.kubeconfig] + args
            else:
                full = args
            rc, out, err = self.deps.kubectl(full, timeout=left)
            if rc == 0:
                return out
            if any(t in err for t in transient) and self.deps.monotonic() + self.retry_seconds < deadline:
                logger.info("kubectl %s: %s; retrying in %ss", args[0], err.strip(), self.retry_seconds)
                self.deps.sleep(self.retry_seconds)
                continue
            raise KubectlError(f"kubectl {' '.join(args)} failed: {err.strip()}")

    # -- apply --------------------------------------------------------------------------------------------

    def fetch(self, source, batches=False):
        bucket = source.get("Bucket", self.props.get("Bucket"))
        if "Key" in source:
            check_s3_source(bucket, source["Key"], batches)
            data = self.deps.s3_get(bucket, source["Key"])
        else:
            if not source["Url"].startswith(ALLOWED_URL_PREFIX):
                raise ValueError(f"refusing to download {source['Url']}: only {ALLOWED_URL_PREFIX}... is allowed")
            data = self.deps.url_get(source["Url"])
        digest = hashlib.sha256(data).hexdigest()
        if digest != source["Sha256"]:
            where = source.get("Url") or f"s3://{bucket}/{source['Key']}"
            raise ValueError(f"sha256 of {where} is {digest}, expected {source['Sha256']}; refusing to apply it")
        return data

    def prepare_source(self, source):
        """Downloads, verifies and labels one batch (offline); returns (batch id, file, objects)."""
        batch = source_id(source)
        raw = os.path.join(self.deps.workdir, f"{batch}.src")
        with open(raw, "wb") as f:
            f.write(self.fetch(source))
        labeled = self.kubectl(
            [
                "label",
                "--local",
                "-f",
                raw,
                "--overwrite",
                "-o",
                "json",
                f"{OWNER_LABEL}={self.owner}",
                f"{BATCH_LABEL}={batch}",
            ],
            transient=(),
            remote=False,
        )
        objects = parse_stream(labeled)
        path = os.path.join(self.deps.workdir, f"{batch}.json")
        with open(path, "w") as f:
            f.write("\n".join(json.dumps(o) for o in objects))
        return batch, path, objects

    def apply_prepared(self, prepared):
        batch, path, objects = prepared
        self.kubectl(["apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "--force-conflicts", "-f", path])
        if any(o.get("kind") == "CustomResourceDefinition" for o in objects):
            wait = max(1, min(300, int(self.deadline - self.deps.monotonic())))
            self.kubectl(
                [
                    "wait",
                    "--for=condition=Established",
                    "customresourcedefinitions",
                    "-l",
                    f"{OWNER_LABEL}={self.owner},{BATCH_LABEL}={batch}",
                    f"--timeout={wait}s",
                ]
            )
        return len(objects)

    def apply_sources(self, sources):
        """Applies batches: those with Namespaces or CRDs first, one by one, then the others four at a time."""
        if not sources:
            return 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            prepared = list(pool.map(self.prepare_source, sources))
            foundation = [p for p in prepared if any(o.get("kind") in FOUNDATION_KINDS for o in p[2])]
            rest = [p for p in prepared if p not in foundation]
            applied = sum(self.apply_prepared(p) for p in foundation)
            return applied + sum(pool.map(self.apply_prepared, rest))

    # -- prune and delete ---------------------------------------------------------------------------------

    def list_owned(self, kinds, selector):
        found = []
        for kind in kinds:
            out = None
            # The recorded version may no longer be served (e.g. a v2alpha1 kind promoted to v2): then ask for the
            # kind in its group at the version the server prefers.
            for ref in dict.fromkeys([kind_ref(kind), kind_ref_any_version(kind)]):
                try:
                    out = self.kubectl(
                        ["get", ref, "--all-namespaces", "-l", selector, "-o", "json"],
                        transient=tuple(t for t in TRANSIENT if t not in MISSING_KIND),
                    )
                    break
                except KubectlError as e:
                    if not any(t in str(e) for t in MISSING_KIND):
                        raise
            if out is None:
                continue  # kind not served at all (CRD gone): nothing of it can exist
            for item in json.loads(out).get("items", []):
                meta = item["metadata"]
                ref = {"apiVersion": item["apiVersion"], "kind": item["kind"], "metadata": {"name": meta["name"]}}
                if meta.get("namespace"):
                    ref["metadata"]["namespace"] = meta["namespace"]
                found.append(ref)
        return found

    def delete_refs(self, refs):
        if not refs:
            return 0
        path = os.path.join(self.deps.workdir, "delete.json")
        with open(path, "w") as f:
            f.write("\n".join(json.dumps(r) for r in refs))
        self.kubectl(["delete", "-f", path, "--ignore-not-found", "--wait=false"])
        return len(refs)

    def prune(self, kinds, current):
        selector = f"{OWNER_LABEL}={self.owner}"
        if current:  # with no batch left, every owned object goes
            selector += f",{BATCH_LABEL} notin ({','.join(sorted(current))})"
        refs = self.list_owned(kinds, selector)
        logger.info("pruning %d objects no longer in the mesh", len(refs))
        return self.delete_refs(refs)

    def delete_owned(self, kinds):
        try:
            return self.delete_refs(self.list_owned(kinds, f"{OWNER_LABEL}={self.owner}"))
        except KubectlError as e:
            if any(t in str(e) for t in UNREACHABLE):
                logger.warning("cluster unreachable, nothing deleted: %s", e)
                return 0
            raise


# -- the mesh engine: membership in a kubectl ApplySet ------------------------------------------------------
#
# A mesh delivery is a kubectl ApplySet (KEP-3659). Its parent is a cluster-scoped MeshDelivery object (a custom
# parent type: a Secret or ConfigMap parent cannot have members in several namespaces, kubectl refuses objects
# outside the parent's namespace). kubectl records the member kinds and namespaces on the parent, labels every
# member with applyset.kubernetes.io/part-of, and prunes what a later apply no longer contains. This engine adds
# what kubectl does not check: objects that exist and are not members are never taken over unless adoption was
# opted in; members that this delivery never applied (a copied label) are not pruned; a failed first apply
# removes exactly what it created; stack deletion removes the members in reverse dependency order and waits,
# bounded, for their finalizers.

APPLYSET_ENGINE = "applyset/v1"
PART_OF = "applyset.kubernetes.io/part-of"
APPLYSET_ID = "applyset.kubernetes.io/id"
GROUP_KINDS = "applyset.kubernetes.io/contains-group-kinds"
ADDITIONAL_NAMESPACES = "applyset.kubernetes.io/additional-namespaces"
TOOLING = "applyset.kubernetes.io/tooling"
# the tooling annotation kubectl writes on a parent (KEP-3659: a tool leaves alone the ApplySets another tool manages)
APPLYSET_TOOLING = "kubectl/v1.35.2"
PARENT_GROUP = "cdk-cilium-mesh.io"
PARENT_KIND = "MeshDelivery"
PARENT_RESOURCE = "meshdeliveries.cdk-cilium-mesh.io"
STACK_ANNOTATION = "cdk-cilium-mesh.io/stack-id"
RESOURCE_ANNOTATION = "cdk-cilium-mesh.io/logical-id"
PATH_ANNOTATION = "cdk-cilium-mesh.io/path"
BATCHES_ANNOTATION = "cdk-cilium-mesh.io/batches"
PARENT_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": PARENT_RESOURCE, "labels": {"applyset.kubernetes.io/is-parent-type": "true"}},
    "spec": {
        "group": PARENT_GROUP,
        "scope": "Cluster",
        "names": {"plural": "meshdeliveries", "singular": "meshdelivery", "kind": PARENT_KIND},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}
# Apply order (kubectl applies a file in order); deletion runs it backwards: routes, then Gateways, then the
# policies and the rest, then Services and grants, then namespaces.
RANKS = {
    "Namespace": 0,
    "CustomResourceDefinition": 0,
    "Service": 1,
    "ReferenceGrant": 1,
    "Gateway": 3,
    "HTTPRoute": 4,
    "GRPCRoute": 4,
    "TLSRoute": 4,
    "TCPRoute": 4,
    "UDPRoute": 4,
}
DEFAULT_RANK = 2
# Seconds kept back from the deadline for the cleanup of a failed apply (at most a quarter of the time left).
CLEANUP_RESERVE_SECONDS = 120


class DeliveryError(Exception):
    pass


def applyset_id(name):
    """The ApplySet id of a cluster-scoped MeshDelivery parent, as KEP-3659 defines it (kubectl checks it)."""
    digest = hashlib.sha256(f"{name}..{PARENT_KIND}.{PARENT_GROUP}".encode()).digest()
    return "applyset-" + base64.urlsafe_b64encode(digest).decode().rstrip("=") + "-v1"


def delivery_name(stack_id, logical_id):
    """One parent per CloudFormation resource: the stack id (account, region, stack name and a UUID) plus the
    logical id. The cluster is implied: the parent lives in it."""
    return "cdk-cilium-mesh-" + hashlib.sha256(f"{stack_id}/{logical_id}".encode()).hexdigest()[:32]


def group_of(api_version):
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def identity(o):
    meta = o["metadata"]
    return (group_of(o["apiVersion"]), o["kind"], meta.get("namespace") or "", meta["name"])


def is_member(item, set_id):
    return item is not None and (item["metadata"].get("labels") or {}).get(PART_OF) == set_id


def as_member(o, set_id):
    """`o` with the ApplySet member label, as kubectl's --applyset sends it."""
    labels = {**(o["metadata"].get("labels") or {}), PART_OF: set_id}
    return {**o, "metadata": {**o["metadata"], "labels": labels}}


def describe(i):
    group, kind, ns, name = i
    return f"{kind} {ns + '/' if ns else ''}{name}{' (' + group + ')' if group else ''}"


def rank(i):
    return RANKS.get(i[1], DEFAULT_RANK)


def ref_of(o):
    meta = {"name": o["metadata"]["name"]}
    if o["metadata"].get("namespace"):
        meta["namespace"] = o["metadata"]["namespace"]
    return {"apiVersion": o["apiVersion"], "kind": o["kind"], "metadata": meta}


def json_docs(text):
    """Top-level JSON documents of a kubectl output stream."""
    decoder = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        doc, i = decoder.raw_decode(text, i)
        out.append(doc)


def managers(item):
    return sorted({m.get("manager", "?") for m in item["metadata"].get("managedFields") or []})


def applied_by_us(item):
    return any(
        m.get("manager") == FIELD_MANAGER and m.get("operation") == "Apply"
        for m in item["metadata"].get("managedFields") or []
    )


def summarize(ids, limit=5):
    names = [describe(i) for i in sorted(ids)]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def comparable(item):
    meta = {
        k: v
        for k, v in item["metadata"].items()
        if k not in ("managedFields", "resourceVersion", "generation", "creationTimestamp", "uid")
    }
    return {**{k: v for k, v in item.items() if k != "status"}, "metadata": meta}


class MeshEngine:
    """Delivers one mesh (the objects of one custom resource) as a kubectl ApplySet."""

    def __init__(self, handler):
        self.h = handler
        self.deps = handler.deps

    def kubectl(self, args, **kw):
        return self.h.kubectl(args, **kw)

    def handle(self, event):
        props = event["ResourceProperties"]
        request = event["RequestType"]
        stack_id = event.get("StackId", "local")
        logical_id = event.get("LogicalResourceId", "Objects")
        self.name = delivery_name(stack_id, logical_id)
        self.id = applyset_id(self.name)
        self.stack_id, self.logical_id, self.path = stack_id, logical_id, props.get("Path", logical_id)
        self.legacy_owner = props.get("Owner")
        physical = event.get("PhysicalResourceId") if request != "Create" else None
        physical = physical or self.name
        os.environ["KUBECTL_APPLYSET"] = "true"
        if request == "Delete":
            if props.get("RetainOnDelete") == "true":
                return {"PhysicalResourceId": physical, "Data": {"Deleted": 0}}
            return {"PhysicalResourceId": physical, "Data": self.delete()}
        data = self.deliver(request, props, dry_run=bool(event.get("DryRun")), full=bool(event.get("FullApply")))
        return {"PhysicalResourceId": physical, "Data": data}

    def owner_of(self, parent):
        ann = parent["metadata"].get("annotations", {})
        return f"{ann.get(PATH_ANNOTATION, '?')} (stack {ann.get(STACK_ANNOTATION, '?')})"

    # -- reading the cluster --------------------------------------------------------------------------------

    def get_json(self, args, wait_for_kind=False):
        """`kubectl get ... -o json`, or None when the kind is not served. With wait_for_kind, a kind that is not
        served yet is waited for (within the wait budget): Cilium's operator registers its CRDs after it starts."""
        transient = TRANSIENT if wait_for_kind else tuple(t for t in TRANSIENT if t not in MISSING_KIND)
        try:
            out = self.kubectl(["get"] + args + ["-o", "json"], transient=transient)
        except KubectlError as e:
            if any(t in str(e) for t in MISSING_KIND):
                return None
            raise
        return json.loads(out) if out.strip() else None

    def parents(self):
        listed = self.get_json([PARENT_RESOURCE])
        return listed.get("items", []) if listed else []

    def get_parent(self):
        for p in self.parents():
            if p["metadata"]["name"] == self.name:
                return p
        return None

    def list_kind(self, kind_version, selector=None):
        """Every object of `group/version/Kind` in all namespaces (with managed fields), or None if not served."""
        args = [kind_ref(kind_version), "--all-namespaces", "--show-managed-fields"]
        if selector:
            args += ["-l", selector]
        listed = self.get_json(args, wait_for_kind=selector is None)
        return listed.get("items", []) if listed else None

    def members(self, parent, listed=()):
        """Objects labelled as members, in the kinds recorded on the parent (except the group-kinds in `listed`,
        whose members the caller has already found in a listing of the whole kind)."""
        found = {}
        for gk in filter(None, parent["metadata"].get("annotations", {}).get(GROUP_KINDS, "").split(",")):
            if gk in listed:
                continue
            kind, _, group = gk.partition(".")
            ref = f"{kind}.{group}" if group else kind
            got = self.get_json([ref, "--all-namespaces", "--show-managed-fields", "-l", f"{PART_OF}={self.id}"])
            for item in (got or {}).get("items", []):
                found[identity(item)] = item
        return found

    # -- deliver ----------------------------------------------------------------------------------------------

    def load(self, props):
        objects, batch_of = [], {}
        for source in props["Sources"]:
            batch = source_id(source)
            for o in parse_stream(self.h.fetch(source, batches=True).decode()):
                batch_of[identity(o)] = batch
                objects.append(o)
        objects.sort(key=lambda o: rank(identity(o)))
        return objects, batch_of

    def deliver(self, request, props, dry_run=False, full=False):
        """Create (and an Update without a parent, a reconcile, the CLI): every object, in one kubectl ApplySet apply
        with --prune. Update: only the objects of batches not recorded on the parent and the desired objects that are
        not live members (deleted by hand, adopted), then the stale members are deleted here (see apply_changes)."""
        objects, batch_of = self.load(props)
        desired = {identity(o): o for o in objects}
        self.desired = desired
        adopt = props.get("Adopt") == "true"
        parent = self.get_parent()
        known = (
            set(parent["metadata"].get("annotations", {}).get(BATCHES_ANNOTATION, "").split(",")) if parent else set()
        )
        known.discard("")

        # What exists: every object of the desired kinds (members or not), and the members of the recorded kinds
        # (those of a desired kind are taken from its listing: at 5,000 objects a second list costs seconds).
        live, listed_members, listed = {}, {}, set()
        for kv in sorted({f"{o['apiVersion']}/{o['kind']}" for o in objects}):
            items = self.list_kind(kv)
            if items is None:
                raise DeliveryError(
                    f"the cluster does not serve {kv}: install its CRDs first (for Cilium kinds, "
                    "deploy Cilium before the mesh)"
                )
            listed.add(kind_ref_any_version(kv))  # as the parent's group-kinds spell it
            for item in items:
                if identity(item) in desired:
                    live[identity(item)] = item
                if is_member(item, self.id):
                    listed_members[identity(item)] = item
        members = {**self.members(parent, listed), **listed_members} if parent else {}
        others = {p["metadata"].get("labels", {}).get(APPLYSET_ID): p for p in self.parents()}

        created, adopted, foreign = [], [], []
        for i in desired:
            item = live.get(i)
            if item is None:
                created.append(i)
                continue
            labels = item["metadata"].get("labels") or {}
            if labels.get(PART_OF) == self.id:
                continue
            if self.legacy_owner and labels.get(OWNER_LABEL) == self.legacy_owner and PART_OF not in labels:
                continue  # delivered by this resource before it used ApplySets
            (adopted if adopt else foreign).append(i)
        if foreign:

            def owner(i):
                labels = live[i]["metadata"].get("labels") or {}
                other = others.get(labels.get(PART_OF))
                if other is not None:
                    return f"belongs to the mesh delivery {self.owner_of(other)}"
                return f"is managed by {', '.join(managers(live[i])) or 'no recorded field manager'}"

            first = min(foreign)
            more = f" (and {len(foreign) - 1} more: {summarize(sorted(foreign)[1:])})" if len(foreign) > 1 else ""
            raise DeliveryError(
                f"{describe(first)} exists and {owner(first)}, not this mesh ({self.path}){more}; nothing was changed. "
                "Remove it from the mesh or the cluster, declare its namespace in existingNamespaces (for a Namespace), "
                "or set adopt: true on this delivery to take it over"
            )

        stale = {i: item for i, item in members.items() if i not in desired}
        spoofed = [i for i, item in stale.items() if not applied_by_us(item)]
        if spoofed:
            raise DeliveryError(
                f"{summarize(spoofed)} carries the ApplySet label of this mesh ({self.path}) but was never applied by it "
                f"(field managers: {', '.join(managers(stale[spoofed[0]]))}); it is not pruned. Remove the label "
                f"{PART_OF} from it, then deploy again"
            )

        if dry_run:
            return self.plan(objects, desired, live, batch_of, known, created, adopted, stale)
        if request == "Update" and parent is not None and not full:
            changes = [
                o
                for o in objects
                if batch_of[identity(o)] not in known or not is_member(live.get(identity(o)), self.id)
            ]
            return self.apply_changes(parent, props, changes, desired, live, batch_of, known, adopted, stale)

        created_parent = False
        if parent is None:
            self.create_parent()
            created_parent = True
        path = os.path.join(self.deps.workdir, "apply.json")
        with open(path, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": objects}, f)
        pre_pruned = self.prune_in_parallel(path, stale) if len(stale) >= PARALLEL_PRUNE_MIN else 0
        out, forced = self.apply_or_undo(
            self.apply, path, lambda e: self.undo(request, e, created, adopted, created_parent)
        )
        docs = json_docs(out)
        applied = docs[0].get("items", []) if docs and docs[0].get("kind") == "List" else docs[:1]
        # an object deleted by prune_in_parallel that still terminates (a namespace) is pruned again: counted once
        pruned = [d for d in docs[1:] if not (pre_pruned and d.get("kind") and identity(d) in stale)]
        counts = self.count(desired, live, applied, batch_of, known, adopted, len(pruned) + pre_pruned)
        if forced:
            logger.info("field conflicts on members were overridden (hand edits)")
        self.record_batches({source_id(s) for s in props["Sources"]})
        logger.info("delivered: %s", json.dumps(counts))
        return counts

    def count(self, desired, live, applied, batch_of, known, adopted, pruned):
        """Created / Updated / Unchanged / DriftCorrected by resourceVersion (server-side apply leaves an unchanged
        object's alone); a desired object that was not applied (an Update's unchanged batch) is Unchanged.
        Applied = the objects sent to the API server."""
        after = {identity(o): o["metadata"].get("resourceVersion") for o in applied}
        counts = {
            "Created": 0,
            "Updated": 0,
            "Unchanged": 0,
            "DriftCorrected": 0,
            "Adopted": len(adopted),
            "Pruned": pruned,
            "Applied": len(applied),
        }
        for i in desired:
            unchanged_desire = batch_of[i] in known
            before = live.get(i)
            if before is None:
                counts["DriftCorrected" if unchanged_desire else "Created"] += 1
            elif i in after and after[i] != before["metadata"].get("resourceVersion"):
                counts["DriftCorrected" if unchanged_desire and i not in adopted else "Updated"] += 1
            else:
                counts["Unchanged"] += 1
        return counts

    def record_batches(self, batches):
        """The batches whose objects are in the cluster as the batch says (all of them, after a successful deploy)."""
        value = ",".join(sorted(batches))
        self.kubectl(["annotate", PARENT_RESOURCE, self.name, "--overwrite", f"{BATCHES_ANNOTATION}={value}"])

    def apply_changes(self, parent, props, changes, desired, live, batch_of, known, adopted, stale):
        """An Update of an existing delivery, in the ApplySet's terms but without kubectl's --applyset, which cannot
        apply part of a set: kubectl v1.35 refuses --applyset without --prune ("error: --applyset requires --prune"),
        and with --prune it takes the objects given as the whole set and prunes every other member (KEP-3659: the
        apply declares the complete set). So the engine does what kubectl's ApplySet apply does, on `changes` only:
        (1) the parent's kinds and namespaces become a superset of the old and new members' (and the batches
        annotation keeps only batches that this update leaves alone, so that a failed update is fully re-applied by
        CloudFormation's rollback); (2) server-side apply of `changes` with the member label; (3) the stale members
        are deleted, tier by tier, each tier in parallel; (4) the parent records exactly the new kinds, namespaces
        and batches. A hand edit of a field in an unchanged batch is not seen here: the scheduled reconcile (a full
        apply) restores it (docs/delivery.md)."""
        ann = parent["metadata"].get("annotations", {})
        old_kinds = set(filter(None, ann.get(GROUP_KINDS, "").split(",")))
        old_namespaces = set(filter(None, ann.get(ADDITIONAL_NAMESPACES, "").split(",")))
        kinds = {f"{i[1]}.{i[0]}" if i[0] else i[1] for i in desired}
        namespaces = {i[2] for i in desired if i[2]}
        current = {source_id(s) for s in props["Sources"]}
        if not old_kinds >= kinds or not old_namespaces >= namespaces:
            self.write_applyset_fields(parent, old_kinds | kinds, old_namespaces | namespaces)
        if not known <= current:
            self.record_batches(known & current)
        applied, forced = [], False
        if changes:
            path = os.path.join(self.deps.workdir, "changes.json")
            with open(path, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "List", "items": [as_member(o, self.id) for o in changes]}, f)
            out, forced = self.apply_or_undo(
                self.apply_members, path, lambda e: self.undo("Update", e, [], adopted, False)
            )
            docs = json_docs(out)
            applied = docs[0].get("items", []) if docs and docs[0].get("kind") == "List" else docs[:1]
        for r in sorted({rank(i) for i in stale}, reverse=True):
            self.delete_refs_parallel(
                f"prune-{r}",
                [ref_of(stale[i]) for i in sorted(stale) if rank(i) == r],
                transient=tuple(t for t in TRANSIENT if t not in MISSING_KIND),
            )
        if old_kinds != kinds or old_namespaces != namespaces:
            self.write_applyset_fields(parent, kinds, namespaces)
        if known != current:
            self.record_batches(current)
        counts = self.count(desired, live, applied, batch_of, known, adopted, len(stale))
        if forced:
            logger.info("field conflicts on members were overridden (hand edits)")
        logger.info("delivered %d of %d objects: %s", len(applied), len(desired), json.dumps(counts))
        return counts

    def write_applyset_fields(self, parent, kinds, namespaces):
        """Writes on the parent the fields kubectl's --applyset writes, with its field manager and the same four
        fields (kubectl-applyset owns them; a later full apply by kubectl then finds them as its own)."""
        ann = parent["metadata"].get("annotations", {})
        path = self.write_parent(
            "parent-fields.json",
            {
                TOOLING: ann.get(TOOLING) or APPLYSET_TOOLING,
                GROUP_KINDS: ",".join(sorted(kinds)),
                ADDITIONAL_NAMESPACES: ",".join(sorted(namespaces)),
            },
        )
        self.kubectl(["apply", "--server-side", "--field-manager=kubectl-applyset", "--force-conflicts", "-f", path])

    def write_parent(self, file_name, annotations):
        """The ApplySet parent of this delivery with `annotations`, written to `file_name` in the work directory."""
        path = os.path.join(self.deps.workdir, file_name)
        parent = {
            "apiVersion": f"{PARENT_GROUP}/v1",
            "kind": PARENT_KIND,
            "metadata": {"name": self.name, "labels": {APPLYSET_ID: self.id}, "annotations": annotations},
        }
        with open(path, "w") as f:
            json.dump(parent, f)
        return path

    def apply_members(self, path, force):
        args = ["apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-f", path, "-o", "json"]
        return self.kubectl(args + (["--force-conflicts"] if force else []))

    def apply_or_undo(self, apply, path, undo):
        """`apply(path, force)` within the deadline less a reserve for `undo(error)`, which runs if it fails. Every
        existing object was checked before: it is a member (or adopted). A field conflict means someone edited a field
        of a member by hand: that is drift, and the mesh's value wins (guarantee 2). Returns kubectl's output and
        whether conflicts were overridden."""
        full_deadline = self.h.deadline
        reserve = min(CLEANUP_RESERVE_SECONDS, max(0, (full_deadline - self.deps.monotonic()) / 4))
        try:
            self.h.deadline = full_deadline - reserve
            try:
                return apply(path, False), False
            except KubectlError as e:
                if "Apply failed with" not in str(e) or "conflict" not in str(e):
                    raise
                return apply(path, True), True
        except Exception as e:
            self.h.deadline = full_deadline
            undo(e)
            raise
        finally:
            self.h.deadline = full_deadline

    def dry_run_apply(self, path, output):
        """The server-side apply of `path` as the engine makes it, in dry-run mode: the API server validates and merges
        every object (admission included) and stores nothing; returns kubectl's output in `output` format."""
        return self.kubectl(
            [
                "apply",
                "--server-side",
                f"--field-manager={FIELD_MANAGER}",
                "--force-conflicts",
                "--dry-run=server",
                "-f",
                path,
                "-o",
                output,
            ]
        )

    def prune_in_parallel(self, path, stale):
        """A mass prune: once a server-side dry run of the apply has passed (so that a bad object fails the deploy
        before anything is deleted), deletes the stale members tier by tier (routes first, namespaces last), each tier
        in parallel; the apply's own prune then finds none of them. If the apply still fails, CloudFormation's
        rollback re-applies the previous objects, these included (guarantee 4)."""
        self.dry_run_apply(path, "name")
        for r in sorted({rank(i) for i in stale}, reverse=True):
            self.delete_refs_parallel(
                f"prune-{r}",
                [ref_of(stale[i]) for i in sorted(stale) if rank(i) == r],
                transient=tuple(t for t in TRANSIENT if t not in MISSING_KIND),
            )
        logger.info("pruned %d members in parallel", len(stale))
        return len(stale)

    def create_parent(self):
        if self.get_json(["customresourcedefinitions", PARENT_RESOURCE, "--ignore-not-found"]) is None:
            path = os.path.join(self.deps.workdir, "parent-crd.json")
            with open(path, "w") as f:
                json.dump(PARENT_CRD, f)
            self.kubectl(["apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-f", path])
            self.kubectl(
                ["wait", "--for=condition=Established", f"customresourcedefinitions/{PARENT_RESOURCE}", "--timeout=60s"]
            )
        path = self.write_parent(
            "parent.json",
            {
                TOOLING: APPLYSET_TOOLING,
                GROUP_KINDS: "",
                STACK_ANNOTATION: self.stack_id,
                RESOURCE_ANNOTATION: self.logical_id,
                PATH_ANNOTATION: self.path,
                BATCHES_ANNOTATION: "",
            },
        )
        self.kubectl(["create", "-f", path])

    def apply(self, path, force):
        args = [
            "apply",
            "--server-side",
            f"--field-manager={FIELD_MANAGER}",
            f"--applyset={PARENT_RESOURCE}/{self.name}",
            "--prune",
            "-f",
            path,
            "-o",
            "json",
        ]
        return self.kubectl(args + (["--force-conflicts"] if force else []))

    def undo(self, request, error, created, adopted, created_parent):
        """After a failed apply: a Create removes what it created (never CRDs, never what existed before); any
        attempt gives adopted objects back (drops the member label). An Update's new objects stay members, so
        CloudFormation's rollback (an Update with the previous objects) prunes them."""
        remaining = []
        try:
            if adopted:
                refs = self.write_refs("unadopt.json", [ref_of(self.desired[i]) for i in adopted])
                self.kubectl(["label", "-f", refs, f"{PART_OF}-"])
            if request == "Create":
                mine = [i for i in created if i[1] != "CustomResourceDefinition"]
                remaining += [i for i in created if i[1] == "CustomResourceDefinition"]
                if mine:
                    for r in sorted({rank(i) for i in mine}, reverse=True):
                        self.delete_refs_parallel(
                            f"undo-{r}", [ref_of(self.desired[i]) for i in sorted(mine) if rank(i) == r]
                        )
                if created_parent:
                    self.kubectl(["delete", PARENT_RESOURCE, self.name, "--ignore-not-found"])
        except Exception as cleanup:  # noqa: BLE001 - whatever the cleanup raised is reported with the original error
            still = [i for i in created if request == "Create"]
            raise DeliveryError(
                f"{one_line(error)}; the cleanup failed too ({one_line(cleanup)}), these objects "
                f"created by this attempt may remain: {summarize(still, 20)}"
            ) from error
        if remaining:
            raise DeliveryError(
                f"{one_line(error)}; left in place (CRDs are never deleted): {summarize(remaining, 20)}"
            ) from error

    def write_refs(self, name, refs):
        path = os.path.join(self.deps.workdir, name)
        with open(path, "w") as f:
            f.write("\n".join(json.dumps(r) for r in refs))
        return path

    def plan(self, objects, desired, live, batch_of, known, created, adopted, stale):
        """The dry run: what a delivery would do (server-side dry run for the objects that exist)."""
        # as kubectl's ApplySet apply would send them: with the member label
        existing = [as_member(o, self.id) for o in objects if identity(o) in live]
        changed = set()
        if existing:
            path = os.path.join(self.deps.workdir, "dry-run.json")
            with open(path, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "List", "items": existing}, f)
            out = self.dry_run_apply(path, "json")
            docs = json_docs(out)
            items = docs[0].get("items", []) if docs and docs[0].get("kind") == "List" else docs
            for o in items:
                if comparable(o) != comparable(live[identity(o)]):
                    changed.add(identity(o))
        names = {
            "Create": [],
            "Update": [],
            "DriftCorrect": [],
            "Unchanged": [],
            "Prune": sorted(describe(i) for i in stale),
        }
        for i in desired:
            if i not in live:
                names["DriftCorrect" if batch_of[i] in known else "Create"].append(describe(i))
            elif i in changed:
                names["DriftCorrect" if batch_of[i] in known and i not in adopted else "Update"].append(describe(i))
            else:
                names["Unchanged"].append(describe(i))
        return {
            "Created": len(names["Create"]),
            "Updated": len(names["Update"]),
            "Pruned": len(names["Prune"]),
            "Unchanged": len(names["Unchanged"]),
            "DriftCorrected": len(names["DriftCorrect"]),
            "Adopted": len(adopted),
            "Names": names,
        }

    # -- delete -----------------------------------------------------------------------------------------------

    def delete(self):
        """Removes the members, routes first and namespaces last, waiting (bounded by the deadline) for each tier
        to be gone, finalizers included; names what remains when the time is up."""
        parent = self.get_parent()
        if parent is None:
            return {"Deleted": 0}
        members = self.members(parent)
        tiers = sorted({rank(i) for i in members}, reverse=True)
        deleted = 0
        for r in tiers:
            tier = {i: item for i, item in members.items() if rank(i) == r}
            started = self.deps.monotonic()
            if self.h.deadline - started < 5:
                raise DeliveryError(f"no time left to delete {summarize(tier)}; delete the stack again")
            self.delete_refs_parallel(
                f"delete-{r}",
                [ref_of(tier[i]) for i in sorted(tier)],
                transient=tuple(t for t in TRANSIENT if t not in MISSING_KIND),
            )
            # Wait for the tier to be gone, finalizers included, with one list per kind (kubectl's --wait
            # watches object by object, minutes for thousands), until the deadline keeps 15 s for the answer.
            while True:
                left = self.remaining(tier)
                if not left:
                    break
                if self.deps.monotonic() + 2 > self.h.deadline - 15:
                    finals = sorted({f for i in left for f in (left[i]["metadata"].get("finalizers") or [])})
                    waited = int(self.deps.monotonic() - started)
                    raise DeliveryError(
                        f"{summarize(left, 20)} still exist {waited}s after deletion (finalizers: "
                        f"{', '.join(finals) or 'none'}; namespaces wait for their contents); the controllers that own "
                        "these finalizers must still run. Nothing after them (Services, namespaces) was deleted; delete "
                        "the stack again once they are gone"
                    )
                self.deps.sleep(2)
            deleted += len(tier)
        self.kubectl(["delete", PARENT_RESOURCE, self.name, "--ignore-not-found"])
        return {"Deleted": deleted}

    def delete_refs_parallel(self, name, refs, transient=TRANSIENT):
        """Deletes `refs` (one tier: nothing among them waits for another) with up to DELETE_WORKERS kubectl processes
        at once, each with its share: kubectl deletes object by object, so one process for 5,000 objects spends
        minutes in request round trips."""
        if not refs:
            return
        workers = max(1, min(DELETE_WORKERS, len(refs) // 50 or 1))
        shares = [refs[i::workers] for i in range(workers)]
        paths = [self.write_refs(f"{name}-{i}.json", share) for i, share in enumerate(shares)]

        def run(path):
            self.kubectl(["delete", "-f", path, "--ignore-not-found", "--wait=false"], transient=transient)

        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for f in [pool.submit(run, path) for path in paths]:
                f.result()  # the first failure is raised, after every share has run

    def remaining(self, tier):
        """The objects of `tier` that still exist (one list per kind, by the member label)."""
        left = {}
        for kv in sorted({f"{item['apiVersion']}/{item['kind']}" for item in tier.values()}):
            for item in self.list_kind(kv, f"{PART_OF}={self.id}") or []:
                if identity(item) in tier:
                    left[identity(item)] = item
        return left


def one_line(e):
    return " ".join(str(e).split())


# -- local delivery (the CLI) -----------------------------------------------------------------------------------


class LocalDeps(Deps):
    """The same engine outside Lambda: S3 replaced by the cloud assembly's asset files, the user's kubeconfig."""

    def __init__(self, assets, kubeconfig, context, kubectl_bin):
        self.workdir = tempfile.mkdtemp()
        self.assets = assets
        self.kubectl_bin = kubectl_bin
        args = [kubectl_bin, "config", "view", "--minify", "--flatten", "-o", "json"]
        if kubeconfig:
            args += ["--kubeconfig", kubeconfig]
        if context:
            args += ["--context", context]
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise DeliveryError(f"kubeconfig {kubeconfig or '(default)'}: {one_line(proc.stderr)}")
        self.local_kubeconfig = os.path.join(self.workdir, "kubeconfig")
        fd = os.open(self.local_kubeconfig, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(proc.stdout)

    def s3_get(self, bucket, key):
        if key not in self.assets:
            raise DeliveryError(f"batch {key} is not in the cloud assembly; synthesize the app again")
        with open(self.assets[key], "rb") as f:
            return f.read()

    def kubectl(self, args, timeout=840):
        try:
            proc = subprocess.run(
                [self.kubectl_bin] + args, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return 124, "", f"kubectl did not finish within {timeout:.0f}s"
        return proc.returncode, proc.stdout, proc.stderr


def main():
    """`python3 index.py < request.json`: one mesh delivery outside Lambda (used by `cdk-cilium-mesh deliver`).
    Prints the result as JSON; errors as {"Error": "..."} with exit code 1."""
    import sys

    logging.basicConfig(level=logging.WARNING)
    logger.setLevel(logging.WARNING)
    req = json.load(sys.stdin)
    deps = None
    try:
        deps = LocalDeps(req["Assets"], req.get("Kubeconfig"), req.get("Context"), req.get("Kubectl") or "kubectl")
        budget = float(req.get("TimeoutSeconds", 840))
        h = Handler(
            deps, wait_seconds=float(req.get("WaitSeconds", 0)), retry_seconds=2, deadline=deps.monotonic() + budget
        )
        print(json.dumps(h.handle(req["Event"])))
        return 0
    except (KubectlError, DeliveryError, ValueError) as e:
        print(json.dumps({"Error": one_line(e)}))
        return 1
    finally:
        if deps is not None:
            shutil.rmtree(deps.workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
