"""Deploys the Kubernetes side of one synthesized stack to a live kube-apiserver, as CloudFormation would.

The custom resources that act on the cluster are driven in the order the template declares (DependsOn and
references, ties broken by logical id):
- Custom::CiliumMeshObjects: the library's own delivery handler (lib/delivery/handler/index.py, class
  Handler) with the kubectl binary of the Lambda layer. Only the outside world is replaced, behind the handler's
  Deps seam: S3 reads come from the assembly's asset files, pinned URLs from local files whose sha256 the handler
  checks as usual, the EKS token is the test server's static token, and the endpoint and CA (which the function
  gets in its environment) are the test server's.
- Custom::AWSCDK-EKS-HelmChart: `helm upgrade --install` of the real chart (from the Go module proxy) with the
  rendered values, with the helm binary of the layer, without --wait (no pods run here). After a Cilium release,
  the line's Cilium CRDs are applied, standing in for the operator that registers them at run time.
- Custom::AWSCDK-EKS-KubernetesResource: `kubectl apply` of the manifest.
Every object a delivery sent is then read back and compared with what was sent (every sent field must be stored
unchanged; the server may add fields). Prints one JSON report on stdout.

Usage: python3 drive_stack.py CONFIG.json   (see test/live/deploy.ts for the fields)
"""

import base64
import glob
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

CONFIG = json.loads(Path(sys.argv[1]).read_text())
sys.path.insert(0, os.path.join(CONFIG["root"], "lib", "delivery", "handler"))
import index

STATE = CONFIG["state"]
TOOLS = CONFIG["tools"]
KUBECTL = os.path.join(TOOLS, "kubectl", "kubectl")
HELM = os.path.join(TOOLS, "helm", "helm")
KUBECONFIG = os.path.join(STATE, "kubeconfig")
ENDPOINT = f"https://127.0.0.1:{Path(STATE, 'apiserver.port').read_text().strip()}"
CA_DATA = base64.b64encode(Path(STATE, "pki", "ca.crt").read_bytes()).decode()
TOKEN = Path(STATE, "token").read_text().strip()
ASSEMBLY = CONFIG["assembly"]


def kubectl(*args, input=None, check=True):
    p = subprocess.run(
        [KUBECTL, "--kubeconfig", KUBECONFIG, *args], capture_output=True, text=True, input=input, check=False
    )
    if check and p.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {p.stderr.strip()}")
    return p


class LocalDeps(index.Deps):
    """The handler's Deps with S3, pinned downloads and the EKS token replaced by local stand-ins."""

    def __init__(self):
        super().__init__()
        os.environ["PATH"] = os.path.join(TOOLS, "kubectl") + ":" + os.environ["PATH"]
        # what DeliveryProvider binds into the function's environment at synth: the handler takes the cluster from
        # there, never from the event
        os.environ.update({"CLUSTER_NAME": "test", "CLUSTER_ENDPOINT": ENDPOINT, "CLUSTER_CA": CA_DATA})
        self.s3_reads = []
        self.url_reads = []

    def s3_get(self, bucket, key):
        self.s3_reads.append((bucket, key))
        path = os.path.join(ASSEMBLY, "asset." + key)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"s3://{bucket}/{key}: no such asset in {ASSEMBLY}")
        with open(path, "rb") as f:
            return f.read()

    def url_get(self, url):
        self.url_reads.append(url)
        local = CONFIG["urls"].get(url)
        if local is None:
            raise FileNotFoundError(f"{url}: no local stand-in configured (test/live/deploy.ts urlStandIns)")
        with open(local, "rb") as f:
            return f.read()

    def token(self, cluster_name):
        return TOKEN


# -- the template ------------------------------------------------------------------------------------------


def refs_of(value, out):
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            out.add(value["Ref"])
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            out.add(att[0] if isinstance(att, list) else att.split(".")[0])
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            out.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text))
        for v in value.values():
            refs_of(v, out)
    elif isinstance(value, list):
        for v in value:
            refs_of(v, out)
    return out


