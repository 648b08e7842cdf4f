#!/usr/bin/env bash
# Runs Watch, and once it is watching (its first endpoint line is out: Cake has built the tool and the tool has
# listed), runs the command given; then waits for Watch, whose exit code fails the step when a request failed or
# the endpoint list never changed.
set -euo pipefail
log=$(mktemp)
dotnet cake --target=Watch --duration=120 --rate=10 --expect-endpoint-change >"$log" 2>&1 &
watch=$!
for _ in $(seq 1 300); do
  grep -q "endpoints minikube-demo-server-service" "$log" && break
  kill -0 "$watch" 2>/dev/null || break
  sleep 1
done
# A failed command still shows Watch's output and waits for it; the command's failure is the step's.
command_status=0
"$@" || command_status=$?
status=0
wait "$watch" || status=$?
cat "$log"
exit $((command_status != 0 ? command_status : status))
