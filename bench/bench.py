#!/usr/bin/env python3
"""Runs every contestant on loopback, one after another, with the same load, and writes the results.

Called by bench/run.sh after it has installed the tools and built the binaries; see bench/README.md.
Python standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import chart
import report as report_md

BENCH_DIR = Path(__file__).resolve().parent
BASELINE_DIR = BENCH_DIR / "baseline"
DENO = BASELINE_DIR / "node_modules" / ".bin" / "deno"
HOST = "127.0.0.1"

SERVER_BODY = '{"message":"Hello world!"}'
FETCHER_BODY = '{"message":"Fetched: Hello world!"}'


@dataclass(frozen=True)
class Settings:
    """The load every contestant gets; the same for all within a run."""

    rounds: int
    start_trials: int
    warmup_seconds: float
    wrk_threads: int
    wrk_connections: int
    wrk_seconds: int
    rate_total_rps: int
    rate_clients: int
    rate_seconds: int
    smoke: bool


FULL = dict(start_trials=7, warmup_seconds=3, wrk_threads=1, wrk_connections=50, wrk_seconds=10,
            rate_total_rps=2000, rate_clients=4, rate_seconds=10)
SMOKE = dict(start_trials=1, warmup_seconds=1, wrk_threads=1, wrk_connections=50, wrk_seconds=1,
             rate_total_rps=500, rate_clients=2, rate_seconds=1)


@dataclass
class Service:
    """One process of a contestant."""

    role: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None


@dataclass
class Contestant:
    key: str
    label: str
    family: str  # nginx | dotnet | go | deno | diag: the colour in the chart
    body: str
    front: callable  # (port, upstream_port) -> Service: the process under load
    upstream: callable | None = None  # (port) -> Service started first, not timed for start-up
    hono_peer: str | None = None
    go_peer: str | None = None  # the Go contestant doing the same job, for the × Go ratios
    image: str | None = None
    diagnostic: bool = False  # only there to explain a gap; not a contestant with a target


# ---------------------------------------------------------------- processes


class CpuSplit:
    """Contestant processes on one set of cores, the load generator on the rest, so neither steals from the other."""

    def __init__(self) -> None:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) >= 2:
            half = len(cpus) // 2
            self.server = cpus[:half]
            self.load = cpus[half:]
        else:
            self.server = self.load = cpus
        # Other work shares this machine. At saturation a higher CFS weight (nice -10) keeps most of it off
        # the measured cores without starving it; the short, light phases (start-up, fixed rate) get the
        # highest weight (nice -20), so another tenant's compiler rarely delays a wake-up. Not SCHED_FIFO:
        # a runtime whose threads spin while waiting for each other livelocks under FIFO on one core (Deno
        # did, in a tuning run). Both need root; without it, plain.
        self.nice = ["nice", "-n", "-10"] if self._works(["nice", "-n", "-10", "true"]) else []
        self.urgent = ["nice", "-n", "-20"] if self._works(["nice", "-n", "-20", "true"]) else []

    @staticmethod
    def _mask(cpus: list[int]) -> str:
        return ",".join(str(c) for c in cpus)

    @staticmethod
    def _works(argv: list[str]) -> bool:
        return subprocess.run(argv, capture_output=True).returncode == 0

    def server_argv(self, argv: list[str], urgent: bool = False) -> list[str]:
        return [*(self.urgent if urgent else self.nice), "taskset", "-c", self._mask(self.server), *argv]

    def load_argv(self, argv: list[str], urgent: bool = False) -> list[str]:
        return [*(self.urgent if urgent else self.nice), "taskset", "-c", self._mask(self.load), *argv]

    def make_urgent(self, pids: list[int]) -> None:
        """nice -20 for running processes: every thread (Linux keeps nice per thread; new ones inherit)."""
        if self.urgent:
            for pid in pids:
                for process in tree_pids(pid):
                    for task in Path(f"/proc/{process}/task").iterdir():
                        try:
                            os.setpriority(os.PRIO_PROCESS, int(task.name), -20)
                        except OSError:
                            pass  # a thread that just ended

    @contextmanager
    def urgent_harness(self):
        """The harness polls for the first 200; at nice -20 its own wake-ups are not delayed either."""
        if not self.urgent:
            yield
            return
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, -20)
        try:
            yield
        finally:
            os.setpriority(os.PRIO_PROCESS, 0, before)


def base_env() -> dict[str, str]:
    """A clean environment: nothing from the caller's shell (ASPNETCORE_ENVIRONMENT, DOTNET_*) leaks in."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.setdefault("HOME", "/root")
    return env


