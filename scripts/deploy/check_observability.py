"""Cross-checks docker-compose, Prometheus and Grafana files with one another.

    python check_observability.py COMPOSE.json DEPLOY_DIR DASHBOARD_RULES_OUT.yml

COMPOSE.json is `docker compose config --format json` of deploy/docker-compose.yml. The
dashboard's queries are written to DASHBOARD_RULES_OUT.yml as recording rules, so that
`promtool check rules` parses every one of them with Prometheus's own parser.
Prints each problem; exit 1 if any.
"""
import json
import os
import re
import sys

import yaml

problems = []


def problem(msg):
    problems.append(msg)


def quorum_services(compose):
    return {n: s for n, s in compose["services"].items() if "serve" in (s.get("command") or [])}


def check_compose(compose, deploy):
    services = compose["services"]
    quorum = quorum_services(compose)
    with open(os.path.join(deploy, "postgres/init-databases.sql"), encoding="utf-8") as f:
        databases = set(re.findall(r"CREATE DATABASE (\w+);", f.read()))
    for name, svc in services.items():
        test = svc.get("healthcheck", {}).get("test")
        if not test or svc.get("healthcheck", {}).get("disable"):
            problem(f"compose {name}: no healthcheck")
        for dep, cond in (svc.get("depends_on") or {}).items():
            if dep not in services:
                problem(f"compose {name}: depends on unknown service {dep}")
            if cond.get("condition") not in ("service_healthy", "service_started", "service_completed_successfully"):
                problem(f"compose {name}: depends_on {dep} has no condition")
        for vol in svc.get("volumes", []):
            if vol.get("type") == "bind" and not os.path.exists(vol["source"]):
                problem(f"compose {name}: bind mount {vol['source']} does not exist")
    for name, svc in quorum.items():
        if "/usr/local/bin/quorum-healthcheck" not in svc["healthcheck"]["test"]:
            problem(f"compose {name}: healthcheck must run quorum-healthcheck (liveness)")
        if svc.get("user") != "10001:10001" or not svc.get("read_only"):
            problem(f"compose {name}: must run as 10001 with a read-only root file system")
        env = svc.get("environment", {})
        if env.get("QUORUM_SERVER__PORT") != "8080":
            problem(f"compose {name}: QUORUM_SERVER__PORT must be 8080")
        management = env.get("QUORUM_MANAGEMENT__PORT")
        if not management:
            problem(f"compose {name}: QUORUM_MANAGEMENT__PORT is not set (metrics for Prometheus)")
        elif any(str(p.get("target")) == management for p in svc.get("ports", [])):
            problem(f"compose {name}: the management port {management} must not be published")
        url = env.get("QUORUM_BACKENDS__DATABASE_URL")
        if url:
            db = url.rsplit("/", 1)[-1]
            if db not in databases:
                problem(f"compose {name}: database {db} is not created by postgres/init-databases.sql")
            for backend in ("postgres", "redis", "rabbitmq"):
                if services[name].get("depends_on", {}).get(backend, {}).get("condition") != "service_healthy":
                    problem(f"compose {name}: must wait for {backend} to be healthy")
        # A service process verifies its callers' tokens itself: it needs identity's keys
        # (docs/security.md, "Between the services"), unless it is identity.
        parts = [p for p in svc.get("command") or [] if not p.startswith("-")]
        if "gateway" not in parts and "identity" not in parts and \
                not env.get("QUORUM_GATEWAY__UPSTREAMS__IDENTITY"):
            problem(f"compose {name}: QUORUM_GATEWAY__UPSTREAMS__IDENTITY is not set (the keys it verifies callers with)")
        for key, value in env.items():
            if key.startswith("QUORUM_GATEWAY__UPSTREAMS__"):
                for base in value.split(","):
                    host = base.removeprefix("http://").split(":")[0]
                    if host not in quorum:
                        problem(f"compose {name}: {key} names {host}, which is no Quorum service")
                    elif host not in svc.get("depends_on", {}):
                        problem(f"compose {name}: does not wait for its upstream {host}")
    return quorum


