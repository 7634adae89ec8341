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

OWNER_LABEL = 'cdk-cilium-mesh.io/owner'
BATCH_LABEL = 'cdk-cilium-mesh.io/batch'
FIELD_MANAGER = 'cdk-cilium-mesh'
# Errors after which waiting helps: CRDs not registered yet (the Cilium operator registers its CRDs after the
# Helm release returns), access entry not yet effective, API server connectivity blips.
TRANSIENT = ('no matches for kind', "doesn't have a resource type", 'ensure CRDs are installed first',
             'Unauthorized', 'i/o timeout', 'connection refused', 'TLS handshake timeout',
             'the server is currently unable to handle the request', 'EOF')
MISSING_KIND = ('no matches for kind', "doesn't have a resource type", 'the server could not find the requested resource')
UNREACHABLE = ('i/o timeout', 'connection refused', 'no such host', 'TLS handshake timeout')
# Kinds other objects may need to exist first: their batches are applied before the others (the batch planner
# also puts them first inside a batch, as kubectl applies a file in order).
FOUNDATION_KINDS = ('Namespace', 'CustomResourceDefinition')


class KubectlError(Exception):
    pass


class Deps:
    """Everything that talks to the outside; replaced by fakes in the unit tests."""

    def __init__(self):
        path = os.environ.get('PATH', '')
        if '/opt/kubectl' not in path.split(':'):  # warm containers reuse the environment
            os.environ['PATH'] = '/opt/kubectl:' + path
        self.workdir = tempfile.mkdtemp()

    def s3_get(self, bucket, key):
        import boto3
        return boto3.client('s3').get_object(Bucket=bucket, Key=key)['Body'].read()

    def url_get(self, url):
        with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310 (https URL pinned by sha256)
            return r.read()

    def token(self, cluster_name):
        """EKS bearer token: a presigned STS GetCallerIdentity URL carrying the x-k8s-aws-id header."""
        import boto3
        from botocore.signers import RequestSigner
        session = boto3.session.Session()
        sts = session.client('sts')
        signer = RequestSigner(sts.meta.service_model.service_id, sts.meta.region_name, 'sts', 'v4',
                               session.get_credentials(), session.events)
        url = signer.generate_presigned_url(
            {'method': 'GET', 'url': sts.meta.endpoint_url + '/?Action=GetCallerIdentity&Version=2011-06-15',
             'body': {}, 'headers': {'x-k8s-aws-id': cluster_name}, 'context': {}},
            region_name=sts.meta.region_name, expires_in=60, operation_name='')
        return 'k8s-aws-v1.' + base64.urlsafe_b64encode(url.encode()).decode().rstrip('=')

    def kubectl(self, args, timeout=840):
        try:
            proc = subprocess.run(['kubectl'] + args, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return 124, '', f'kubectl did not finish within {timeout:.0f}s (the Lambda time left)'
        return proc.returncode, proc.stdout, proc.stderr

    def sleep(self, seconds):
        time.sleep(seconds)

    def monotonic(self):
        return time.monotonic()


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
    decoder = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = decoder.raw_decode(text, i)
        out.extend(obj.get('items', []) if obj.get('kind') == 'List' else [obj])


def kind_ref(kind):
    """`group/version/Kind` → the kubectl resource argument `Kind.version.group` (core: `Kind`)."""
    parts = kind.split('/')
    if len(parts) == 2:
        return parts[1]
    return f'{parts[2]}.{parts[1]}.{parts[0]}'


def kind_ref_any_version(kind):
    """`group/version/Kind` → `Kind.group` (core: `Kind`): the kind at the server's preferred version."""
    parts = kind.split('/')
    return parts[-1] if len(parts) == 2 else f'{parts[2]}.{parts[0]}'


def source_id(source):
    return source['Sha256'][:16]


class Handler:
    def __init__(self, deps, wait_seconds=600, retry_seconds=10, deadline=None):
        self.deps = deps
        self.wait_seconds = wait_seconds
        self.retry_seconds = retry_seconds
        # One deadline for the whole invocation (monotonic clock): every kubectl call and retry fits before it.
        self.deadline = deadline if deadline is not None else deps.monotonic() + 840

    def handle(self, event):
        logger.info(json.dumps({k: v for k, v in event.items() if k != 'ResponseURL'}))
        props = event['ResourceProperties']
        self.props = props
        self.owner = props['Owner']
        self.kubeconfig = os.path.join(self.deps.workdir, 'kubeconfig')
        kind = event['RequestType']
        if kind == 'Delete':
            deleted = 0 if props.get('RetainOnDelete') == 'true' else self.delete_owned(props.get('Kinds', []))
            return {'PhysicalResourceId': event.get('PhysicalResourceId', self.owner), 'Data': {'Deleted': deleted}}
        old = event.get('OldResourceProperties', {}) if kind == 'Update' else {}
        same_target = all(old.get(k) == props.get(k) for k in ('ClusterName', 'Endpoint', 'Owner'))
        known = {s['Sha256'] for s in old.get('Sources', [])} if same_target else set()
        changed = [s for s in props['Sources'] if s['Sha256'] not in known]
        try:
            applied = self.apply_sources(changed)
        except Exception:
            # After a failed Create the provider framework answers CloudFormation's Delete itself, without calling
            # this handler: remove what this attempt applied now, or it stays in the cluster unowned by any stack.
            if kind == 'Create' and props.get('RetainOnDelete') != 'true':
                try:
                    self.delete_owned(props.get('Kinds', []))
                except Exception as cleanup:  # the original error matters more
                    logger.warning('cleanup after the failed create failed: %s', cleanup)
            raise
        pruned = 0
        if props.get('Prune') == 'true':
            kinds = sorted(set(props.get('Kinds', [])) | set(old.get('Kinds', [])))
            pruned = self.prune(kinds, [source_id(s) for s in props['Sources']])
        return {'PhysicalResourceId': self.owner, 'Data': {'Applied': applied, 'Pruned': pruned}}

    # -- kubectl plumbing ---------------------------------------------------------------------------------

    def write_kubeconfig(self):
        p = self.props
        config = {
            'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'eks',
            'clusters': [{'name': 'eks', 'cluster': {'server': p['Endpoint'],
                                                     'certificate-authority-data': p['CertificateAuthorityData']}}],
            'users': [{'name': 'cdk', 'user': {'token': self.deps.token(p['ClusterName'])}}],
            'contexts': [{'name': 'eks', 'context': {'cluster': 'eks', 'user': 'cdk'}}],
        }
        # batches are applied by parallel threads: write a private file, then swap it in atomically, so that a
        # kubectl started by another thread never reads a half-written kubeconfig
        tmp = f'{self.kubeconfig}.{threading.get_ident()}'
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            json.dump(config, f)
        os.replace(tmp, self.kubeconfig)

    def kubectl(self, args, transient=TRANSIENT, remote=True):
        """Runs kubectl; retries errors in `transient` until the wait budget is used up."""
        deadline = min(self.deps.monotonic() + self.wait_seconds, self.deadline)
        while True:
            left = self.deadline - self.deps.monotonic()
            if left <= 0:
                raise KubectlError(f'kubectl {" ".join(args)} not started: the Lambda time is used up')
            if remote:
                self.write_kubeconfig()  # fresh token (EKS tokens live 15 minutes)
                full = ['--kubeconfig', self.kubeconfig] + args
            else:
                full = args
            rc, out, err = self.deps.kubectl(full, timeout=left)
            if rc == 0:
                return out
            if any(t in err for t in transient) and self.deps.monotonic() + self.retry_seconds < deadline:
                logger.info('kubectl %s: %s; retrying in %ss', args[0], err.strip(), self.retry_seconds)
                self.deps.sleep(self.retry_seconds)
                continue
            raise KubectlError(f'kubectl {" ".join(args)} failed: {err.strip()}')

    # -- apply --------------------------------------------------------------------------------------------

    def fetch(self, source):
        bucket = source.get('Bucket', self.props.get('Bucket'))
        data = self.deps.s3_get(bucket, source['Key']) if 'Key' in source else self.deps.url_get(source['Url'])
        digest = hashlib.sha256(data).hexdigest()
        if digest != source['Sha256']:
            where = source.get('Url') or f"s3://{bucket}/{source['Key']}"
            raise ValueError(f'sha256 of {where} is {digest}, expected {source["Sha256"]}; refusing to apply it')
        return data

    def prepare_source(self, source):
        """Downloads, verifies and labels one batch (offline); returns (batch id, file, objects)."""
        batch = source_id(source)
        raw = os.path.join(self.deps.workdir, f'{batch}.src')
        with open(raw, 'wb') as f:
            f.write(self.fetch(source))
        labeled = self.kubectl(['label', '--local', '-f', raw, '--overwrite', '-o', 'json',
                                f'{OWNER_LABEL}={self.owner}', f'{BATCH_LABEL}={batch}'], transient=(), remote=False)
        objects = parse_stream(labeled)
        path = os.path.join(self.deps.workdir, f'{batch}.json')
        with open(path, 'w') as f:
            f.write('\n'.join(json.dumps(o) for o in objects))
        return batch, path, objects

    def apply_prepared(self, prepared):
        batch, path, objects = prepared
        self.kubectl(['apply', '--server-side', f'--field-manager={FIELD_MANAGER}', '--force-conflicts', '-f', path])
        if any(o.get('kind') == 'CustomResourceDefinition' for o in objects):
            wait = max(1, min(300, int(self.deadline - self.deps.monotonic())))
            self.kubectl(['wait', '--for=condition=Established', 'customresourcedefinitions',
                          '-l', f'{OWNER_LABEL}={self.owner},{BATCH_LABEL}={batch}', f'--timeout={wait}s'])
        return len(objects)

    def apply_sources(self, sources):
        """Applies batches: those with Namespaces or CRDs first, one by one, then the others four at a time."""
        if not sources:
            return 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            prepared = list(pool.map(self.prepare_source, sources))
            foundation = [p for p in prepared if any(o.get('kind') in FOUNDATION_KINDS for o in p[2])]
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
                    out = self.kubectl(['get', ref, '--all-namespaces', '-l', selector, '-o', 'json'],
                                       transient=tuple(t for t in TRANSIENT if t not in MISSING_KIND))
                    break
                except KubectlError as e:
                    if not any(t in str(e) for t in MISSING_KIND):
                        raise
            if out is None:
                continue  # kind not served at all (CRD gone): nothing of it can exist
            for item in json.loads(out).get('items', []):
                meta = item['metadata']
                ref = {'apiVersion': item['apiVersion'], 'kind': item['kind'], 'metadata': {'name': meta['name']}}
                if meta.get('namespace'):
                    ref['metadata']['namespace'] = meta['namespace']
                found.append(ref)
        return found

    def delete_refs(self, refs):
        if not refs:
            return 0
        path = os.path.join(self.deps.workdir, 'delete.json')
        with open(path, 'w') as f:
            f.write('\n'.join(json.dumps(r) for r in refs))
        self.kubectl(['delete', '-f', path, '--ignore-not-found', '--wait=false'])
        return len(refs)

    def prune(self, kinds, current):
        selector = f'{OWNER_LABEL}={self.owner}'
        if current:  # with no batch left, every owned object goes
            selector += f',{BATCH_LABEL} notin ({",".join(sorted(current))})'
        refs = self.list_owned(kinds, selector)
        logger.info('pruning %d objects no longer in the mesh', len(refs))
        return self.delete_refs(refs)

    def delete_owned(self, kinds):
        try:
            return self.delete_refs(self.list_owned(kinds, f'{OWNER_LABEL}={self.owner}'))
        except KubectlError as e:
            if any(t in str(e) for t in UNREACHABLE):
                logger.warning('cluster unreachable, nothing deleted: %s', e)
                return 0
            raise
