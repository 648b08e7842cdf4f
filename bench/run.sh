#!/usr/bin/env bash
# The one bench command: installs the load tools and the course's Deno/Hono stack, publishes the
# contestants, runs them all on loopback and writes bench/results.md (+ .svg chart, + .json raw rounds).
#
#   bench/run.sh               full run (3 rounds, ~15 min on 2 cores) -> bench/results.md
#   bench/run.sh --rounds 5    more rounds, tighter medians (~25 min)
#   bench/run.sh --smoke       every contestant briefly (CI) -> bench/results.smoke.md; fails only if a
#                              contestant does not start or answers the wrong body, never on speed
# Extra options go to bench.py (e.g. --only server-aot,hono-server  --dotnet-env DOTNET_TieredPGO=0).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$bench_dir")"
artifacts="$bench_dir/.artifacts"
out="$bench_dir/results.md"
bench_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) out="$bench_dir/results.smoke.md"; bench_args+=(--smoke); shift ;;
    --rounds) bench_args+=(--rounds "$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) bench_args+=("$1"); shift ;;
  esac
done

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "tools"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v taskset >/dev/null || missing+=(util-linux)
command -v gzip >/dev/null || missing+=(gzip)
command -v npm >/dev/null || missing+=(npm)
command -v go >/dev/null || missing+=(golang-go)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  # The repository's installs share one lock (.ci/install.sh): bookworm's apt fails at once on a second update.
  flock /var/lock/minikube-demo-apt.lock sh -c 'apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null' apt "${missing[@]}"
fi

baseline="$bench_dir/baseline"
stamp="$baseline/node_modules/.bench-installed-from.json"
if [[ ! -x "$baseline/node_modules/.bin/deno" ]] || ! cmp -s "$baseline/package-lock.json" "$stamp"; then
  echo "installing deno + hono (npm ci) into bench/baseline/node_modules"
  (cd "$baseline" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$baseline/package-lock.json" "$stamp"
fi
"$baseline/node_modules/.bin/deno" --version | head -1

step "publish the contestants"
# Own artifacts paths: never touches the obj/ and bin/ of builds other people run in the tree.
publish() {
  local name="$1" project="$2"; shift 2
  echo "-- $name"
  dotnet publish "$project" -c Release -r linux-x64 --nologo -v quiet -clp:ErrorsOnly \
    --artifacts-path "$artifacts/build/$name" -o "$artifacts/$name" "$@"
}
publish server-aot "$repo_dir/server/MinikubeDemo.Server.csproj"
publish fetcher-aot "$repo_dir/server-fetcher/MinikubeDemo.ServerFetcher.csproj"
# Same code as the AOT build (request delegate and config binder source generators on), on the JIT runtime.
publish server-jit "$repo_dir/server/MinikubeDemo.Server.csproj" -p:PublishAot=false --self-contained false \
  -p:EnableRequestDelegateGenerator=true -p:EnableConfigurationBindingGenerator=true
echo "-- kestrel-bare (diagnostic)"
dotnet publish "$bench_dir/kestrel-bare/kestrel-bare.cs" -r linux-x64 --nologo -v quiet -clp:ErrorsOnly \
  -o "$artifacts/kestrel-bare"
echo "-- kestrel-bare-fetcher (diagnostic)"
dotnet publish "$bench_dir/kestrel-bare-fetcher/kestrel-bare-fetcher.cs" -r linux-x64 --nologo -v quiet -clp:ErrorsOnly \
  -o "$artifacts/kestrel-bare-fetcher"
echo "-- go-server, go-fetcher"
# Standard library only: GOPROXY=off makes sure nothing is downloaded. CGO_ENABLED=0: a static binary, as a
# Go service is built for a distroless image.
for main in server fetcher; do
  (cd "$bench_dir/go" && GOPROXY=off CGO_ENABLED=0 go build -trimpath -o "$artifacts/go/go-$main" "./$main")
done
# What the AOT binaries were compiled against (the ILCompiler package carries the runtime version).
ilc="$(find "$artifacts/build/server-aot/obj" -name project.assets.json -path '*MinikubeDemo.Server*' \
  -exec grep -o '"runtime.linux-x64.Microsoft.DotNet.ILCompiler/[^"]*"' {} + 2>/dev/null | head -1 | tr -d '"' || true)"
echo "${ilc:-ILCompiler version unknown}" > "$artifacts/aot-runtime.txt"

step "run"
cd "$bench_dir"
python3 bench.py --artifacts "$artifacts" --out "$out" "${bench_args[@]}"
