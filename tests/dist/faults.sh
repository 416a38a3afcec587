#!/usr/bin/env bash
# Faults in a data-parallel job (tests/dist/fault_drill.cpp on 2 ranks):
# an exception on one rank, and one rank killed, must end the whole job with a
# non-zero status within 30 s, never hang; the last checkpoint stays complete
# and a resumed run finishes the training.
#   faults.sh MPIRUN DRILL
set -uo pipefail
mpirun=$1 drill=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() { timeout 60 "$mpirun" -np 2 --oversubscribe --bind-to none "$drill" "$@" >"$dir/out" 2>&1; }
fail() { echo "FAIL: $*"; cat "$dir/out"; exit 1; }

for mode in throw kill; do
  start=$(date +%s)
  run "$mode" "$dir"; status=$?
  took=$(( $(date +%s) - start ))
  [[ $status -ne 0 ]] || fail "$mode: the job exited 0"
  [[ $status -ne 124 ]] || fail "$mode: the job hung (killed by timeout after 60 s)"
  (( took <= 30 )) || fail "$mode: the job took ${took}s to end (limit 30 s)"
  [[ $mode != throw ]] || grep -q "rank 1: malformed row at data.csv:17 (strict mode); stopping every rank" "$dir/out" || fail "throw: the rank's message is not shown"
  [[ -s $dir/last.safetensors ]] || fail "$mode: no checkpoint"
  ls "$dir" | grep -q '\.tmp' && fail "$mode: a temporary file was left"
  run resume "$dir" || fail "$mode: resuming from the checkpoint failed"
  grep -q "finished at step 40 from step" "$dir/out" || fail "$mode: resume did not finish"
  echo "ok: $mode ended the job in ${took}s (status $status); resumed $(grep -o 'from step [0-9]*' "$dir/out")"
  rm -f "$dir/last.safetensors"
done
echo "1 passed, 0 failed"
