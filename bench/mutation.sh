#!/usr/bin/env bash
# Mutation testing of the security- and data-critical modules, one mutmut run per module.
#
#   bench/mutation.sh                 # every module below
#   bench/mutation.sh auth crypto     # only these
#   bench/mutation.sh webhook-providers   # the providers' signature checks in
#                                         # connectors/webhooks.py (215 mutants, not in the default run)
#   bench/mutation.sh ingest-claims       # ingest's claims, leases and fences alone
#                                         # (part of ingest, not in the default run)
#
# Each module is mutated in its own copy under mutants/<module>/ (git-ignored), from a
# snapshot of the working tree taken when the command starts, and each mutant runs only
# the tests mapped to its module below (mutmut narrows that further to the tests that
# call the mutated function). One worker, niced: the machine is shared. mutmut's
# forkserver isolation runs every test session in a fresh fork: some tests leave
# process-wide objects bound to their event loop (a connector's rate limiter), which a
# second session in the same process trips over. Scores are
# printed as Markdown rows for bench/RESULTS.md and kept in mutants/<module>/score.json;
# `cd mutants/<module> && mutmut show <mutant>` shows a survivor's diff.
set -euo pipefail
shopt -s nullglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MUTMUT="${MUTMUT:-$ROOT/.venv/bin/mutmut}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WORK="$ROOT/mutants"

declare -A SOURCES FILTERS TESTS

SOURCES[auth]="gateway/auth.py"
TESTS[auth]="tests/gateway/test_auth.py tests/gateway/test_guarantees_auth*.py
  tests/gateway/test_identity.py tests/resolvers/test_role_matrix.py"

SOURCES[permissions]="gateway/permissions.py resolvers/permissions.py"
TESTS[permissions]="tests/resolvers/test_role_matrix.py tests/resolvers/test_queries_admin.py
  tests/gateway/test_guarantees_auth*.py tests/resolvers/webhooks/test_webhook_subscriptions.py"

SOURCES[crypto]="gateway/crypto.py"
TESTS[crypto]="tests/gateway/test_crypto*.py tests/gateway/test_identity.py"

SOURCES[webhook]="gateway/webhook_signature.py gateway/ingress.py"
FILTERS[webhook]="gateway.webhook_signature.* gateway.ingress.x__verified__mutmut_*"
TESTS[webhook]="tests/gateway/test_outbound_events.py tests/jobs/test_deliver.py
  tests/resolvers/webhooks/test_webhook_subscriptions.py tests/connectors/test_webhook_sender.py
  tests/gateway/test_ingress.py tests/gateway/test_ingress_real_sender.py"

SOURCES[webhook-providers]="connectors/webhooks.py"
FILTERS[webhook-providers]="connectors.webhooks.x__hmac__mutmut_* connectors.webhooks.x__header__mutmut_*
  connectors.webhooks.x__fresh__mutmut_* connectors.webhooks.x__body_id__mutmut_*
  connectors.webhooks.x_standard_key__mutmut_* connectors.webhooks.x_verify__mutmut_*
  connectors.webhooks.x__any_matches__mutmut_*"
TESTS[webhook-providers]="${TESTS[webhook]}"

SOURCES[ingest]="jobs/ingest.py jobs/ingest_claims.py jobs/ingest_refetch.py"
TESTS[ingest]="tests/jobs/test_ingest*.py tests/gateway/test_ingress.py
  tests/gateway/test_webhooks_through.py"

# The claim, its lease and the attempt fence alone (part of ingest; much shorter).
SOURCES[ingest-claims]="jobs/ingest_claims.py"
TESTS[ingest-claims]="tests/jobs/test_ingest_fencing.py"

SOURCES[sync-delete]="gateway/store/upsert.py"
FILTERS[sync-delete]="gateway.store.upsert.x_mark_missing_deleted__mutmut_*"
TESTS[sync-delete]="tests/jobs/test_sync_delete*.py tests/jobs/test_sync.py"

SOURCES[cache]="gateway/cache.py"
TESTS[cache]="tests/resolvers/test_cache.py tests/gateway/test_redis_outage.py"

ORDER=(auth permissions crypto webhook sync-delete cache ingest)
EXTRA=(webhook-providers ingest-claims)

toml_list() {
  local out="" item
  for item in "$@"; do out+="\"$item\", "; done
  printf '[%s]' "${out%, }"
}

snapshot() {
  rm -rf "$WORK/.snapshot"
  mkdir -p "$WORK/.snapshot"
  (cd "$ROOT" && cp -a gateway resolvers connectors jobs tests pyproject.toml schema.graphql \
    "$WORK/.snapshot/")
  find "$WORK/.snapshot" -name __pycache__ -type d -prune -exec rm -rf {} +
}

run_module() {
  local name="$1" dir="$WORK/$1" tests=() test sources filters
  read -r -a sources <<<"${SOURCES[$name]}"
  read -r -d '' -a filters <<<"${FILTERS[$name]:-}" || true
  cd "$WORK/.snapshot"
  for test in ${TESTS[$name]}; do tests+=("$test"); done
  cd "$ROOT"
  rm -rf "$dir"
  cp -a "$WORK/.snapshot" "$dir"
  cat >>"$dir/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["gateway", "resolvers", "connectors", "jobs"]
only_mutate = $(toml_list "${sources[@]}")
pytest_add_cli_args = ["-p", "no:cacheprovider", "-n", "0"]
process_isolation = "forkserver"
pytest_add_cli_args_test_selection = $(toml_list "${tests[@]}")
EOF
  echo "== $name: ${sources[*]} <- ${tests[*]}"
  local start=$SECONDS status=0
  (cd "$dir" && nice -n 10 "$MUTMUT" run --max-children 1 "${filters[@]}") \
    >"$dir/mutmut.log" 2>&1 || status=$?
  local elapsed=$((SECONDS - start))
  if ((status != 0)); then
    echo "   mutmut exited $status after ${elapsed}s; see $dir/mutmut.log" >&2
    tail -n 20 "$dir/mutmut.log" >&2
  fi
  "$PYTHON" "$ROOT/bench/mutation_score.py" "$dir" "$name" "$elapsed" "${sources[*]}" \
    "${filters[@]}"
}

modules=("$@")
((${#modules[@]})) || modules=("${ORDER[@]}")
for name in "${modules[@]}"; do
  [[ -n "${SOURCES[$name]:-}" ]] || { echo "unknown module $name (${ORDER[*]} ${EXTRA[*]})" >&2; exit 2; }
done

snapshot
failed=0
for name in "${modules[@]}"; do
  run_module "$name" || failed=1
done
echo
"$PYTHON" "$ROOT/bench/mutation_score.py" --table "$WORK" "${modules[@]}"
exit "$failed"