def declared_order(resources):
    """Topological order of the resources (DependsOn + Ref/GetAtt/Sub), ties broken by logical id."""
    deps = {}
    for rid, r in resources.items():
        d = r.get("DependsOn", [])
        d = set([d] if isinstance(d, str) else d)
        d |= refs_of(r.get("Properties", {}), set())
        deps[rid] = {x for x in d if x in resources and x != rid}
    done, order = set(), []
    while len(order) < len(resources):
        ready = sorted(rid for rid in resources if rid not in done and deps[rid] <= done)
        if not ready:
            raise RuntimeError("dependency cycle in template")
        for rid in ready:
            done.add(rid)
            order.append(rid)
    return order


def resolve(value, resources):
    """Resolves the intrinsics the cluster-facing properties use, with this test server as the EKS cluster."""
    if isinstance(value, list):
        return [resolve(v, resources) for v in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        ref = value["Ref"]
        return {
            "AWS::AccountId": "123456789012",
            "AWS::Region": "us-east-1",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }.get(ref, ref)
    if "Fn::GetAtt" in value:
        rid, att = value["Fn::GetAtt"] if isinstance(value["Fn::GetAtt"], list) else value["Fn::GetAtt"].split(".", 1)
        rtype = resources.get(rid, {}).get("Type", "")
        if rtype == "AWS::EKS::Cluster" and att == "Endpoint":
            return ENDPOINT
        if rtype == "AWS::EKS::Cluster" and att == "CertificateAuthorityData":
            return CA_DATA
        return f"{rid}.{att}"
    if "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(str(resolve(p, resources)) for p in parts)
    if "Fn::Split" in value:
        sep, text = value["Fn::Split"]
        return str(resolve(text, resources)).split(sep)
    if "Fn::Select" in value:
        i, items = value["Fn::Select"]
        return resolve(items, resources)[int(i)]
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(resolve({"Ref": m.group(1)}, resources)), text)
    return {k: resolve(v, resources) for k, v in value.items()}


# -- read-back ---------------------------------------------------------------------------------------------

# Fields of what is sent that the API server is documented to replace, and so are not compared:
# metadata.creationTimestamp (`null` in release files; set by the server) and status (ignored on create for
# kinds with a status subresource, which every kind we deliver has or lacks status entirely).
IGNORED = (("metadata", "creationTimestamp"), ("status",))


def differences(sent, stored, path=()):
    if path in IGNORED:
        return []
    if isinstance(sent, dict):
        if not isinstance(stored, dict):
            return [f"{'/'.join(path)}: sent an object, stored {json.dumps(stored)[:80]}"]
        out = []
        for k, v in sent.items():
            if (*path, k) in IGNORED:
                continue
            if k not in stored:
                if v in (None, {}, []):
                    continue  # an empty value is the same as an absent one for the API server's decoders
                out.append(f"{'/'.join((*path, k))}: sent {json.dumps(v)[:80]}, not stored (pruned)")
            else:
                out.extend(differences(v, stored[k], (*path, k)))
        return out
    if isinstance(sent, list):
        if not isinstance(stored, list) or len(stored) != len(sent):
            return [f"{'/'.join(path)}: sent {len(sent)} items, stored {json.dumps(stored)[:80]}"]
        out = []
        for i, (a, b) in enumerate(zip(sent, stored)):
            out.extend(differences(a, b, (*path, str(i))))
        return out
    if sent != stored:
        return [f"{'/'.join(path)}: sent {json.dumps(sent)}, stored {json.dumps(stored)}"]
    return []


def identity(o):
    m = o["metadata"]
    return f"{o['kind']} {m.get('namespace', '') + '/' if m.get('namespace') else ''}{m['name']}"


