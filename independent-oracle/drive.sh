#!/bin/bash
# usage: drive.sh FROM TO — runs scenarios FROM..=TO (seed N*7919+13), each with a 400 s limit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
run=${INDEP_RUN_DIR:-/tmp/indep/run}
mkdir -p "$run"
for n in $(seq "$1" "$2"); do
  seed=$((n*7919+13))
  timeout 400 "$here/target/debug/indep" "$n" "$seed" > "$run/log_$n.txt" 2>&1
  echo "$n $seed rc=$?" >> "$run/drive.log"
done
