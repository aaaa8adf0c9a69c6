#!/usr/bin/env python3
"""Checks template.yaml the way CloudFormation will see it: after the SAM transform.

SAM turns `AWS::Serverless::*` resources into plain CloudFormation, and
the generated resources refer to each other in ways the template never
spells out (an `HttpApi`'s generated OpenAPI body names every function's
ARN, for instance). A reference from a function back to that API then
closes a loop that only exists after the transform — cfn-lint without
the translator and a review of the template both miss it, and
`sam deploy` fails with "Circular dependency between resources".

So this script:
  1. transforms the template with `samtranslator` (offline: a fake region,
     no managed-policy lookup in IAM, local code paths replaced by S3 URIs);
  2. builds the dependency graph CloudFormation builds — `Ref`, `Fn::GetAtt`,
     `Fn::Sub` (`${X}`, `${X.Attr}`) and `DependsOn` between resources,
     parameters and pseudo-parameters (`AWS::…`) aside;
  3. fails, naming each cycle (`cycle: HttpApi -> PaymentsFunction -> HttpApi`).

Before that it tests itself: the graph code on small cases, and the whole
check on the template with the old defect put back (a function's
environment naming the HTTP API's URL through `Globals`), which must be
reported — so a broken transform or a blind graph cannot pass silently.

Usage: check-template.py [template.yaml] [--transformed-out FILE]    (exit 0: no cycle)

With `--transformed-out`, the transformed template is also written to FILE
as JSON (infra/dev.sh runs checkov on it: the resources SAM generates —
roles, permissions, stages — are what AWS receives).
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterator

# samtranslator reads the region for the ARNs it generates; never call AWS.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "offline")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "offline")

from samtranslator.metrics.metrics import Metrics  # noqa: E402
from samtranslator.parser.parser import Parser  # noqa: E402
from samtranslator.translator.translator import Translator  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

# ---- the transform -----------------------------------------------------------

FAKE_S3_URI = "s3://check-template/artifact.zip"

# Where SAM expects an S3 location that `sam build`/`sam package` fills in.
LOCAL_ARTIFACTS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


def with_s3_artifacts(template: dict[str, Any]) -> dict[str, Any]:
    """The template as `sam package` would upload it: local paths become S3 URIs."""
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties")
        key = LOCAL_ARTIFACTS.get(resource.get("Type", ""))
        if not key or not isinstance(props, dict):
            continue
        if props.get("PackageType") == "Image":
            continue
        value = props.get(key)
        if key == "CodeUri" or value is not None:
            if not (isinstance(value, str) and value.startswith("s3://")):
                props[key] = FAKE_S3_URI
    return template


def sam_transform(template: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's view of the template, after AWS::Serverless-2016-10-31."""
    metrics = Metrics()  # published nowhere (no publisher): only so it does not warn at exit
    translator = Translator(managed_policy_map=None, sam_parser=Parser(), metrics=metrics)
    transformed = translator.translate(
        sam_template=with_s3_artifacts(copy.deepcopy(template)),
        parameter_values={},
        get_managed_policy_map=lambda: {},  # no IAM call; our policies are templates or ARNs
    )
    metrics.publish()
    left = sorted(
        name
        for name, r in transformed.get("Resources", {}).items()
        if str(r.get("Type", "")).startswith("AWS::Serverless::")
    )
    if left or "Transform" in transformed:
        raise SystemExit(f"check-template: the SAM transform left {left or 'the Transform key'} behind")
    return transformed


# ---- the dependency graph ----------------------------------------------------

SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def sub_names(text: str) -> Iterator[str]:
    """Logical names a `Fn::Sub` string refers to: `${X}` and `${X.Attr}`, not `${!Literal}`."""
    for match in SUB_VARIABLE.finditer(text):
        inner = match.group(1).strip()
        if not inner or inner.startswith("!"):
            continue
        # `${AWS::Region}` has no attribute dot; `${X.Attr}` names X.
        yield inner if inner.startswith("AWS::") else inner.split(".", 1)[0]


