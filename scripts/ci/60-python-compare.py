"""Compares the Python quickstart's CloudFormation template with the TypeScript quickstart's.

Usage: python 60-python-compare.py TS_OUT PY_OUT STACK TS_CDK_VERSION PY_CDK_VERSION

Every resource must exist in both with the same type. The Kubernetes and Helm resources (every Custom:: resource:
HelmChart values, KubernetesResource manifests, mesh deliveries), the EKS, IAM and EC2 resources must be identical.
The only tolerated difference is the S3 key of Lambda code that aws-cdk-lib itself bundles (the provider framework,
the kubectl handler), and only when the two sides run different aws-cdk-lib releases (PyPI can lag npm). Prints
`python: quickstart synthesized, N resources, identical to TypeScript`; exits 1 on any other difference.
"""

import json
import sys


def load(outdir: str, stack: str) -> dict:
    with open(f"{outdir}/{stack}.template.json", encoding="utf-8") as f:
        return json.load(f)


def first_difference(a, b, path="") -> str:
    if type(a) is not type(b):
        return f"{path}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'TypeScript' if k in a else 'Python'}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}"


def without_code_key(resource: dict) -> dict:
    """The resource with the S3 key of its Lambda code (or layer content) blanked."""
    r = json.loads(json.dumps(resource))
    props = r.get("Properties", {})
    for field in ("Code", "Content"):
        if isinstance(props.get(field), dict) and "S3Key" in props[field]:
            props[field]["S3Key"] = "<asset>"
    return r


def main() -> int:
    ts_out, py_out, stack, ts_cdk, py_cdk = sys.argv[1:6]
    ts, py = load(ts_out, stack), load(py_out, stack)
    problems = []
    for section in sorted(set(ts) | set(py)):
        if section != "Resources" and ts.get(section) != py.get(section):
            problems.append(f"template section {section}: {first_difference(ts.get(section), py.get(section))}")
    tr, pr = ts["Resources"], py["Resources"]
    for lid in sorted(set(tr) ^ set(pr)):
        problems.append(f"{lid}: only in {'TypeScript' if lid in tr else 'Python'}")
    strict = ("Custom::", "AWS::EKS::", "AWS::IAM::", "AWS::EC2::", "AWS::KMS::")
    compared = tolerated = 0
    for lid in sorted(set(tr) & set(pr)):
        a, b = tr[lid], pr[lid]
        if a.get("Type") != b.get("Type"):
            problems.append(f"{lid}: type {a.get('Type')} != {b.get('Type')}")
            continue
        if a.get("Type", "").startswith(strict):
            compared += 1
        if a == b:
            continue
        code_only = a.get("Type") in ("AWS::Lambda::Function", "AWS::Lambda::LayerVersion") and without_code_key(
            a
        ) == without_code_key(b)
        if code_only and ts_cdk != py_cdk:
            tolerated += 1
            continue
        problems.append(f"{lid} ({a.get('Type')}): {first_difference(a, b)}")
    if problems:
        print(f"python: quickstart differs from TypeScript in {len(problems)} place(s):")
        for p in problems:
            print(f"  {p}")
        return 1
    if tolerated:
        print(
            f"python: {tolerated} Lambda function(s) differ only in the S3 key of code aws-cdk-lib bundles "
            f"(aws-cdk-lib {ts_cdk} in TypeScript, {py_cdk} in Python)"
        )
    print(f"python: {compared} Kubernetes, Helm, EKS, IAM, EC2 and KMS resources compared")
    print(f"python: quickstart synthesized, {len(tr)} resources, identical to TypeScript")
    return 0


if __name__ == "__main__":
    sys.exit(main())