def read_back(objects):
    """Reads every object back (one kubectl get per batch) and compares it with what was sent."""
    problems = []
    if not objects:
        return problems
    path = os.path.join(STATE, "readback.json")
    with open(path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": objects}, f)
    p = kubectl("get", "-f", path, "-o", "json", check=False)
    if p.returncode != 0:
        return [f"read-back failed: {p.stderr.strip()}"]
    got = json.loads(p.stdout)
    items = got.get("items", [got]) if got.get("kind") == "List" else [got]
    stored = {identity(o): o for o in items}
    for o in objects:
        s = stored.get(identity(o))
        if s is None:
            problems.append(f"{identity(o)}: not found after apply")
            continue
        problems.extend(f"{identity(o)}: {d}" for d in differences(o, s))
    return problems


def batch_objects(data):
    text = data.decode()
    return index.parse_stream(text)


# -- drivers -----------------------------------------------------------------------------------------------


def drive_objects(rid, props, report, late_crds=None):
    report.setdefault("seen", {})[rid] = observe()
    deps = LocalDeps()
    handler = index.Handler(deps, wait_seconds=CONFIG.get("waitSeconds", 120), retry_seconds=1)
    event = {
        "RequestType": "Create",
        "ResourceProperties": props,
        "LogicalResourceId": rid,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/live/0",
    }
    started = time.monotonic()
    if late_crds:
        timer = threading.Timer(late_crds["after"], late_crds["apply"])
        timer.start()
    result = handler.handle(event)
    if late_crds:
        timer.join()
    sent = []
    for s in props.get("Sources", []):
        data = deps.s3_get(props.get("Bucket"), s["Key"]) if "Key" in s else deps.url_get(s["Url"])
        sent.extend(batch_objects(data) if "Key" in s else yaml_objects(data))
    problems = read_back(sent)
    report["resources"].append(
        {
            "id": rid,
            "type": "Custom::CiliumMeshObjects",
            "seconds": round(time.monotonic() - started, 2),
            "result": result.get("Data"),
            "objects": len(sent),
            "problems": problems,
        }
    )
    report["objects"] += len(sent)
    report["readBackDifferences"] += len(problems)


def yaml_objects(data):
    """The objects of a multi-document YAML file (release files), through kubectl's own decoder."""
    # `label --local` decodes offline (the handler prepares batches the same way); removing an absent label is a no-op.
    p = subprocess.run(
        [KUBECTL, "label", "--local", "-o", "json", "-f", "-", "cdk-cilium-mesh.io/decode-"],
        capture_output=True,
        text=True,
        input=data.decode(),
        check=False,
    )
    if p.returncode != 0:
        raise RuntimeError(f"cannot decode release file: {p.stderr.strip()}")
    return index.parse_stream(p.stdout)


def chart_for(name, version):
    c = CONFIG["charts"].get(f"{name}@{version}")
    if c is None:
        raise RuntimeError(f"no local chart for {name} {version} (test/live/charts.ts)")
    return c


def apply_crds(dirs):
    files = sorted(f for d in dirs for f in glob.glob(os.path.join(d, "*.yaml")))
    # One kubectl for all the files (one per file cost ~1.3 CPU-s more per Cilium install, 22 files on 1.20).
    file_args = [a for f in files for a in ("-f", f)]
    kubectl("apply", "--server-side", "--field-manager=cilium-operator-stand-in", *file_args)
    kubectl("wait", "--for=condition=Established", "--timeout=60s", *file_args)
    return len(files)


def observe():
    """What exists now that ordering depends on: the Gateway API CRDs, the Helm releases, the Cilium CRDs."""
    crds = json.loads(kubectl("get", "customresourcedefinitions", "-o", "json").stdout)["items"]
    groups = sorted({c["spec"]["group"] for c in crds})
    p = subprocess.run(
        [HELM, "--kubeconfig", KUBECONFIG, "list", "--all-namespaces", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    releases = sorted(f"{r['namespace']}/{r['name']}:{r['status']}" for r in json.loads(p.stdout or "[]"))
    return {"crdGroups": groups, "releases": releases}


def drive_helm(rid, props, report):
    report.setdefault("seen", {})[rid] = observe()
    chart = chart_for(props["Chart"], props["Version"])
    values = props.get("Values") or "{}"
    values_file = os.path.join(STATE, f"{rid}.values.json")
    with open(values_file, "w") as f:
        f.write(values if isinstance(values, str) else json.dumps(values))
    started = time.monotonic()
    args = [
        HELM,
        "--kubeconfig",
        KUBECONFIG,
        "upgrade",
        "--install",
        props["Release"],
        chart["chart"],
        "--namespace",
        props.get("Namespace", "default"),
        "-f",
        values_file,
    ]
    if props.get("CreateNamespace") == "true" or props.get("CreateNamespace") is True:
        args.append("--create-namespace")
    p = subprocess.run(args, capture_output=True, text=True, check=False)
    entry = {
        "id": rid,
        "type": "Custom::AWSCDK-EKS-HelmChart",
        "chart": props["Chart"],
        "version": props["Version"],
        "chartVersion": chart["version"],
        "seconds": round(time.monotonic() - started, 2),
        "problems": [],
    }
    report["chartInstalls"] += 1
    if p.returncode != 0:
        entry["problems"].append(f"helm install failed: {p.stderr.strip()[-2000:]}")
    elif props["Chart"] == "cilium" and not CONFIG.get("lateCiliumCrds"):
        entry["crdFiles"] = apply_crds(chart["crds"])
    report["resources"].append(entry)


def drive_manifest(rid, props, report):
    manifest = props["Manifest"]
    objects = json.loads(manifest) if isinstance(manifest, str) else manifest
    p = kubectl(
        "apply",
        "--server-side",
        "--field-manager=eks-kubectl-stand-in",
        "-f",
        "-",
        input=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}),
        check=False,
    )
    problems = [] if p.returncode == 0 else [f"apply failed: {p.stderr.strip()}"]
    if not problems:
        problems = read_back(objects)
    report["resources"].append(
        {"id": rid, "type": "Custom::AWSCDK-EKS-KubernetesResource", "objects": len(objects), "problems": problems}
    )
    report["objects"] += len(objects)
    report["readBackDifferences"] += len(problems)


def drive_gitops(report):
    """A cdk8s app's YAML, applied as a GitOps tool would (server-side), after the CRDs a Cilium install provides."""
    for f in CONFIG.get("prerequisiteFiles", []):
        kubectl("apply", "--server-side", "--field-manager=prerequisites", "-f", f)
    crd_count = apply_crds(CONFIG.get("ciliumCrds", []))
    report["resources"].append({"id": "prerequisites", "type": "crds", "crdFiles": crd_count, "problems": []})
    for f in CONFIG["manifestFiles"]:
        with open(f, "rb") as fh:
            objects = yaml_objects(fh.read())
        p = kubectl("apply", "--server-side", "--field-manager=gitops-stand-in", "-f", f, check=False)
        problems = [f"apply failed: {p.stderr.strip()}"] if p.returncode != 0 else read_back(objects)
        report["resources"].append(
            {"id": os.path.basename(f), "type": "manifest-file", "objects": len(objects), "problems": problems}
        )
        report["objects"] += len(objects)
        report["readBackDifferences"] += len(problems)


class CountingDeps(LocalDeps):
    """LocalDeps that counts kubectl processes (the deploy-time benchmark reports them)."""

    def __init__(self):
        super().__init__()
        self.kubectl_calls = 0
        self.lock = threading.Lock()

    def kubectl(self, args, timeout=840):
        with self.lock:
            self.kubectl_calls += 1
        return super().kubectl(args, timeout)


def mesh_delivery_props(template_path):
    """The resolved properties of the one mesh delivery (a Custom::CiliumMeshObjects with a Bucket) of a template."""
    resources = json.loads(Path(template_path).read_text())["Resources"]
    found = [
        (rid, r)
        for rid, r in sorted(resources.items())
        if r["Type"] == "Custom::CiliumMeshObjects" and "Bucket" in r["Properties"]
    ]
    if len(found) != 1:
        raise RuntimeError(f"{template_path}: expected one mesh delivery, found {len(found)}")
    rid, r = found[0]
    return rid, resolve({k: v for k, v in r["Properties"].items() if k != "ServiceToken"}, resources)


def drive_lifecycle(report):
    """Create, then each Update, then Delete of one mesh delivery, timed (the deploy-time benchmark)."""
    global ASSEMBLY
    import resource

    old = rid = None
    for step in CONFIG["lifecycle"]:
        ASSEMBLY = step.get("assembly", ASSEMBLY)
        rid, props = mesh_delivery_props(step["template"]) if "template" in step else (rid, old)
        stack_id = "arn:aws:cloudformation:us-east-1:123456789012:stack/bench/0"
        event = {
            "RequestType": step["request"],
            "ResourceProperties": props,
            "LogicalResourceId": rid,
            "StackId": stack_id,
            "PhysicalResourceId": props["Owner"],
        }
        if step["request"] == "Update":
            event["OldResourceProperties"] = old
        deps = CountingDeps()
        if step["request"] == "Reconcile":
            # the scheduled reconcile's event; the handler reads the deployed properties (the last step's) from the
            # stack, here from this stand-in for CloudFormation's DescribeStacks and GetTemplate
            event = {"RequestType": "Reconcile", "StackId": stack_id, "LogicalResourceId": rid}
            deployed = {"Resources": {rid: {"Properties": props}}}
            deps.deployed_stack = lambda _stack_id, deployed=deployed: ("UPDATE_COMPLETE", deployed)
        handler = index.Handler(deps, wait_seconds=120, retry_seconds=1)
        # Delete waits until the mesh's namespaces are gone: the server's kube-controller-manager runs the namespace
        # controller (scripts/kube/start.sh), as on EKS.
        started = time.monotonic()
        result = handler.handle(event)
        seconds = time.monotonic() - started
        report["steps"].append(
            {
                "request": step["request"],
                "label": step.get("label", step["request"]),
                "seconds": round(seconds, 2),
                "kubectlCalls": deps.kubectl_calls,
                "data": result.get("Data"),
                # ru_maxrss is in KiB on Linux: the handler process, and the largest kubectl it started
                "handlerPeakMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "kubectlPeakMiB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            }
        )
        old = props


def drive_template(report):
    """The cluster-facing custom resources of CONFIG['template'], in declared order."""
    resources = json.loads(Path(CONFIG["template"]).read_text())["Resources"]
    report["template"] = os.path.basename(CONFIG["template"])
    late = None
    if CONFIG.get("lateCiliumCrds"):
        crd_dirs = next(iter(CONFIG["charts"].values()))["crds"]

        def register_late():
            try:
                report["lateCrdFiles"] = apply_crds(crd_dirs)
            except Exception as e:  # noqa: BLE001 (reported, the test fails on it)
                report["error"] = f"late CRD registration failed: {e}"

        late = {"after": CONFIG["lateCiliumCrds"], "apply": register_late}
    for rid in declared_order(resources):
        r = resources[rid]
        t = r["Type"]
        if t == "Custom::CiliumMeshObjects":
            props = resolve({k: v for k, v in r["Properties"].items() if k != "ServiceToken"}, resources)
            report["order"].append(rid)
            drive_objects(rid, props, report, late if "Bucket" in props else None)
        elif t == "Custom::AWSCDK-EKS-HelmChart":
            report["order"].append(rid)
            drive_helm(rid, resolve(r["Properties"], resources), report)
        elif t == "Custom::AWSCDK-EKS-KubernetesResource":
            report["order"].append(rid)
            drive_manifest(rid, resolve(r["Properties"], resources), report)
        elif t.startswith("Custom::") and t not in CONFIG.get("notClusterFacing", []):
            report["resources"].append({"id": rid, "type": t, "problems": [f"custom resource type {t} is not driven"]})


def main():
    if CONFIG.get("lifecycle"):
        report, drive = {"steps": [], "error": None}, drive_lifecycle
    else:
        report = {
            "template": None,
            "resources": [],
            "objects": 0,
            "chartInstalls": 0,
            "readBackDifferences": 0,
            "order": [],
            "error": None,
        }
        drive = drive_gitops if CONFIG.get("manifestFiles") else drive_template
    try:
        drive(report)
    except Exception as e:  # noqa: BLE001 (the report says what failed; the test fails on it)
        report["error"] = report["error"] or f"{type(e).__name__}: {e}"
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