def references(value: Any, local: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every logical name `value` refers to through Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(value, list):
        for item in value:
            yield from references(item, local)
        return
    if not isinstance(value, dict):
        return
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and isinstance(arg, str):
            yield arg
            return
        if key == "Fn::GetAtt":
            if isinstance(arg, str):
                yield arg.split(".", 1)[0]
                return
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                yield arg[0]
                yield from references(arg[1:], local)
                return
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
            names = frozenset(variables) if isinstance(variables, dict) else frozenset()
            if isinstance(text, str):
                yield from (n for n in sub_names(text) if n not in names)
            yield from references(variables, local)
            return
    for item in value.values():
        yield from references(item, local)


# What CloudFormation does not read for ordering (DependsOn is handled on its own).
NOT_ORDERING = {"Type", "Metadata", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn"}


def dependency_graph(resources: dict[str, Any]) -> dict[str, set[str]]:
    """Resource → the resources it needs first. Parameters and `AWS::…` are not nodes."""
    graph: dict[str, set[str]] = {name: set() for name in resources}
    for name, resource in resources.items():
        body = {k: v for k, v in resource.items() if k not in NOT_ORDERING}
        needs = {ref for ref in references(body) if ref in resources}
        depends_on = resource.get("DependsOn", [])
        needs.update([depends_on] if isinstance(depends_on, str) else depends_on)
        graph[name] = needs
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], set[str]]]:
    """One cycle per strongly connected component that has one (Tarjan), each closed on its
    start, with all the component's members."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []

    def connect(node: str) -> None:
        # Recursion is fine: a template has at most 500 resources.
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(component)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * len(graph) + 100))
    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [(cycle_within(graph, set(c)), set(c)) for c in components]


def cycle_within(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A concrete path start → … → start inside one strongly connected component."""
    start = min(component)
    # Breadth-first from start's successors back to start: the shortest loop.
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if nxt not in parents:
                    parents[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle in component {sorted(component)}")


def template_cycles(template: dict[str, Any]) -> list[tuple[list[str], set[str]]]:
    return cycles(dependency_graph(sam_transform(template).get("Resources", {})))


# ---- self-test -------------------------------------------------------------------

# The defect this check exists for: every function told the HTTP API's URL
# through Globals, while SAM's generated HTTP API names every function.
OLD_GLOBALS_CALLBACK = {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"}


def self_test(template: dict[str, Any]) -> None:
    def check(condition: bool, what: str) -> None:
        if not condition:
            raise SystemExit(f"check-template: self-test failed: {what}")

    check(
        sorted(sub_names("arn:${AWS::Partition}:x:${Api}/${Fn.Arn}/${!Literal}")) == ["AWS::Partition", "Api", "Fn"],
        "Fn::Sub names",
    )
    refs = set(references({"A": [{"Ref": "X"}, {"Fn::GetAtt": "Y.Arn"}, {"Fn::GetAtt": ["Z", "Name"]}]}))
    check(refs == {"X", "Y", "Z"}, f"Ref/GetAtt names: {refs}")
    check(set(references({"Fn::Sub": ["${V}-${W}", {"V": {"Ref": "Q"}}]})) == {"W", "Q"}, "Fn::Sub variables")
    graph = dependency_graph(
        {
            "A": {"Type": "T", "Properties": {"P": {"Fn::Sub": "${B.Arn}"}}},
            "B": {"Type": "T", "Properties": {"P": {"Ref": "AWS::Region"}, "Q": {"Ref": "SomeParameter"}}, "DependsOn": "C"},
            "C": {"Type": "T", "Properties": {"P": {"Fn::GetAtt": ["A", "Arn"]}}},
            "D": {"Type": "T", "Properties": {"P": {"Ref": "A"}}},
        }
    )
    check(cycles(graph) == [(["A", "B", "C", "A"], {"A", "B", "C"})], f"cycle naming: {cycles(graph)}")
    check(cycles({"A": {"B"}, "B": set()}) == [], "a chain is no cycle")

    broken = copy.deepcopy(template)
    env = broken.setdefault("Globals", {}).setdefault("Function", {}).setdefault("Environment", {})
    env.setdefault("Variables", {})["PAYMENT_CALLBACK_BASE_URL"] = OLD_GLOBALS_CALLBACK
    found = template_cycles(broken)
    check(
        any("HttpApi" in members for _, members in found),
        f"the template with the old Globals callback URL must have a cycle through HttpApi, found {found}",
    )


def main() -> int:
    args = sys.argv[1:]
    out = None
    if "--transformed-out" in args:
        at = args.index("--transformed-out")
        if at + 1 >= len(args):
            raise SystemExit("check-template: --transformed-out needs a file")
        out = Path(args[at + 1])
        del args[at : at + 2]
    path = Path(args[0] if args else Path(__file__).resolve().parent.parent / "template.yaml")
    template = yaml_parse(path.read_text())
    self_test(template)
    transformed = sam_transform(template)
    if out is not None:
        out.write_text(json.dumps(transformed, indent=1))
    resources = transformed.get("Resources", {})
    found = cycles(dependency_graph(resources))
    for cycle, members in found:
        others = sorted(members - set(cycle))
        also = f" (the same loop also holds {', '.join(others)})" if others else ""
        print("cycle: " + " -> ".join(cycle) + also, file=sys.stderr)
    if found:
        print(f"check-template: {path.name}: {len(found)} dependency cycle(s) after the SAM transform", file=sys.stderr)
        return 1
    print(f"check-template: {path.name}: {len(resources)} resources after the SAM transform, no dependency cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
