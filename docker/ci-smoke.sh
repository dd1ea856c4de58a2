#!/usr/bin/env bash
# CI's Docker proof: build docker/Dockerfile on a locally made base image, start it, and probe
# GET /_cogito/health?deep=1 inside its network namespace. The deep health check makes the
# emulator run a real CreateUserPool, DescribeUserPool and DeleteUserPool through its AWS wire
# protocol, store and handlers (503 if any fails), so a container that merely starts is not enough.
#
# Uses ../shared/tools/docker-smoke.sh (root only; it installs docker.io and debootstrap and
# runs its own dockerd). Skipped, with a warning, when that script, root or the network it needs
# is missing: those are the machine's problems, not the project's. A failure once the image is
# being built (a broken Dockerfile, a container that does not answer) fails CI.
#   COGITO_CI_DOCKER=0 skips the step.
set -uo pipefail
cd "$(dirname "$0")/.."

SMOKE=../shared/tools/docker-smoke.sh
skip() { echo "ci: docker smoke SKIPPED: $*" >&2; exit 0; }

[ "${COGITO_CI_DOCKER:-1}" != "0" ] || skip "COGITO_CI_DOCKER=0"
[ -x "$SMOKE" ] || [ -f "$SMOKE" ] || skip "$SMOKE is not on this machine"
[ "$(id -u)" = "0" ] || skip "the smoke script needs root"
command -v apt-get >/dev/null 2>&1 || skip "no apt-get to install docker.io and debootstrap"
command -v nsenter >/dev/null 2>&1 || skip "no nsenter"

LOG=$(mktemp /tmp/cogito-docker-smoke.XXXXXX.log)
echo "ci: docker smoke (build docker/Dockerfile, probe /_cogito/health?deep=1); log in $LOG"
bash "$SMOKE" . docker/Dockerfile "/_cogito/health?deep=1" >"$LOG" 2>&1
status=$?
if [ "$status" = 0 ]; then
  grep -E '"probe"|smoke OK' "$LOG" || true
  echo "ci: docker smoke OK"
  exit 0
fi

tail -30 "$LOG" >&2
if ! grep -q '] build image' "$LOG"; then
  skip "the machine could not prepare Docker (apt, dockerd or debootstrap failed before the build; status $status)"
fi
if ! grep -q '] run + probe' "$LOG" && grep -qiE 'Temporary failure in name resolution|Could not resolve host|Network is unreachable|Connection (timed out|refused)|Max retries exceeded|ProxyError|Read timed out' "$LOG"; then
  skip "the image build could not reach a package index (network; status $status)"
fi
echo "ci: docker smoke FAILED (status $status): the image does not build or does not answer" >&2
exit 1
