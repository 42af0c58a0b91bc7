#!/usr/bin/env python3
"""Validates rendered Kubernetes manifests: a strict schema check, then the project's policy.

Usage: validate.py --kubernetes-version 1.30.0 [--kubernetes-version 1.37.0] FILE...

Each FILE is the multi-document YAML output of `kustomize build`. Every document is checked
against the Kubernetes JSON schemas that the kubernetes-validate package ships (no network),
in strict mode: an unknown or misspelt field fails, and so does a kind with no schema
(kubernetes-validate itself only warns on those). Then the policy below, which the schema
cannot express, is checked. Exits 1 and names every problem when anything fails.

Run by deploy/k8s/check.sh with the venv that deploy/k8s/install-tools.sh makes.
"""

import argparse
import collections
import sys

import yaml
from kubernetes_validate import utils as kv

# The services that must autoscale, and the one that must never run twice.
HPA_SERVICES = {"command-api", "wse-gateway"}
SINGLE_REPLICA = {"telegram-bridge"}
# An env var or argument mentioning one of these turns on a development-only feature
# (e.g. the demo token issuer, `DEV_*` switches, `--dev-*` flags); none may be enabled
# in a cluster.
DEV_ONLY_WORDS = ("demo", "dev_", "dev-", "insecure")
FALSE_VALUES = {"", "0", "false", "no", "off"}
# Settings whose named values are for local development only.
DEV_ONLY_VALUES = {"TELEGRAM_MODE": {"fake"}}
# Settings that hold credentials: only ever from a Secret (secretKeyRef), never inline or in
# a ConfigMap. Any name ending in one of SECRET_SUFFIXES counts too.
SECRET_SETTINGS = {"DATABASE_URL", "TELEGRAM_API_HASH", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"}
SECRET_SUFFIXES = ("_SECRET", "_PASSWORD", "_TOKEN", "_PRIVATE_KEY")


def is_secret_setting(name):
    return name in SECRET_SETTINGS or name.upper().endswith(SECRET_SUFFIXES)


def dev_only_setting(name, value):
    """Whether NAME=VALUE turns on a development-only feature."""
    if str(value).lower() in DEV_ONLY_VALUES.get(name, ()):
        return True
    return any(w in name.lower() for w in DEV_ONLY_WORDS) and str(value).lower() not in FALSE_VALUES


def load(path):
    with open(path, encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def name_of(doc):
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def schema_errors(doc, versions):
    for version in versions:
        try:
            kv.validate(doc, version, strict=True)
        except kv.ValidationError as e:
            path = ".".join(str(p) for p in e.absolute_path) or "(top level)"
            yield f"schema {version}: {path}: {e.message}"
        except kv.SchemaNotFoundError:
            yield f"schema {version}: no schema for {doc.get('apiVersion')} {doc.get('kind')}"
        except kv.VersionNotSupportedError:
            yield f"schema {version}: this kubernetes-validate does not know that version"


def pod_spec(doc):
    kind = doc.get("kind")
    if kind in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def container_errors(pod, container, probes_required):
    where = f"container {container.get('name')}"
    sc = container.get("securityContext", {})
    if sc.get("readOnlyRootFilesystem") is not True:
        yield f"{where}: securityContext.readOnlyRootFilesystem must be true"
    if sc.get("allowPrivilegeEscalation") is not False:
        yield f"{where}: securityContext.allowPrivilegeEscalation must be false"
    if "ALL" not in sc.get("capabilities", {}).get("drop", []):
        yield f"{where}: securityContext.capabilities.drop must contain ALL"
    if sc.get("capabilities", {}).get("add"):
        yield f"{where}: no capability may be added"
    non_root = sc.get("runAsNonRoot", pod.get("securityContext", {}).get("runAsNonRoot"))
    if non_root is not True:
        yield f"{where}: runAsNonRoot must be true (pod or container)"
    resources = container.get("resources", {})
    for bound in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if resource not in resources.get(bound, {}):
                yield f"{where}: resources.{bound}.{resource} is missing"
    image = container.get("image", "")
    if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
        yield f"{where}: image {image!r} needs an explicit tag other than latest"
    if probes_required:
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            got = container.get(probe, {}).get("httpGet", {}).get("path")
            if got != path:
                yield f"{where}: {probe} must GET {path} (has {got!r})"
    for env in container.get("env", []):
        if is_secret_setting(env["name"]) and "secretKeyRef" not in env.get("valueFrom", {}):
            yield f"{where}: env {env['name']} is a credential: take it from a Secret (secretKeyRef)"
    yield from dev_only_errors(where, container)


def dev_only_errors(where, container):
    for env in container.get("env", []):
        # A value from elsewhere cannot be judged here: a dev-only name may not be set at all.
        value = env.get("value", "") if "valueFrom" not in env else "(from elsewhere)"
        if dev_only_setting(env["name"], value):
            yield f"{where}: env {env['name']} enables a development-only feature"
    for arg in container.get("args", []) + container.get("command", []):
        if any(w in str(arg).lower() for w in DEV_ONLY_WORDS):
            yield f"{where}: argument {arg!r} enables a development-only feature"


def config_map_errors(doc):
    for key, value in (doc.get("data") or {}).items():
        if dev_only_setting(key, value):
            yield f"{key}={value} enables a development-only feature"
        if is_secret_setting(key):
            yield f"{key} is a credential: keep it in a Secret, not a ConfigMap"


def deployment_errors(doc):
    name = doc["metadata"]["name"]
    pod = doc["spec"]["template"]["spec"]
    annotations = doc["spec"]["template"].get("metadata", {}).get("annotations", {})
    if annotations.get("prometheus.io/scrape") != "true" or annotations.get(
        "prometheus.io/path"
    ) != "/metrics":
        yield "pod template needs prometheus.io/scrape=true and prometheus.io/path=/metrics"
    if pod.get("terminationGracePeriodSeconds", 30) < 30:
        yield "terminationGracePeriodSeconds must leave time for a graceful shutdown (>= 30)"
    if pod.get("automountServiceAccountToken") is not False:
        yield "automountServiceAccountToken must be false (no service talks to the API server)"
    if name in SINGLE_REPLICA:
        if doc["spec"].get("replicas") not in (0, 1):
            yield "must run one replica (or none, where it is not used), never more"
        if doc["spec"].get("strategy", {}).get("type") != "Recreate":
            yield "must use the Recreate strategy (never two replicas during a rollout)"
    if name in HPA_SERVICES and "replicas" in doc["spec"]:
        yield "its HorizontalPodAutoscaler owns the replica count: drop spec.replicas"
    for container in pod["containers"]:
        yield from container_errors(pod, container, probes_required=True)


def cross_errors(docs):
    by_kind = collections.defaultdict(dict)
    for doc in docs:
        by_kind[doc["kind"]][doc["metadata"]["name"]] = doc
    for name in HPA_SERVICES:
        if name not in by_kind["HorizontalPodAutoscaler"]:
            yield f"Deployment/{name}: has no HorizontalPodAutoscaler"
    for name in by_kind["HorizontalPodAutoscaler"]:
        if name not in HPA_SERVICES:
            yield f"HorizontalPodAutoscaler/{name}: {name} must not autoscale"
    pdb_selectors = [
        pdb["spec"]["selector"].get("matchLabels", {})
        for pdb in by_kind["PodDisruptionBudget"].values()
    ]
    for name, deployment in by_kind["Deployment"].items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not any(sel and sel.items() <= labels.items() for sel in pdb_selectors):
            yield f"Deployment/{name}: no PodDisruptionBudget selects its pods"
    if "Secret" in by_kind:
        yield "Secrets must never be committed: reference them by name (secretKeyRef)"
    partitions = [
        int(cm["data"]["EVENTS_PARTITIONS"])
        for name, cm in by_kind["ConfigMap"].items()
        if name.startswith("chat-migrate") and "EVENTS_PARTITIONS" in cm.get("data", {})
    ]
    for name, deployment in by_kind["Deployment"].items():
        replicas = deployment["spec"].get("replicas", 1)
        if name.startswith("projector-") and partitions and replicas > partitions[0]:
            yield (
                f"Deployment/{name}: {replicas} replicas but chat.events gets "
                f"{partitions[0]} partitions: the extra consumers would sit idle"
            )
    stores = {
        job["spec"]["template"]["spec"]["containers"][0].get("args", [None])[0]
        for job in by_kind["Job"].values()
    }
    for store in ("postgres", "cql"):
        if store not in stores:
            yield f"no migration Job runs `chat-migrate {store}`"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", action="append", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    failures = 0
    for path in args.files:
        docs = load(path)
        problems = []
        for doc in docs:
            errors = list(schema_errors(doc, args.kubernetes_version))
            if doc.get("kind") in ("Deployment",):
                errors += deployment_errors(doc)
            elif doc.get("kind") == "Job":
                pod = pod_spec(doc)
                for container in pod["containers"]:
                    errors += container_errors(pod, container, probes_required=False)
            elif doc.get("kind") == "ConfigMap":
                errors += config_map_errors(doc)
            problems += [f"{name_of(doc)}: {e}" for e in errors]
        problems += list(cross_errors(docs))
        kinds = collections.Counter(doc.get("kind") for doc in docs)
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        versions = ", ".join(args.kubernetes_version)
        if problems:
            failures += len(problems)
            print(f"FAIL {path}: {len(docs)} documents ({summary})")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(
                f"ok   {path}: {len(docs)} documents ({summary}) pass the strict "
                f"schemas of Kubernetes {versions} and the policy"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