class Running:
    """A started service. Its stdout goes into a pipe, as a container's does, read on the load generator's
    core by the harness, which keeps only the tail for error messages."""

    TAIL_BYTES = 16 * 1024

    def __init__(self, service: Service, proc: subprocess.Popen) -> None:
        self.service = service
        self.proc = proc
        self._tail = bytearray()
        self._drain = threading.Thread(target=self._read_stdout, daemon=True)
        self._drain.start()

    def _read_stdout(self) -> None:
        while chunk := self.proc.stdout.read1(65536):
            self._tail += chunk
            del self._tail[:-self.TAIL_BYTES]

    def log_tail(self, lines: int = 15) -> str:
        self._drain.join(timeout=1)
        text = self._tail.decode("utf-8", "replace").splitlines()
        return "\n".join(f"    | {line}" for line in text[-lines:])

    @property
    def pid(self) -> int:
        return self.proc.pid

    # Signals go to the whole process group (each service has its own session): nginx's workers outlive a
    # master that is killed alone.
    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.proc.wait()
        self._signal_group(signal.SIGKILL)  # stragglers of a group whose leader already exited

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)
        self.proc.wait()

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass


def spawn(service: Service, cpus: CpuSplit, urgent: bool) -> Running:
    env = base_env() | service.env
    proc = subprocess.Popen(cpus.server_argv(service.argv, urgent), env=env, cwd=service.cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    return Running(service, proc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_get(port: int, timeout: float = 1.0) -> tuple[int, str]:
    """A bare HTTP/1.1 GET /: no client library start-up cost, so it can also time a start."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    raw = b"".join(chunks).decode("utf-8", "replace")
    head, _, body = raw.partition("\r\n\r\n")
    status = int(head.split(" ", 2)[1])
    if "transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    return status, body


def dechunk(body: str) -> str:
    out, rest = [], body
    while rest:
        size_line, _, rest = rest.partition("\r\n")
        size = int(size_line.split(";")[0], 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return "".join(out)


def wait_first_200(running: Running, port: int, timeout: float) -> float:
    """Polls GET / until it answers 200; returns the seconds since the process was spawned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.proc.poll() is not None:
            raise RuntimeError(f"{running.service.role} exited with {running.proc.returncode}\n{running.log_tail()}")
        try:
            status, _ = http_get(port, timeout=timeout)
            if status == 200:
                return time.perf_counter()
        except (ConnectionRefusedError, ConnectionResetError, socket.timeout, IndexError, ValueError):
            pass
        time.sleep(0.0005)
    raise RuntimeError(f"{running.service.role} gave no 200 on port {port} within {timeout}s\n{running.log_tail()}")


def start_and_time(service: Service, port: int, cpus: CpuSplit, urgent: bool = False) -> tuple[Running, float]:
    spawned = time.perf_counter()
    running = spawn(service, cpus, urgent)
    first_200 = wait_first_200(running, port, timeout=30)
    return running, (first_200 - spawned) * 1000


def tree_pids(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process (all its threads) and its children."""
    total = 0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def rss_mb(root: int) -> float:
    """VmRSS of a process and its children (nginx has a master and workers), in MiB."""
    total_kb = 0
    for pid in tree_pids(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


# ---------------------------------------------------------------- load


def run_wrk(port: int, seconds: float, s: Settings, cpus: CpuSplit) -> dict:
    argv = cpus.load_argv(["wrk", f"-t{s.wrk_threads}", f"-c{s.wrk_connections}", f"-d{max(1, round(seconds))}s",
                           "--timeout", "5s", f"http://{HOST}:{port}/"])
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "requests": requests,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(g) for g in socket_errors.groups()) if socket_errors else 0,
    }


def saturate(port: int, pids: dict[str, int], s: Settings, cpus: CpuSplit) -> dict:
    """wrk at saturation while sampling RSS; the last sample before wrk ends is 'RSS at the end of the load'."""
    samples: dict[str, list[float]] = {role: [] for role in pids}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            for role, pid in pids.items():
                samples[role].append(rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu_before = sum(cpu_seconds(pid) for pid in pids.values())
    result = run_wrk(port, s.wrk_seconds, s, cpus)
    cpu_used = sum(cpu_seconds(pid) for pid in pids.values()) - cpu_before
    done.set()
    # Requests per CPU-second the contestant's processes burnt: what a core buys, whatever else ran on it.
    result["cpu_s"] = cpu_used
    result["req_per_cpu_s"] = result["requests"] / cpu_used if cpu_used > 0 else None
    sampler.join()
    result["rss_end_mb"] = {role: (vals[-1] if vals else rss_mb(pids[role])) for role, vals in samples.items()}
    result["rss_peak_mb"] = {role: max(vals, default=0.0) for role, vals in samples.items()}
    return result


def fixed_rate(port: int, s: Settings, cpus: CpuSplit, workdir: Path) -> dict:
    """h2load holds a fixed request rate; percentiles come from its per-request log."""
    log = workdir / f"h2load.{time.monotonic_ns()}.tsv"
    per_client = max(1, s.rate_total_rps // s.rate_clients)
    argv = cpus.load_argv(["h2load", "--h1", "-t1", f"-c{s.rate_clients}", f"--rps={per_client}",
                           f"-D{s.rate_seconds}", f"--log-file={log}", f"http://{HOST}:{port}/"], urgent=True)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=s.rate_seconds + 30, check=True).stdout
    durations_us, failed = [], 0
    for line in log.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and cols[1] == "200":
            durations_us.append(int(cols[2]))
        else:
            failed += 1
    log.unlink()
    durations_us.sort()
    if not durations_us:
        raise RuntimeError(f"h2load got no 200 at all:\n{out}")
    achieved = len(durations_us) / s.rate_seconds
    return {
        "p50_ms": percentile(durations_us, 50) / 1000,
        "p99_ms": percentile(durations_us, 99) / 1000,
        "max_ms": durations_us[-1] / 1000,
        "achieved_rps": achieved,
        "failed": failed,
    }


def percentile(sorted_values: list[int], p: float) -> float:
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


# ---------------------------------------------------------------- one contestant, one round


class WrongAnswer(Exception):
    pass


def measure(c: Contestant, s: Settings, cpus: CpuSplit, workdir: Path) -> dict:
    upstream = None
    upstream_port = None
    front = None
    try:
        if c.upstream:
            upstream_port = free_port()
            upstream, _ = start_and_time(c.upstream(upstream_port), upstream_port, cpus)

        starts = []
        for _ in range(s.start_trials):
            port = free_port()
            with cpus.urgent_harness():
                trial, ms = start_and_time(c.front(port, upstream_port), port, cpus, urgent=True)
            trial.kill()
            starts.append(ms)

        port = free_port()
        front, _ = start_and_time(c.front(port, upstream_port), port, cpus)
        status, body = http_get(port)
        if status != 200 or body != c.body:
            raise WrongAnswer(f"{c.label}: GET / answered {status} {body!r}, expected 200 {c.body!r}")

        # Idle: after a few requests, once things have settled.
        for _ in range(20):
            http_get(port)
        time.sleep(1 if not s.smoke else 0.2)
        pids = {"front": front.pid} | ({"upstream": upstream.pid} if upstream else {})
        rss_idle = {role: rss_mb(pid) for role, pid in pids.items()}

        run_wrk(port, s.warmup_seconds, s, cpus)  # JIT tiers, connection pools, caches
        sat = saturate(port, pids, s, cpus)
        cpus.make_urgent(list(pids.values()))
        lat = fixed_rate(port, s, cpus, workdir)
        return {
            "start_ms": statistics.median(starts),
            "start_trials_ms": starts,
            "rps": sat["rps"],
            "req_per_cpu_s": sat["req_per_cpu_s"],
            "cpu_s": sat["cpu_s"],
            "errors": sat["non_2xx"] + sat["socket_errors"] + lat["failed"],
            "rss_idle_mb": rss_idle,
            "rss_end_mb": sat["rss_end_mb"],
            "rss_peak_mb": sat["rss_peak_mb"],
            "p50_ms": lat["p50_ms"],
            "p99_ms": lat["p99_ms"],
            "max_ms": lat["max_ms"],
            "rate_achieved_rps": lat["achieved_rps"],
        }
    finally:
        for r in (front, upstream):
            if r:
                r.stop()


# ---------------------------------------------------------------- contestants


def dotnet_service(role: str, binary: Path, port: int, extra_env: dict[str, str]) -> Service:
    env = {
        "ASPNETCORE_URLS": f"http://{HOST}:{port}",
        "POD_NAME": role,
        # The bench stops processes itself; a drain would only add seconds per start.
        "Shutdown__DrainDelay": "00:00:00",
        "DOTNET_ROOT": str(Path(os.path.realpath(shutil.which("dotnet") or "/usr/share/dotnet")).parent),
    } | extra_env
    # Working directory = the binary's folder, as WORKDIR /app in the image: the content root the
    # configuration's file watcher watches stays that small folder.
    return Service(role, [str(binary)], env, cwd=binary.parent)


def deno_service(role: str, app_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> Service:
    # As the course runs it (Dockerfile: deno run --allow-env --allow-net app-run.js), without --watch.
    env = {"PORT": str(port), "HOST": HOST, "DENO_NO_UPDATE_CHECK": "1", "NO_COLOR": "1"} | (extra_env or {})
    return Service(role, [str(DENO), "run", "--allow-env", "--allow-net", "app-run.js"], env, cwd=app_dir)


def go_service(role: str, binary: Path, port: int, extra_env: dict[str, str] | None = None) -> Service:
    # The same variables as the Hono baseline. Pinned by taskset like every contestant: Go's runtime sizes
    # GOMAXPROCS to the affinity mask it starts with, so it runs one P per contestant core, as .NET sizes its
    # thread pool to the same mask.
    env = {"PORT": str(port), "HOST": HOST} | (extra_env or {})
    return Service(role, [str(binary)], env, cwd=binary.parent)


def nginx_service(port: int, workdir: Path, workers: int) -> Service:
    prefix = Path(tempfile.mkdtemp(prefix="nginx.", dir=workdir))
    conf = (BENCH_DIR / "nginx.conf").read_text()
    conf = conf.replace("@PORT@", str(port)).replace("@PREFIX@", str(prefix)).replace("@WORKERS@", str(workers))
    (prefix / "nginx.conf").write_text(conf)
    return Service("nginx", ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")])


def contestants(artifacts: Path, workdir: Path, cpus: CpuSplit, dotnet_env: dict[str, str],
                base: Path | None = None) -> list[Contestant]:
    server_aot = artifacts / "server-aot" / "minikube-demo-server"
    server_jit = artifacts / "server-jit" / "minikube-demo-server"
    fetcher_aot = artifacts / "fetcher-aot" / "minikube-demo-server-fetcher"
    kestrel_bare = artifacts / "kestrel-bare" / "kestrel-bare"
    kestrel_bare_fetcher = artifacts / "kestrel-bare-fetcher" / "kestrel-bare-fetcher"
    go_server_binary = artifacts / "go" / "go-server"
    go_fetcher_binary = artifacts / "go" / "go-fetcher"

    def aot_server(port: int) -> Service:
        return dotnet_service("server-aot", server_aot, port, dotnet_env)

    def hono_server(port: int) -> Service:
        return deno_service("hono-server", BASELINE_DIR / "server", port)

    def go_server(port: int) -> Service:
        return go_service("go-server", go_server_binary, port)

    quiet_log = {"Logging__LogLevel__MinikubeDemo.RequestLog": "Warning"}
    small_gen0 = {"DOTNET_GCgen0size": "400000"}
    return [
        Contestant("nginx", "nginx `return 200` (upper bound)", "nginx", SERVER_BODY,
                   lambda p, _: nginx_service(p, workdir, workers=len(cpus.server))),
        Contestant("server-aot", "server, Native AOT", "dotnet", SERVER_BODY,
                   lambda p, _: aot_server(p), hono_peer="hono-server", go_peer="go-server",
                   image="minikube-demo-server:1.0"),
        Contestant("server-jit", "server, JIT runtime", "dotnet", SERVER_BODY,
                   lambda p, _: dotnet_service("server-jit", server_jit, p, dotnet_env), hono_peer="hono-server",
                   go_peer="go-server"),
        Contestant("fetcher-aot", "fetcher (AOT) → server (AOT)", "dotnet", FETCHER_BODY,
                   lambda p, up: dotnet_service("fetcher-aot", fetcher_aot, p,
                                                dotnet_env | {"Upstream__BaseUrl": f"http://{HOST}:{up}"}),
                   upstream=aot_server, hono_peer="hono-fetcher", go_peer="go-fetcher",
                   image="minikube-demo-server-fetcher:1.0"),
        # What many engineers would write for this job: Go's standard library (bench/go/).
        Contestant("go-server", "Go net/http server", "go", SERVER_BODY,
                   lambda p, _: go_server(p), hono_peer="hono-server"),
        Contestant("go-fetcher", "Go fetcher → Go server", "go", FETCHER_BODY,
                   lambda p, up: go_service("go-fetcher", go_fetcher_binary, p,
                                            {"UPSTREAM_URL": f"http://{HOST}:{up}"}),
                   upstream=go_server, hono_peer="hono-fetcher"),
        Contestant("hono-server", "Hono server on Deno (course)", "deno", SERVER_BODY,
                   lambda p, _: hono_server(p)),
        Contestant("hono-fetcher", "Hono fetcher → Hono server on Deno (course)", "deno", FETCHER_BODY,
                   lambda p, up: deno_service("hono-fetcher", BASELINE_DIR / "server-fetcher", p,
                                              {"UPSTREAM_URL": f"http://{HOST}:{up}"}),
                   upstream=hono_server),
        # Diagnostics: where the gap to nginx goes (framework floor vs. pipeline vs. request log).
        Contestant("server-aot-nolog", "diag: server AOT, request log off", "diag", SERVER_BODY,
                   lambda p, _: dotnet_service("server-aot-nolog", server_aot, p, dotnet_env | quiet_log),
                   diagnostic=True),
        Contestant("kestrel-bare", "diag: bare Kestrel AOT (no middleware, no log)", "diag", SERVER_BODY,
                   lambda p, _: dotnet_service("kestrel-bare", kestrel_bare, p, dotnet_env), diagnostic=True),
        Contestant("kestrel-bare-fetcher", "diag: bare Kestrel + HttpClient fetcher (AOT) → server (AOT)", "diag",
                   FETCHER_BODY,
                   lambda p, up: dotnet_service("kestrel-bare-fetcher", kestrel_bare_fetcher, p,
                                                dotnet_env | {"Upstream__BaseUrl": f"http://{HOST}:{up}"}),
                   upstream=aot_server, diagnostic=True),
        # Memory: the default gen0 budget follows the CPU's cache size (large on server CPUs); a small pod
        # can trade some throughput for a smaller resident set. (NativeAOT reads the value as bare hex.)
        Contestant("fetcher-aot-gen0", "diag: fetcher → server (AOT), both DOTNET_GCgen0size=400000 (4 MiB)",
                   "diag", FETCHER_BODY,
                   lambda p, up: dotnet_service("fetcher-aot-gen0", fetcher_aot, p, dotnet_env | small_gen0 | {
                       "Upstream__BaseUrl": f"http://{HOST}:{up}"}),
                   upstream=lambda p: dotnet_service("server-aot-gen0", server_aot, p, dotnet_env | small_gen0),
                   diagnostic=True),
    ] + (base_contestants(base, dotnet_env) if base else [])


def base_contestants(base: Path, dotnet_env: dict[str, str]) -> list[Contestant]:
    """The same services built from another commit (--base-artifacts), run in the same rounds: a before/after pair
    measured under the same load of the machine."""
    server = base / "server-aot" / "minikube-demo-server"
    fetcher = base / "fetcher-aot" / "minikube-demo-server-fetcher"

    def base_server(port: int) -> Service:
        return dotnet_service("server-aot-base", server, port, dotnet_env)

    return [
        Contestant("server-aot-base", "base: server, Native AOT", "base", SERVER_BODY, lambda p, _: base_server(p),
                   diagnostic=True),
        Contestant("fetcher-aot-base", "base: fetcher (AOT) → server (AOT)", "base", FETCHER_BODY,
                   lambda p, up: dotnet_service("fetcher-aot-base", fetcher, p,
                                                dotnet_env | {"Upstream__BaseUrl": f"http://{HOST}:{up}"}),
                   upstream=base_server, diagnostic=True),
    ]


# ---------------------------------------------------------------- facts about the machine and the contestants


def command_output(argv: list[str]) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"


def versions(artifacts: Path) -> dict[str, str]:
    hono = json.loads((BASELINE_DIR / "node_modules" / "hono" / "package.json").read_text())["version"]
    runtimes = command_output(["dotnet", "--list-runtimes"])
    aspnet = re.search(r"Microsoft\.AspNetCore\.App (\S+)", runtimes)
    netcore = re.search(r"Microsoft\.NETCore\.App (\S+)", runtimes)
    return {
        ".NET SDK": command_output(["dotnet", "--version"]),
        ".NET runtime (JIT contestant)": f"Microsoft.NETCore.App {netcore.group(1) if netcore else '?'}, "
                                         f"Microsoft.AspNetCore.App {aspnet.group(1) if aspnet else '?'}",
        ".NET AOT build": (artifacts / "aot-runtime.txt").read_text().strip()
        if (artifacts / "aot-runtime.txt").exists() else "?",
        "Go (go-server, go-fetcher)":
            command_output(["go", "version", str(artifacts / "go" / "go-server")]).rsplit(": ", 1)[-1],
        "Deno": command_output([str(DENO), "--version"]).splitlines()[0],
        "Hono": hono,
        "nginx": command_output(["nginx", "-v"]).replace("nginx version: ", ""),
        "wrk": command_output(["wrk", "-v"]).splitlines()[0].split(" Copyright")[0],
        "h2load": command_output(["h2load", "--version"]).splitlines()[0],
    }


def machine() -> dict[str, str]:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "os": command_output(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
    }


def image_sizes(images: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    docker = shutil.which("docker")
    for image in images:
        if not docker:
            out[image] = {"na": "n/a (no Docker image): no docker CLI on this machine"}
            continue
        info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=30)
        if info.returncode != 0:
            out[image] = {"na": "n/a (no Docker image): no Docker daemon reachable"}
            continue
        inspect = subprocess.run([docker, "image", "inspect", image, "--format", "{{.Size}}"],
                                 capture_output=True, text=True, timeout=30)
        if inspect.returncode != 0:
            out[image] = {"na": f"n/a (no Docker image): `{image}` is not in the local Docker "
                                f"(build it with `dotnet cake --target=Images`)"}
            continue
        save = subprocess.Popen([docker, "save", image], stdout=subprocess.PIPE)
        gz = subprocess.run(["gzip", "-9"], stdin=save.stdout, capture_output=True, timeout=300)
        save.wait()
        out[image] = {"uncompressed_mb": int(inspect.stdout.strip()) / 1e6, "compressed_mb": len(gz.stdout) / 1e6}
    return out


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------- main


def write_report(report: dict, out: Path) -> None:
    summary = report_md.summarize(report)
    svg_path = out.with_suffix(".svg")
    svg_path.write_text(chart.render(summary))
    out.write_text(report_md.markdown(report, summary, svg_path.name))
    # The README shows the full run's table; a smoke run or a tuning run (--out elsewhere) leaves it alone.
    readme = BENCH_DIR.parent / "README.md"
    if out.resolve() == (BENCH_DIR / "results.md").resolve() and not report["settings"]["smoke"] and readme.exists():
        text = readme.read_text()
        begin, end = text.find(report_md.README_BEGIN), text.find(report_md.README_END)
        if begin >= 0 and end > begin:
            readme.write_text(text[:begin] + report_md.readme_section(report, summary)
                              + text[end + len(report_md.README_END):])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--artifacts", type=Path, help="directory with the published binaries")
    ap.add_argument("--from-json", type=Path, help="only re-render --out (and its .svg) from a results .json")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--smoke", action="store_true", help="brief run of every contestant: it must start and answer")
    ap.add_argument("--out", type=Path, required=True, help="results markdown to write (json + svg beside it)")
    ap.add_argument("--only", default="", help="comma-separated contestant keys (for tuning experiments)")
    ap.add_argument("--base-artifacts", type=Path,
                    help="the services published from another commit (its bench/.artifacts): run in the same rounds, "
                         "each figure compared round by round")
    ap.add_argument("--base-label", default="the base commit", help="what --base-artifacts was built from")
    ap.add_argument("--dotnet-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra env for every .NET contestant (tuning experiments)")
    args = ap.parse_args()
    # A harness stopped with SIGTERM still runs its finally blocks, which stop the contestants.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.from_json:
        write_report(json.loads(args.from_json.read_text()), args.out)
        return 0
    if not args.artifacts:
        ap.error("--artifacts is required")

    preset = SMOKE if args.smoke else FULL
    s = Settings(rounds=args.rounds or (1 if args.smoke else 3), smoke=args.smoke, **preset)
    cpus = CpuSplit()
    # The harness's own polling is load too: keep it on the load generator's cores.
    os.sched_setaffinity(0, cpus.load)
    dotnet_env = dict(kv.split("=", 1) for kv in args.dotnet_env)

    workdir = Path(tempfile.mkdtemp(prefix="minikube-demo-bench."))
    field_list = contestants(args.artifacts.resolve(), workdir, cpus, dotnet_env,
                             args.base_artifacts.resolve() if args.base_artifacts else None)
    if args.only:
        wanted = set(args.only.split(","))
        field_list = [c for c in field_list if c.key in wanted or c.key == "nginx" or c.key.removesuffix("-base") in wanted]

    began = time.time()
    load_before = load_average()
    rounds: list[dict[str, dict]] = []
    failures: list[str] = []
    for r in range(s.rounds):
        # Rotate the order so slow drift of the machine's load does not always hit the same contestant.
        order = field_list[r % len(field_list):] + field_list[:r % len(field_list)]
        results: dict[str, dict] = {}
        for c in order:
            t0 = time.monotonic()
            try:
                results[c.key] = measure(c, s, cpus, workdir)
                m = results[c.key]
                print(f"round {r + 1}/{s.rounds} {c.key:18} {m['rps']:>9.0f} rps  {m['req_per_cpu_s'] or 0:>9.0f} req/cpu-s  p50 {m['p50_ms']:.3f} ms  "
                      f"p99 {m['p99_ms']:.3f} ms  start {m['start_ms']:.1f} ms  "
                      f"rss {m['rss_idle_mb']['front']:.1f}/{m['rss_end_mb']['front']:.1f} MB  "
                      f"({time.monotonic() - t0:.0f}s)", flush=True)
            except (WrongAnswer, RuntimeError, subprocess.SubprocessError, OSError, AttributeError) as e:
                failures.append(f"{c.key}: {e}")
                print(f"round {r + 1}/{s.rounds} {c.key:18} FAILED: {e}", file=sys.stderr, flush=True)
        rounds.append(results)

    images = image_sizes([c.image for c in field_list if c.image])
    report = {
        "settings": s.__dict__ | {"server_cpus": cpus.server, "load_cpus": cpus.load,
                                  "nice": " ".join(cpus.nice) or "no (not permitted)",
                                  "urgent": " ".join(cpus.urgent) or "no (not permitted)"},
        "machine": machine(),
        "versions": versions(args.artifacts),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "started_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(began)),
        "duration_s": round(time.time() - began),
        "dotnet_env": dotnet_env,
        "contestants": [{"key": c.key, "label": c.label, "family": c.family, "hono_peer": c.hono_peer,
                         "go_peer": c.go_peer, "image": c.image, "diagnostic": c.diagnostic,
                         "upstream": c.upstream is not None}
                        for c in field_list],
        "rounds": rounds,
        "images": images,
        "deno_binary_mb": os.path.getsize(os.path.realpath(DENO)) / 1e6 if DENO.exists() else None,
        "go_binary_mb": {b.name: b.stat().st_size / 1e6 for b in sorted((args.artifacts / "go").glob("go-*"))},
        "failures": failures,
    }
    if args.base_artifacts:
        report["base_label"] = args.base_label
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    write_report(report, args.out)
    print(f"wrote {args.out} (+ .svg, .json) in {report['duration_s']} s")
    shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print("FAILED contestants:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
