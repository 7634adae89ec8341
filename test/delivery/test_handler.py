"""Unit tests of the delivery handler with a fake kubectl (in-memory cluster) and fake S3/HTTP/STS.

Run: python3 -m unittest discover -s test/delivery -p 'test_*.py' (the jest test handler.test.ts does).
REAL_KUBECTL (set by the jest test from the kubectl layer zip) enables the test against the real binary.
"""

import base64
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import unittest.mock

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib", "delivery", "handler"))
import index

OWNER = "c8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
CNP = "cilium.io/v2/CiliumNetworkPolicy"
NAMESPACE = "v1/Namespace"


def cnp(name, ns="team-a", port="80", labels=None):
    meta = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = labels
    return {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNetworkPolicy",
        "metadata": meta,
        "spec": {"endpointSelector": {}, "ingress": [{"toPorts": [{"ports": [{"port": port}]}]}]},
    }


def batch(*objs):
    data = ("\n".join(json.dumps(o, sort_keys=True) for o in objs) + "\n").encode()
    return data, hashlib.sha256(data).hexdigest()


def ident(o):
    return (o["apiVersion"].split("/")[0], o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


class FakeDeps:
    """In-memory API server behind a kubectl-shaped interface, plus S3/URL/STS fakes."""

    def __init__(self, served=(CNP,), not_ready_calls=0):
        self.workdir = tempfile.mkdtemp()
        self.s3, self.urls, self.objects, self.calls = {}, {}, {}, []
        self.served = set(served)
        self.not_ready_calls = not_ready_calls
        self.slept = 0
        self.real_kubectl = None

    # fakes of the outside world
    def s3_get(self, bucket, key):
        return self.s3[(bucket, key)]

    def url_get(self, url):
        return self.urls[url]

    def token(self, cluster_name):
        return "k8s-aws-v1.fake-" + cluster_name

    def sleep(self, s):
        self.slept += s

    def monotonic(self):
        return self.slept

    def put(self, data, key):
        self.s3[("bucket", key)] = data

    # kubectl
    def kubectl(self, args, timeout=None):
        assert timeout is None or timeout > 0, timeout
        self.calls.append(args)
        if args[0] == "--kubeconfig":
            with open(args[1]) as f:
                assert json.load(f)["users"][0]["user"]["token"].startswith("k8s-aws-v1.")
            args = args[2:]
        verb = args[0]
        if verb == "label":
            return self.label(args)
        if self.not_ready_calls > 0:
            self.not_ready_calls -= 1
            return (
                1,
                "",
                'error: resource mapping not found: no matches for kind "CiliumNetworkPolicy" in version "cilium.io/v2"',
            )
        return getattr(self, "do_" + verb)(args)

    def label(self, args):
        if self.real_kubectl:
            p = subprocess.run([self.real_kubectl] + args, capture_output=True, text=True, check=False)
            return p.returncode, p.stdout, p.stderr
        path = args[args.index("-f") + 1]
        pairs = dict(a.split("=", 1) for a in args if "=" in a and not a.startswith("-"))
        with open(path) as f:
            objs = index.parse_stream(f.read())
        for o in objs:
            o["metadata"].setdefault("labels", {}).update(pairs)
        return 0, "".join(json.dumps(o, indent=4) + "\n" for o in objs), ""

    def read(self, args):
        with open(args[args.index("-f") + 1]) as f:
            return index.parse_stream(f.read())

    def do_apply(self, args):
        assert "--server-side" in args and "--field-manager=cdk-cilium-mesh" in args and "--force-conflicts" in args
        for o in self.read(args):
            if f"{o['apiVersion']}/{o['kind']}" not in self.served:
                return 1, "", f'no matches for kind "{o["kind"]}"'
            ns = o["metadata"].get("namespace")
            if ns and NAMESPACE in self.served and ("v1", "Namespace", "", ns) not in self.objects:
                return 1, "", f'Error from server (NotFound): namespaces "{ns}" not found'
            self.objects[ident(o)] = o
        return 0, "applied", ""

    def do_delete(self, args):
        for o in self.read(args):
            self.objects.pop(ident(o), None)
        return 0, "", ""

    def do_wait(self, args):
        return 0, "", ""

    def do_get(self, args):
        ref = args[1]
        kinds = {index.kind_ref(k): k for k in self.served}
        kinds.update({index.kind_ref_any_version(k): k for k in self.served})
        if ref not in kinds:
            return 1, "", f'error: the server doesn\'t have a resource type "{ref}"'
        sel = args[args.index("-l") + 1]
        items = [o for o in self.objects.values() if f"{o['apiVersion']}/{o['kind']}" == kinds[ref] and matches(o, sel)]
        return 0, json.dumps({"kind": "List", "items": items}), ""


def matches(o, selector):
    labels = o["metadata"].get("labels", {})
    for term in re.split(r",(?![^()]*\))", selector):
        m = re.match(r"^(\S+) notin \((.*)\)$", term)
        if m:
            if labels.get(m.group(1)) in m.group(2).split(","):
                return False
        else:
            k, v = term.split("=", 1)
            if labels.get(k) != v:
                return False
    return True


def props(sources, kinds=(CNP,), **extra):
    p = {
        "ClusterName": "prod",
        "Endpoint": "https://x.eks.amazonaws.com",
        "CertificateAuthorityData": "Q0E=",
        "Owner": OWNER,
        "Bucket": "bucket",
        "Kinds": list(kinds),
        "Prune": "true",
        "RetainOnDelete": "false",
        "Sources": sources,
    }
    p.update(extra)
    return p


def src(key, sha):
    return {"Key": key, "Sha256": sha}


class HandlerTest(unittest.TestCase):
    def setUp(self):
        self.deps = FakeDeps()
        self.addCleanup(shutil.rmtree, self.deps.workdir, True)
        self.h = index.Handler(self.deps)

    def applies(self):
        return [c for c in self.deps.calls if "apply" in c]

    def test_create_applies_every_batch_with_owner_and_batch_labels(self):
        d1, s1 = batch(cnp("a"), cnp("b"))
        d2, s2 = batch(cnp("c"))
        self.deps.put(d1, "k1")
        self.deps.put(d2, "k2")
        out = self.h.handle({"RequestType": "Create", "ResourceProperties": props([src("k1", s1), src("k2", s2)])})
        self.assertEqual(out["PhysicalResourceId"], OWNER)
        self.assertEqual(out["Data"], {"Applied": 3, "Pruned": 0})
        labels = self.deps.objects[("cilium.io", "CiliumNetworkPolicy", "team-a", "c")]["metadata"]["labels"]
        self.assertEqual(labels, {index.OWNER_LABEL: OWNER, index.BATCH_LABEL: s2[:16]})

    def test_update_applies_only_changed_batches_and_prunes_removed_objects(self):
        d1, s1 = batch(cnp("a"), cnp("b"))
        d2, s2 = batch(cnp("c"))
        for d, k in ((d1, "k1"), (d2, "k2")):
            self.deps.put(d, k)
        old = props([src("k1", s1), src("k2", s2)])
        self.h.handle({"RequestType": "Create", "ResourceProperties": old})
        # b removed and a edited: batch 1 changes, batch 2 does not
        d3, s3 = batch(cnp("a", port="81"))
        self.deps.put(d3, "k3")
        self.deps.calls.clear()
        new = props([src("k3", s3), src("k2", s2)])
        out = self.h.handle(
            {
                "RequestType": "Update",
                "ResourceProperties": new,
                "OldResourceProperties": old,
                "PhysicalResourceId": OWNER,
            }
        )
        self.assertEqual(out["Data"], {"Applied": 1, "Pruned": 1})
        self.assertEqual(len(self.applies()), 1)
        names = sorted(k[3] for k in self.deps.objects)
        self.assertEqual(names, ["a", "c"])
        self.assertEqual(
            self.deps.objects[("cilium.io", "CiliumNetworkPolicy", "team-a", "a")]["spec"]["ingress"][0]["toPorts"][0][
                "ports"
            ][0]["port"],
            "81",
        )

    def test_objects_of_others_are_never_touched(self):
        foreign = cnp("hand-made", labels={"team": "x"})
        other_owner = cnp("other", labels={index.OWNER_LABEL: "c8bbbb", index.BATCH_LABEL: "ffff"})
        for o in (foreign, other_owner):
            self.deps.objects[ident(o)] = o
        d1, s1 = batch(cnp("a"))
        self.deps.put(d1, "k1")
        p = props([src("k1", s1)])
        self.h.handle({"RequestType": "Create", "ResourceProperties": p})
        self.h.handle({"RequestType": "Update", "ResourceProperties": props([]), "OldResourceProperties": p})
        self.h.handle({"RequestType": "Delete", "ResourceProperties": props([]), "PhysicalResourceId": OWNER})
        self.assertEqual(sorted(k[3] for k in self.deps.objects), ["hand-made", "other"])

    def test_delete_removes_owned_objects_unless_retained(self):
        d1, s1 = batch(cnp("a"), cnp("b"))
        self.deps.put(d1, "k1")
        p = props([src("k1", s1)])
        self.h.handle({"RequestType": "Create", "ResourceProperties": p})
        kept = self.h.handle(
            {"RequestType": "Delete", "ResourceProperties": dict(p, RetainOnDelete="true"), "PhysicalResourceId": OWNER}
        )
        self.assertEqual((kept["Data"]["Deleted"], len(self.deps.objects)), (0, 2))
        out = self.h.handle({"RequestType": "Delete", "ResourceProperties": p, "PhysicalResourceId": OWNER})
        self.assertEqual((out["Data"]["Deleted"], len(self.deps.objects)), (2, 0))

    def test_waits_for_crds_registered_after_the_helm_release(self):
        deps = FakeDeps(not_ready_calls=3)
        d1, s1 = batch(cnp("a"))
        deps.put(d1, "k1")
        index.Handler(deps).handle({"RequestType": "Create", "ResourceProperties": props([src("k1", s1)])})
        self.assertEqual(len(deps.objects), 1)
        self.assertEqual(deps.slept, 30)

    def test_gives_up_after_the_wait_budget(self):
        deps = FakeDeps(not_ready_calls=10_000)
        d1, s1 = batch(cnp("a"))
        deps.put(d1, "k1")
        with self.assertRaisesRegex(index.KubectlError, "no matches for kind"):
            index.Handler(deps, wait_seconds=60).handle(
                {"RequestType": "Create", "ResourceProperties": props([src("k1", s1)])}
            )

    def test_sha256_mismatch_is_refused(self):
        d1, s1 = batch(cnp("a"))
        self.deps.put(d1 + b" ", "k1")
        with self.assertRaisesRegex(ValueError, r"sha256 of s3://bucket/k1 is [0-9a-f]{64}, expected " + s1):
            self.h.handle({"RequestType": "Create", "ResourceProperties": props([src("k1", s1)])})
        self.assertEqual(self.deps.objects, {})

    def test_url_source_verified_and_crds_not_pruned_or_deleted(self):
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "gateways.gateway.networking.k8s.io"},
        }
        deps = FakeDeps(served=("apiextensions.k8s.io/v1/CustomResourceDefinition",))
        data, sha = batch(crd)
        deps.urls["https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml"] = (
            data
        )
        p = props(
            [
                {
                    "Url": "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
                    "Sha256": sha,
                }
            ],
            kinds=("apiextensions.k8s.io/v1/CustomResourceDefinition",),
            Prune="false",
            RetainOnDelete="true",
        )
        h = index.Handler(deps)
        h.handle({"RequestType": "Create", "ResourceProperties": p})
        self.assertTrue(any(c[0] == "wait" or "wait" in c for c in deps.calls))
        h.handle({"RequestType": "Update", "ResourceProperties": dict(p, Sources=[]), "OldResourceProperties": p})
        h.handle({"RequestType": "Delete", "ResourceProperties": p, "PhysicalResourceId": OWNER})
        self.assertEqual(len(deps.objects), 1)

    def test_url_sources_other_than_gateway_api_releases_are_refused(self):
        data, sha = batch(cnp("a"))
        self.deps.urls["https://attacker.example/x.yaml"] = data
        with self.assertRaisesRegex(
            ValueError,
            r"refusing to download https://attacker.example/x.yaml: only "
            r"https://github.com/kubernetes-sigs/gateway-api/releases/download/",
        ):
            self.h.handle(
                {
                    "RequestType": "Create",
                    "ResourceProperties": props([{"Url": "https://attacker.example/x.yaml", "Sha256": sha}]),
                }
            )
        self.assertEqual(self.deps.objects, {})

    def test_failed_create_never_deletes_crds(self):
        # GatewayApiCrds with RemovalPolicy.DESTROY: the CRDs may have existed before this attempt
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "x.io"},
        }
        deps = FakeDeps(served=("apiextensions.k8s.io/v1/CustomResourceDefinition",))
        d1, s1 = batch(crd)
        d2, s2 = batch({"apiVersion": "example.io/v1", "kind": "Unknown", "metadata": {"name": "x"}})
        deps.put(d1, "k1")
        deps.put(d2, "k2")
        with self.assertRaisesRegex(index.KubectlError, "no matches for kind"):
            index.Handler(deps, wait_seconds=20).handle(
                {
                    "RequestType": "Create",
                    "ResourceProperties": props(
                        [src("k1", s1), src("k2", s2)], kinds=("apiextensions.k8s.io/v1/CustomResourceDefinition",)
                    ),
                }
            )
        self.assertEqual(list(deps.objects), [("apiextensions.k8s.io", "CustomResourceDefinition", "", "x.io")])

    def test_bound_cluster_and_bucket_win_over_the_event(self):
        d1, s1 = batch(cnp("a"))
        self.deps.put(d1, "k1")
        env = {
            "CLUSTER_NAME": "bound",
            "CLUSTER_ENDPOINT": "https://bound.eks.amazonaws.com",
            "CLUSTER_CA": "Qk9VTkQ=",
            "ASSET_BUCKET": "bucket",
        }
        with unittest.mock.patch.dict(os.environ, env):
            self.h.handle(
                {
                    "RequestType": "Create",
                    "ResourceProperties": props(
                        [src("k1", s1)],
                        Endpoint="https://attacker.example",
                        CertificateAuthorityData="QQ==",
                        ClusterName="x",
                    ),
                }
            )
            with open(os.path.join(self.deps.workdir, "kubeconfig")) as f:
                config = json.load(f)
            self.assertEqual(
                config["clusters"][0]["cluster"],
                {"server": "https://bound.eks.amazonaws.com", "certificate-authority-data": "Qk9VTkQ="},
            )
            self.assertEqual(config["users"][0]["user"]["token"], "k8s-aws-v1.fake-bound")
            with self.assertRaisesRegex(ValueError, r"s3://other/k1 is not in the asset bucket bucket"):
                self.h.handle({"RequestType": "Create", "ResourceProperties": props([src("k1", s1)], Bucket="other")})

    def test_scheduled_reconcile_reapplies_the_deployed_properties_only_when_the_stack_is_settled(self):
        deployed = {
            "Engine": "applyset/v1",
            "Path": "S/Mesh",
            "Bucket": {"Fn::Sub": "cdk-${AWS::AccountId}"},
            "Sources": [{"Key": "k1.meshbatch-x", "Sha256": "a" * 64}],
        }
        template = {"Resources": {"MeshObjects1": {"Type": "Custom::CiliumMeshObjects", "Properties": deployed}}}
        status = ["UPDATE_COMPLETE"]
        self.deps.deployed_stack = lambda stack_id: (status[0], template)
        seen = []
        index.MeshEngine.handle = lambda engine, event: seen.append(event) or {"Data": {}}
        self.addCleanup(lambda: importlib.reload(index))
        ev = {"RequestType": "Reconcile", "StackId": "arn:stack/S/1", "LogicalResourceId": "MeshObjects1"}
        with unittest.mock.patch.dict(os.environ, {"ASSET_BUCKET": "cdk-bucket"}):
            self.h.handle(ev)
        self.assertEqual(seen[0]["RequestType"], "Update")
        # an Update applies changed batches only; the reconcile is a full apply (hand edits of unchanged batches)
        self.assertIs(seen[0]["FullApply"], True)
        self.assertEqual(seen[0]["ResourceProperties"]["Bucket"], "cdk-bucket")
        self.assertEqual(seen[0]["ResourceProperties"]["Sources"], deployed["Sources"])
        for settling in (
            "UPDATE_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "ROLLBACK_COMPLETE",
        ):
            status[0] = settling
            self.assertEqual(self.h.handle(ev), {"Data": {"Skipped": 1}})
        self.assertEqual(len(seen), 1)
        status[0] = "UPDATE_COMPLETE"
        with self.assertRaisesRegex(index.DeliveryError, "no mesh delivery Other in stack arn:stack/S/1"):
            self.h.handle(dict(ev, LogicalResourceId="Other"))

    def test_changed_cluster_reapplies_everything(self):
        d1, s1 = batch(cnp("a"))
        self.deps.put(d1, "k1")
        p = props([src("k1", s1)])
        self.h.handle(
            {"RequestType": "Update", "ResourceProperties": dict(p, ClusterName="other"), "OldResourceProperties": p}
        )
        self.assertEqual(len(self.applies()), 1)

    def test_batches_with_namespaces_are_applied_first(self):
        deps = FakeDeps(served=(CNP, NAMESPACE))
        d1, s1 = batch(cnp("a", ns="team-n"))
        d2, s2 = batch({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-n"}})
        deps.put(d1, "k1")
        deps.put(d2, "k2")
        index.Handler(deps).handle(
            {
                "RequestType": "Create",
                "ResourceProperties": props([src("k1", s1), src("k2", s2)], kinds=(CNP, NAMESPACE)),
            }
        )
        self.assertEqual(sorted(k[3] for k in deps.objects), ["a", "team-n"])

    def test_failed_create_removes_what_it_applied(self):
        d1, s1 = batch(cnp("a"))
        d2, s2 = batch({"apiVersion": "example.io/v1", "kind": "Unknown", "metadata": {"name": "x", "namespace": "n"}})
        self.deps.put(d1, "k1")
        self.deps.put(d2, "k2")
        with self.assertRaisesRegex(index.KubectlError, "no matches for kind"):
            index.Handler(self.deps, wait_seconds=20).handle(
                {"RequestType": "Create", "ResourceProperties": props([src("k1", s1), src("k2", s2)])}
            )
        self.assertEqual(self.deps.objects, {})

    def test_one_deadline_bounds_every_retry(self):
        deps = FakeDeps(not_ready_calls=10_000)
        d1, s1 = batch(cnp("a"))
        deps.put(d1, "k1")
        with self.assertRaisesRegex(index.KubectlError, "no matches for kind"):
            index.Handler(deps, deadline=45).handle(
                {"RequestType": "Create", "ResourceProperties": props([src("k1", s1)])}
            )
        self.assertLessEqual(deps.slept, 45)

    def test_prune_finds_kinds_whose_recorded_version_is_no_longer_served(self):
        d1, s1 = batch(cnp("a"))
        self.deps.put(d1, "k1")
        old = props([src("k1", s1)], kinds=("cilium.io/v2alpha1/CiliumNetworkPolicy",))
        self.h.handle({"RequestType": "Create", "ResourceProperties": dict(old, Kinds=[CNP])})
        out = self.h.handle(
            {
                "RequestType": "Update",
                "ResourceProperties": props([], kinds=()),
                "OldResourceProperties": old,
                "PhysicalResourceId": OWNER,
            }
        )
        self.assertEqual((out["Data"]["Pruned"], self.deps.objects), (1, {}))

    def test_kind_ref(self):
        self.assertEqual(index.kind_ref("cilium.io/v2/CiliumNetworkPolicy"), "CiliumNetworkPolicy.v2.cilium.io")
        self.assertEqual(index.kind_ref("v1/ConfigMap"), "ConfigMap")
        self.assertEqual(index.kind_ref_any_version("cilium.io/v2alpha1/CiliumCIDRGroup"), "CiliumCIDRGroup.cilium.io")
        self.assertEqual(index.kind_ref_any_version("v1/Service"), "Service")


class TokenTest(unittest.TestCase):
    @unittest.skipUnless(importlib.util.find_spec("botocore"), "botocore not installed")
    def test_token_is_a_presigned_sts_url_bound_to_the_cluster(self):
        env = {
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_STS_REGIONAL_ENDPOINTS": "regional",
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            deps = index.Deps()
            self.addCleanup(shutil.rmtree, deps.workdir, True)
            token = deps.token("prod")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.assertTrue(token.startswith("k8s-aws-v1."))
        body = token[len("k8s-aws-v1.") :]
        url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        self.assertTrue(
            url.startswith("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15")
        )
        self.assertIn("X-Amz-Expires=60", url)
        self.assertRegex(url, r"X-Amz-SignedHeaders=host%3Bx-k8s-aws-id")


@unittest.skipUnless(os.environ.get("REAL_KUBECTL"), "REAL_KUBECTL not set")
class RealKubectlTest(unittest.TestCase):
    def test_label_local_converts_yaml_and_json_lines_offline(self):
        deps = FakeDeps()
        self.addCleanup(shutil.rmtree, deps.workdir, True)
        deps.real_kubectl = os.environ["REAL_KUBECTL"]
        yaml_doc = (
            b"# comment\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: from-yaml\n"
            b"  namespace: team-y\nspec: {}\n"
        )
        json_doc, sha_j = batch(cnp("a"), cnp("b"))
        sha_y = hashlib.sha256(yaml_doc).hexdigest()
        deps.put(json_doc, "kj")
        deps.urls["https://github.com/kubernetes-sigs/gateway-api/releases/download/v0/x.yaml"] = yaml_doc
        index.Handler(deps).handle(
            {
                "RequestType": "Create",
                "ResourceProperties": props(
                    [
                        src("kj", sha_j),
                        {
                            "Url": "https://github.com/kubernetes-sigs/gateway-api/releases/download/v0/x.yaml",
                            "Sha256": sha_y,
                        },
                    ]
                ),
            }
        )
        self.assertEqual(sorted(k[3] for k in deps.objects), ["a", "b", "from-yaml"])
        y = deps.objects[("cilium.io", "CiliumNetworkPolicy", "team-y", "from-yaml")]
        self.assertEqual(y["metadata"]["labels"][index.BATCH_LABEL], sha_y[:16])

    def test_prune_default_allowlist_has_no_custom_resources(self):
        # kubectl apply --prune without --prune-allowlist only considers built-in kinds; the binary embeds that list
        with open(os.environ["REAL_KUBECTL"], "rb") as f:
            blob = f.read()
        self.assertIn(b"core/v1/ConfigMap", blob)
        self.assertNotIn(b"cilium.io/v2/CiliumNetworkPolicy", blob)


if __name__ == "__main__":
    unittest.main()