def check_prometheus(deploy, quorum, compose):
    with open(os.path.join(deploy, "prometheus/prometheus.yml"), encoding="utf-8") as f:
        prom = yaml.safe_load(f)
    scraped = [t for job in prom["scrape_configs"]
               if job.get("metrics_path") == "/actuator/prometheus"
               for sc in job.get("static_configs", []) for t in sc["targets"]]
    targets = {t.split(":")[0] for t in scraped}
    for t in scraped:
        host, _, port = t.partition(":")
        env = compose["services"].get(host, {}).get("environment", {}) or {}
        if host in quorum and port != str(env.get("QUORUM_MANAGEMENT__PORT")):
            problem(f"prometheus.yml: scrapes {t}, not {host}'s management port "
                    f"(QUORUM_MANAGEMENT__PORT={env.get('QUORUM_MANAGEMENT__PORT')})")
    for name in quorum:
        if name not in targets:
            problem(f"prometheus.yml: Quorum service {name} is not scraped")
    for t in targets - set(quorum):
        problem(f"prometheus.yml: scrapes {t}, which is no Quorum service in the compose file")
    mounts = {v["target"] for v in compose["services"]["prometheus"].get("volumes", [])}
    for rule_file in prom.get("rule_files", []):
        if rule_file not in mounts:
            problem(f"prometheus.yml: rule file {rule_file} is not mounted into the prometheus container")


VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def check_dashboard(deploy, rules_out):
    with open(os.path.join(deploy, "grafana/provisioning/datasources/prometheus.yml"), encoding="utf-8") as f:
        uids = {d["uid"] for d in yaml.safe_load(f)["datasources"]}
    path = os.path.join(deploy, "grafana/dashboards/quorum.json")
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in dash:
            problem(f"quorum.json: no {key}")
    variables = {v["name"] for v in dash.get("templating", {}).get("list", [])}
    ids, rules = set(), []
    for panel in dash["panels"]:
        pid = panel.get("id")
        if pid in ids:
            problem(f"quorum.json: panel id {pid} used twice")
        ids.add(pid)
        if "gridPos" not in panel or not panel.get("title"):
            problem(f"quorum.json: panel {pid} needs a title and gridPos")
        if panel["type"] == "row":
            continue
        if panel.get("datasource", {}).get("uid") not in uids:
            problem(f"quorum.json: panel {pid} uses a datasource that is not provisioned")
        if not panel.get("targets"):
            problem(f"quorum.json: panel {pid} ({panel.get('title')}) has no query")
        for t in panel.get("targets", []):
            expr = t["expr"]
            for var, value in VARIABLES.items():
                expr = expr.replace(var, value)
            for var in re.findall(r"\$(\w+)", expr):
                if var not in variables:
                    problem(f"quorum.json: panel {pid} uses undefined variable ${var}")
                expr = expr.replace(f"${var}", ".*")
            rules.append({"record": f"dashboard:panel_{pid}_{t['refId']}", "expr": expr})
    with open(rules_out, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, f)
    return len(dash["panels"]), len(rules)


def main():
    compose_json, deploy, rules_out = sys.argv[1:4]
    with open(compose_json, encoding="utf-8") as f:
        compose = json.load(f)
    quorum = check_compose(compose, deploy)
    check_prometheus(deploy, quorum, compose)
    panels, queries = check_dashboard(deploy, rules_out)
    for p in problems:
        print(f"  FAIL {p}")
    if problems:
        sys.exit(1)
    print(f"  ok   compose: {len(compose['services'])} services, {len(quorum)} Quorum processes "
          f"(health checks, depends_on, databases, upstreams); Prometheus scrapes all of them; "
          f"dashboard: {panels} panels, {queries} queries")


if __name__ == "__main__":
    main()
