#!/bin/sh
# One-shot job for the docker-compose cluster (runs in temporalio/admin-tools): registers the
# namespace, which temporalio/server (unlike the dev server) does not create by itself, and any
# custom search attributes listed in SEARCH_ATTRIBUTES as space-separated Name=Type pairs.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${NAMESPACE:-default}"

echo "waiting for Temporal at ${ADDRESS}"
until temporal operator cluster health --address "${ADDRESS}" >/dev/null 2>&1; do sleep 1; done

if temporal operator namespace describe --address "${ADDRESS}" -n "${NAMESPACE}" >/dev/null 2>&1; then
  echo "namespace ${NAMESPACE} exists"
else
  temporal operator namespace create --address "${ADDRESS}" -n "${NAMESPACE}" --retention 7d
fi
# A new namespace reaches the server's namespace cache some seconds later; until then calls that go
# through the cache (the search-attribute ones below, a worker's polls) answer "not found".
until temporal operator search-attribute list --address "${ADDRESS}" -n "${NAMESPACE}" >/dev/null 2>&1; do sleep 1; done

for pair in ${SEARCH_ATTRIBUTES:-}; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if temporal operator search-attribute list --address "${ADDRESS}" -n "${NAMESPACE}" | grep -qw "${name}"; then
    echo "search attribute ${name} exists"
  else
    temporal operator search-attribute create --address "${ADDRESS}" -n "${NAMESPACE}" --name "${name}" --type "${type}"
  fi
done
echo "namespace ${NAMESPACE} is ready"
