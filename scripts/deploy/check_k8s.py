"""Checks the rendered Kubernetes manifests against Quorum's distributed-mode interface.

    python check_k8s.py base RENDERED.yaml          # kustomize build of deploy/k8s/base
    python check_k8s.py istio RENDERED.yaml OUT     # of an Istio overlay; writes OUT.json (the
                                                    # Istio resources, for check_istio.mjs) and
                                                    # OUT.core.yaml (the rest, for kubernetes-validate)

Schema validity is kubernetes-validate's job; this checks what a schema cannot: probe paths,
ports and the seed's timings, one HPA and PDB per Deployment, hardening, network policies,
the per-service database, the management port Prometheus scrapes, and seed 004's Istio numbers. Prints each problem; exit 1 if any.
"""
import json
import sys

import yaml

PORT = 8080
# management.port: metrics and health details, for Prometheus only (8080 gives probes the status).
MANAGEMENT_PORT = 8081
LIVENESS = "/actuator/health/liveness"
READINESS = "/actuator/health/readiness"
# Seed 000 §3.6.2 (liveness, readiness); seed 001 (startup: period 10, timeout 5, 10 failures).
PROBES = {
    "livenessProbe": (LIVENESS, {"initialDelaySeconds": 30, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3}),
    "readinessProbe": (READINESS, {"initialDelaySeconds": 10, "periodSeconds": 5, "timeoutSeconds": 3, "failureThreshold": 3}),
    "startupProbe": (LIVENESS, {"periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 10}),
}
# Deployment -> (args after the binary, HPA min, HPA max, database or None).
SERVICES = {
    "gateway": (["serve", "gateway"], 2, 10, None),
    "identity": (["serve", "identity"], 1, 2, "identity"),
    "meeting": (["serve", "meeting", "--role", "write"], 1, 3, "meeting"),
    "meeting-read": (["serve", "meeting", "--role", "read"], 1, 7, "meeting"),
    "transcript": (["serve", "transcript"], 3, 5, "transcript"),
    "ai": (["serve", "ai"], 1, 3, "ai"),
    "todo": (["serve", "todo"], 1, 3, "todo"),
    "notification": (["serve", "notification"], 1, 3, "notification"),
}
UPSTREAMS = ["IDENTITY", "MEETING", "MEETING_READ", "TRANSCRIPT", "AI", "TODO", "NOTIFICATION"]

problems = []


def problem(msg):
    problems.append(msg)


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def port_number(container, port):
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports", []) if p.get("name") == port), None)


def check_container(name, c, configmaps, secrets):
    args, _, _, db = SERVICES[name]
    if c.get("args") != args:
        problem(f"{name}: args {c.get('args')} != {args}")
    if not any(p.get("containerPort") == PORT for p in c.get("ports", [])):
        problem(f"{name}: no container port {PORT}")
    for probe, (path, timings) in PROBES.items():
        p = c.get(probe)
        if not p:
            problem(f"{name}: no {probe}")
            continue
        get = p.get("httpGet", {})
        if get.get("path") != path or port_number(c, get.get("port")) != PORT:
            problem(f"{name}: {probe} is {get.get('path')}:{get.get('port')}, want {path}:{PORT}")
        for key, want in timings.items():
            if p.get(key) != want:
                problem(f"{name}: {probe}.{key} = {p.get(key)}, seed says {want}")
    sc = c.get("securityContext", {})
    for key, want in [("runAsNonRoot", True), ("readOnlyRootFilesystem", True), ("allowPrivilegeEscalation", False)]:
        if sc.get(key) is not want:
            problem(f"{name}: securityContext.{key} must be {want}")
    if "ALL" not in sc.get("capabilities", {}).get("drop", []):
        problem(f"{name}: capabilities must drop ALL")
    res = c.get("resources", {})
    if not res.get("requests") or not res.get("limits"):
        problem(f"{name}: resources need requests and limits")
    env = {}
    for ref in c.get("envFrom", []):
        cm = configmaps.get(ref.get("configMapRef", {}).get("name"))
        if cm is None:
            problem(f"{name}: envFrom names a missing ConfigMap {ref}")
        else:
            env.update(cm.get("data", {}))
    for e in c.get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            data = secrets.get(ref["name"], {}).get("stringData", {})
            if ref["key"] not in data:
                problem(f"{name}: env {e['name']} refers to missing secret key {ref['name']}/{ref['key']}")
            env[e["name"]] = data.get(ref["key"], "")
        else:
            env[e["name"]] = e.get("value", "")
    if env.get("QUORUM_SERVER__PORT") != str(PORT):
        problem(f"{name}: QUORUM_SERVER__PORT must be {PORT}")
    if env.get("QUORUM_MANAGEMENT__PORT") != str(MANAGEMENT_PORT):
        problem(f"{name}: QUORUM_MANAGEMENT__PORT must be {MANAGEMENT_PORT} (metrics for Prometheus)")
    if not any(p.get("containerPort") == MANAGEMENT_PORT for p in c.get("ports", [])):
        problem(f"{name}: no container port {MANAGEMENT_PORT} (management)")
    url = env.get("QUORUM_BACKENDS__DATABASE_URL")
    if db and not (url or "").startswith("postgres://") or db and not url.endswith(f"/quorum_{db}"):
        problem(f"{name}: QUORUM_BACKENDS__DATABASE_URL must be postgres://…/quorum_{db}, is {url!r}")
    if not db and url:
        problem(f"{name}: has a database URL but owns no database")
    for key in ["QUORUM_BACKENDS__REDIS_URL", "QUORUM_BACKENDS__AMQP_URL"]:
        if not env.get(key):
            problem(f"{name}: {key} is not set")
    if name == "gateway":
        for up in UPSTREAMS:
            if not env.get(f"QUORUM_GATEWAY__UPSTREAMS__{up}", "").startswith("http://"):
                problem(f"gateway: QUORUM_GATEWAY__UPSTREAMS__{up} is not set to base URLs")
    elif name != "identity" and not env.get("QUORUM_GATEWAY__UPSTREAMS__IDENTITY", "").startswith("http://"):
        # A service verifies its callers' tokens itself, with the keys identity publishes.
        problem(f"{name}: QUORUM_GATEWAY__UPSTREAMS__IDENTITY is not set (the keys it verifies callers with)")
    return env


def check_base(docs):
    deps, hpas, pdbs = by_kind(docs, "Deployment"), by_kind(docs, "HorizontalPodAutoscaler"), by_kind(docs, "PodDisruptionBudget")
    svcs, cms, secrets = by_kind(docs, "Service"), by_kind(docs, "ConfigMap"), by_kind(docs, "Secret")
    if set(deps) != set(SERVICES):
        problem(f"Deployments {sorted(deps)} != expected {sorted(SERVICES)}")
    for name, dep in deps.items():
        if name not in SERVICES:
            continue
        spec = dep["spec"]
        pod = spec["template"]["spec"]
        labels = spec["template"]["metadata"]["labels"]
        if not selects(spec["selector"]["matchLabels"], labels):
            problem(f"{name}: selector does not match its pod labels")
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problem(f"{name}: pod securityContext.runAsNonRoot must be true")
        ann = spec["template"]["metadata"].get("annotations", {})
        if ann.get("prometheus.io/path") != "/actuator/prometheus" or ann.get("prometheus.io/port") != str(MANAGEMENT_PORT):
            problem(f"{name}: prometheus.io/path and port annotations must point at /actuator/prometheus:{MANAGEMENT_PORT}")
        for c in pod["containers"]:
            env = check_container(name, c, cms, secrets)
        if name == "gateway":
            for up in UPSTREAMS:
                for url in env.get(f"QUORUM_GATEWAY__UPSTREAMS__{up}", "").split(","):
                    host = url.removeprefix("http://").split(":")[0]
                    if host and host not in svcs:
                        problem(f"gateway: upstream {up} names {host}, which is no Service")
        _, lo, hi, _ = SERVICES[name]
        hpa = next((h for h in hpas.values() if h["spec"]["scaleTargetRef"]["name"] == name), None)
        if not hpa:
            problem(f"{name}: no HorizontalPodAutoscaler")
        elif (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) != (lo, hi):
            problem(f"{name}: HPA {hpa['spec']['minReplicas']}-{hpa['spec']['maxReplicas']}, expected {lo}-{hi}")
        if not any(selects(p["spec"]["selector"]["matchLabels"], labels) for p in pdbs.values()):
            problem(f"{name}: no PodDisruptionBudget selects its pods")
        svc = next((s for s in svcs.values() if selects(s["spec"]["selector"], labels)), None)
        if not svc or not any(p["port"] == PORT for p in svc["spec"]["ports"]):
            problem(f"{name}: no Service on port {PORT} selects its pods")
    nps = by_kind(docs, "NetworkPolicy").values()
    if not any(np["spec"]["podSelector"] == {} and set(np["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
               and not np["spec"].get("ingress") and not np["spec"].get("egress") for np in nps):
        problem("no default-deny NetworkPolicy (empty podSelector, Ingress+Egress, no rules)")
    if not any(any(p.get("port") == 53 for r in np["spec"].get("egress", []) for p in r.get("ports", [])) for np in nps):
        problem("no NetworkPolicy lets pods reach DNS")
    scrape = [np for np in nps if any(p.get("port") == MANAGEMENT_PORT
                                      for r in np["spec"].get("ingress", []) for p in r.get("ports", []))]
    if not scrape:
        problem(f"no NetworkPolicy lets Prometheus reach the management port {MANAGEMENT_PORT}")
    for np in scrape:
        for r in np["spec"]["ingress"]:
            if any(p.get("port") == MANAGEMENT_PORT for p in r.get("ports", [])) and any(
                    "podSelector" in f and "namespaceSelector" not in f for f in r.get("from", [])):
                problem(f"{np['metadata']['name']}: the management port is for Prometheus, not other pods")
    # Every service fetches identity's keys: ingress to identity and egress from the services.
    def allows(np, direction, peer, port):
        return any(any(selects(f.get("podSelector", {}).get("matchLabels"), peer) and "namespaceSelector" not in f
                       for f in r.get("from" if direction == "ingress" else "to", []))
                   and any(p.get("port") == port for p in r.get("ports", []))
                   for r in np["spec"].get(direction, []))
    service = {"quorum.io/tier": "service", "app.kubernetes.io/component": "meeting"}
    identity = {"quorum.io/tier": "service", "app.kubernetes.io/component": "identity"}
    if not any(selects(np["spec"]["podSelector"].get("matchLabels"), identity) and allows(np, "ingress", service, PORT)
               for np in nps):
        problem("no NetworkPolicy lets the services reach identity (the signing keys they verify callers with)")
    if not any(selects(np["spec"]["podSelector"].get("matchLabels"), service) and allows(np, "egress", identity, PORT)
               for np in nps):
        problem("no NetworkPolicy lets the services' traffic out to identity (the signing keys)")
    ings = by_kind(docs, "Ingress").values()
    if not any(p["backend"]["service"]["name"] == "gateway" for i in ings for r in i["spec"]["rules"] for p in r["http"]["paths"]):
        problem("no Ingress routes to the gateway Service")
    if not any(pvc["spec"].get("accessModes") == ["ReadWriteMany"] for pvc in by_kind(docs, "PersistentVolumeClaim").values()):
        problem("no ReadWriteMany PersistentVolumeClaim for recordings")


# Seed 004 case 5 numbers.
ORDINARY = {"timeout": "10s", "attempts": 5, "perTryTimeout": "3s"}
UPLOAD = {"timeout": "30s", "attempts": 3, "perTryTimeout": "10s"}
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
UNSAFE_RETRY_ON = {"5xx", "gateway-error", "reset", "retriable-4xx", "retriable-status-codes"}
OUTLIER = {"consecutive5xxErrors": 5, "consecutiveGatewayErrors": 3, "interval": "1m", "baseEjectionTime": "5m",
           "maxEjectionPercent": 50, "minHealthPercent": 30}


def check_route(host, r):
    name = r.get("name", "?")
    retries = r.get("retries", {})
    retry_on = set(filter(None, retries.get("retryOn", "").split(",")))
    methods = {m["method"]["exact"] for m in r.get("match", []) if "method" in m}
    if name == "recording-upload":
        want = UPLOAD
    elif name == "event-stream":
        if r.get("timeout") != "0s" or retries.get("attempts") != 0:
            problem(f"istio {host}/{name}: streams need timeout 0s and no retries")
        return
    else:
        want = ORDINARY
    if r.get("timeout") != want["timeout"] or retries.get("attempts") != want["attempts"]:
        problem(f"istio {host}/{name}: timeout {r.get('timeout')} / attempts {retries.get('attempts')}, "
                f"seed 004 says {want['timeout']} / {want['attempts']}")
    if methods and methods <= IDEMPOTENT:
        if retries.get("perTryTimeout") != want["perTryTimeout"]:
            problem(f"istio {host}/{name}: perTryTimeout {retries.get('perTryTimeout')}, seed 004 says {want['perTryTimeout']}")
        if not {"5xx", "reset", "connect-failure"} <= retry_on:
            problem(f"istio {host}/{name}: idempotent route must retry on 5xx, reset, connect-failure")
    elif name != "recording-upload" and retry_on & UNSAFE_RETRY_ON:
        problem(f"istio {host}/{name}: non-idempotent methods retried on {sorted(retry_on & UNSAFE_RETRY_ON)}")


def check_istio(docs, out):
    vss, drs = by_kind(docs, "VirtualService"), by_kind(docs, "DestinationRule")
    backends = set(SERVICES) - {"gateway"}
    if set(vss) != backends or set(drs) != backends:
        problem(f"istio: VirtualServices {sorted(vss)} / DestinationRules {sorted(drs)} != {sorted(backends)}")
    for name, vs in vss.items():
        routes = vs["spec"]["http"]
        for r in routes:
            check_route(name, r)
            for d in r.get("route", []):
                if d["destination"]["host"] != name or d["destination"].get("port", {}).get("number") != PORT:
                    problem(f"istio {name}/{r.get('name')}: routes to {d['destination']}")
        if any("match" not in r for r in routes[:-1]) or "match" in routes[-1]:
            problem(f"istio {name}: the catch-all (non-idempotent) route must be last and the only one without match")
        names = [r.get("name") for r in routes]
        if name == "meeting" and names[:1] != ["recording-upload"]:
            problem("istio meeting: the recording-upload route must come first")
    for name, dr in drs.items():
        od = dr["spec"].get("trafficPolicy", {}).get("outlierDetection", {})
        for k, v in OUTLIER.items():
            if od.get(k) != v:
                problem(f"istio {name}: outlierDetection.{k} = {od.get(k)}, seed 004 says {v}")
        if not dr["spec"].get("trafficPolicy", {}).get("connectionPool", {}).get("http"):
            problem(f"istio {name}: no HTTP connection pool limits")
    def is_istio(d):
        return d["apiVersion"].split("/")[0].endswith("istio.io")
    with open(out + ".json", "w", encoding="utf-8") as f:
        json.dump([d for d in docs if is_istio(d)], f)
    with open(out + ".core.yaml", "w", encoding="utf-8") as f:
        yaml.safe_dump_all([d for d in docs if not is_istio(d)], f)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    docs = load(path)
    check_base(docs)
    if mode == "istio":
        check_istio(docs, sys.argv[3])
    for p in problems:
        print(f"  FAIL {p}")
    if problems:
        sys.exit(1)
    kinds = sorted({d["kind"] for d in docs})
    print(f"  ok   {len(docs)} resources ({', '.join(kinds)}): interface, probes, HPA/PDB, hardening"
          + (", Istio routes and outlier detection" if mode == "istio" else ""))


if __name__ == "__main__":
    main()
