"""Turns the raw rounds of bench.py into medians, ratios, target checks and bench/results.md."""
from __future__ import annotations

import statistics
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

# Figures measured per contestant; (key in a round's result, role for per-process figures).
FIGURES = {
    "rps": ("rps", None),
    "req_per_cpu_s": ("req_per_cpu_s", None),
    "p50_ms": ("p50_ms", None),
    "p99_ms": ("p99_ms", None),
    "start_ms": ("start_ms", None),
    "rss_idle_mb": ("rss_idle_mb", "front"),
    "rss_end_mb": ("rss_end_mb", "front"),
    "upstream_rss_idle_mb": ("rss_idle_mb", "upstream"),
    "upstream_rss_end_mb": ("rss_end_mb", "upstream"),
}
RATIO_FIGURES = ("rps", "req_per_cpu_s", "p50_ms", "p99_ms", "start_ms", "rss_idle_mb", "rss_end_mb")


def value(result: dict, figure: str) -> float | None:
    key, role = FIGURES[figure]
    v = result.get(key)
    if role is not None:
        v = (v or {}).get(role)
    return v


def median_of(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(report: dict) -> dict:
    rounds = report["rounds"]
    rows = []
    for c in report["contestants"]:
        peer = c["hono_peer"] or "hono-server" if c["key"] != "hono-fetcher" else "hono-fetcher"
        row = dict(c, peer=peer, rounds_ok=sum(1 for r in rounds if c["key"] in r))
        for figure in FIGURES:
            per_round = [value(r[c["key"]], figure) for r in rounds if c["key"] in r]
            row[figure] = median_of(per_round)
            clean = [v for v in per_round if v is not None]
            row[figure + "_min"] = min(clean) if clean else None
            row[figure + "_max"] = max(clean) if clean else None
        for figure in RATIO_FIGURES:
            for ref_name, ref_key in (("nginx", "nginx"), ("hono", peer)):
                ratios = [value(r[c["key"]], figure) / value(r[ref_key], figure)
                          for r in rounds
                          if c["key"] in r and ref_key in r and value(r[ref_key], figure)]
                row[f"{figure}_x_{ref_name}"] = median_of(ratios)
        row["errors"] = sum(r[c["key"]]["errors"] for r in rounds if c["key"] in r)
        row["rate_achieved_rps"] = median_of([r[c["key"]]["rate_achieved_rps"] for r in rounds if c["key"] in r])
        image = report["images"].get(c["image"]) if c["image"] else None
        row["image"] = image
        rows.append(row)
    by_key = {row["key"]: row for row in rows}
    return {"rows": rows, "targets": targets(by_key)}


def targets(rows: dict[str, dict]) -> list[dict]:
    out = []

    def check(target: str, measured: float | None, limit: float, at_least: bool, unit: str = "") -> None:
        if measured is None:
            out.append({"target": target, "measured": "not measured", "holds": None})
            return
        holds = measured >= limit if at_least else measured <= limit
        gap = measured / limit
        out.append({"target": target, "measured": f"{measured:.2f}{unit}", "holds": holds,
                    "by": f"{gap:.2f}× the limit"})

    def row(key: str) -> dict:
        return rows.get(key, {})

    def check_throughput(target: str, key: str, ref: str, limit: float) -> None:
        """Holds only if both the wall-clock (wrk) and the per-CPU-second ratio reach the limit."""
        wall, per_cpu = row(key).get(f"rps_x_{ref}"), row(key).get(f"req_per_cpu_s_x_{ref}")
        if wall is None or per_cpu is None:
            out.append({"target": target, "measured": "not measured", "holds": None})
            return
        worst = min(wall, per_cpu)
        out.append({"target": target, "measured": f"{wall:.2f}× wrk req/s, {per_cpu:.2f}× per CPU-second",
                    "holds": worst >= limit, "by": f"{worst / limit:.2f}× the limit"})

    check_throughput("server req/s ≥ 0.9 × nginx", "server-aot", "nginx", 0.9)
    check_throughput("fetcher→server req/s ≥ 0.45 × nginx", "fetcher-aot", "nginx", 0.45)
    check_throughput("server req/s ≥ 3 × Hono server", "server-aot", "hono", 3)
    check_throughput("fetcher req/s ≥ 3 × Hono fetcher", "fetcher-aot", "hono", 3)
    check("server p99 ≤ 1 ms at the fixed rate", row("server-aot").get("p99_ms"), 1, False, " ms")
    check("fetcher p99 ≤ 2 ms at the fixed rate", row("fetcher-aot").get("p99_ms"), 2, False, " ms")
    check("AOT server start → first 200 ≤ 50 ms", row("server-aot").get("start_ms"), 50, False, " ms")
    for key, figure, role in (("server-aot", "rss_idle_mb", "server"), ("fetcher-aot", "rss_idle_mb", "fetcher")):
        check(f"{role} RSS idle ≤ 30 MB", row(key).get(figure), 30, False, " MB")
    for key, figure, role in (("server-aot", "rss_end_mb", "server"), ("fetcher-aot", "rss_end_mb", "fetcher"),
                              ("fetcher-aot", "upstream_rss_end_mb", "server behind the fetcher")):
        check(f"{role} RSS at the end of the load ≤ 60 MB", row(key).get(figure), 60, False, " MB")
    for key, role in (("server-aot", "server"), ("fetcher-aot", "fetcher")):
        image = row(key).get("image") or {}
        if "compressed_mb" in image:
            check(f"{role} image ≤ 15 MB compressed", image["compressed_mb"], 15, False, " MB")
        else:
            out.append({"target": f"{role} image ≤ 15 MB compressed",
                        "measured": image.get("na", "n/a (no Docker image)"), "holds": None})
    return out


def fmt(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def image_cell(image: dict | None) -> str:
    if not image:
        return "–"
    if "na" in image:
        return "n/a"
    return f"{image['compressed_mb']:.1f} / {image['uncompressed_mb']:.1f}"


def main_table(main_rows: list[dict]) -> list[str]:
    """The results table (also copied into the README by bench.py)."""
    lines = [
        "| contestant | req/s (wrk) | × nginx | × Hono | req per CPU-s | × nginx | × Hono | p50 ms | p99 ms "
        "| start → 200 ms | RSS idle MB | RSS end of load MB | image MB (gzip / raw) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in main_rows:
        lines.append(
            f"| {r['label']} | {fmt(r['rps'], 0)} | {fmt(r['rps_x_nginx'], 2)} | {fmt(r['rps_x_hono'], 2)} "
            f"| {fmt(r['req_per_cpu_s'], 0)} | {fmt(r['req_per_cpu_s_x_nginx'], 2)} "
            f"| {fmt(r['req_per_cpu_s_x_hono'], 2)} | {fmt(r['p50_ms'], 3)} | {fmt(r['p99_ms'], 3)} | {fmt(r['start_ms'])} | {fmt(r['rss_idle_mb'])} "
            f"| {fmt(r['rss_end_mb'])} | {image_cell(r['image'])} |")
    return lines


README_BEGIN = "<!-- bench-table: written by bench/run.sh from bench/results.json; edit bench/report.py, not this -->"
README_END = "<!-- /bench-table -->"


def readme_section(report: dict, summary: dict) -> str:
    """The README's copy of the results: the table, the machine and what misses its target."""
    m = report["machine"]
    v = report["versions"]
    main_rows = [r for r in summary["rows"] if not r["diagnostic"]]
    missed = [t["target"] for t in summary["targets"] if t["holds"] is False]
    lines = [README_BEGIN, ""] + main_table(main_rows) + [
        "",
        f"{m['cores']} cores ({m['cpu']}), .NET {v['.NET AOT build'].rsplit('/', 1)[-1]} (Native AOT), "
        f"{' '.join(v['Deno'].split()[:2])}, Hono {v['Hono']}, {v['nginx']}; "
        f"medians of {report['settings']['rounds']} rounds on {report['started_utc']}. "
        f"{len(summary['targets']) - len(missed)} of {len(summary['targets'])} targets hold"
        + (f"; missed: {'; '.join(missed)}." if missed else "."),
        "",
        README_END,
    ]
    return "\n".join(lines)


def markdown(report: dict, summary: dict, svg_name: str) -> str:
    s = report["settings"]
    m = report["machine"]
    main_rows = [r for r in summary["rows"] if not r["diagnostic"]]
    diag_rows = [r for r in summary["rows"] if r["diagnostic"]]
    run_kind = "`--smoke`" if s["smoke"] else f"{s['rounds']} round" + ("s" if s["rounds"] != 1 else "")
    lines = [
        "# Benchmark results" + (" (smoke run: too short to mean anything)" if s["smoke"] else ""),
        "",
        f"Written by `bench/run.sh` ({run_kind}) on "
        f"{report['started_utc']}, in {report['duration_s']} s. Regenerate, don't edit: the only hand-written part "
        "is *What was tried*, copied from `bench/TUNING.md`.",
        "",
        f"![Requests per second, latency, start-up and memory of each contestant]({svg_name})",
        "",
        "## Results",
        "",
        f"Medians of {run_kind}. × nginx and × Hono are the medians of the ratios taken within each "
        "round (the machine is shared and noisy: compare ratios, not absolute numbers across runs). "
        "*req per CPU-s* is the requests wrk completed divided by the CPU time (user + system) the contestant's "
        "processes used meanwhile: requests per second per core, and unlike the wall-clock figure it does not "
        "drop when another tenant takes the core. For a fetcher it counts the fetcher's and its server's CPU. "
        "RSS is VmRSS of the process under load (the fetcher's own, not its upstream's).",
        "",
    ]
    lines += main_table(main_rows)
    upstream_rows = [r for r in main_rows if r["upstream"]]
    if upstream_rows:
        lines += ["", "The server behind each fetcher (same run): " + "; ".join(
            f"{r['label']}: RSS idle {fmt(r['upstream_rss_idle_mb'])} MB, end of load {fmt(r['upstream_rss_end_mb'])} MB"
            for r in upstream_rows) + "."]
    na_images = {r["image"]["na"] for r in main_rows if r["image"] and "na" in r["image"]}
    for na in sorted(na_images):
        lines += ["", f"Image: {na}."]
    if report.get("deno_binary_mb"):
        lines += ["", f"The baseline has no image in this project; its runtime alone (the `deno` binary) is "
                      f"{report['deno_binary_mb']:.0f} MB uncompressed. nginx is the distribution's package."]

    lines += ["", "### Every figure as a ratio (median of the per-round ratios)", "",
              "| contestant | req/s × nginx | req/s × Hono | per CPU-s × nginx | per CPU-s × Hono | p50 × nginx | p99 × nginx | p99 × Hono "
              "| start × nginx | start × Hono | RSS load × nginx | RSS load × Hono |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in main_rows:
        lines.append(
            f"| {r['label']} | {fmt(r['rps_x_nginx'], 2)} | {fmt(r['rps_x_hono'], 2)} "
            f"| {fmt(r['req_per_cpu_s_x_nginx'], 2)} | {fmt(r['req_per_cpu_s_x_hono'], 2)} | {fmt(r['p50_ms_x_nginx'], 2)} "
            f"| {fmt(r['p99_ms_x_nginx'], 2)} | {fmt(r['p99_ms_x_hono'], 2)} | {fmt(r['start_ms_x_nginx'], 2)} "
            f"| {fmt(r['start_ms_x_hono'], 2)} | {fmt(r['rss_end_mb_x_nginx'], 2)} | {fmt(r['rss_end_mb_x_hono'], 2)} |")
    lines += ["", "× Hono compares a server with the Hono server and a fetcher with the Hono fetcher in front of "
                  "the Hono server."]

    lines += ["", "## Targets", "", "| target | measured (median) | holds |", "|---|---|---|"]
    for t in summary["targets"]:
        verdict = "n/a" if t["holds"] is None else ("yes" if t["holds"] else f"**no** ({t['by']})")
        lines.append(f"| {t['target']} | {t['measured']} | {verdict} |")

    if diag_rows:
        lines += ["", "## Where the gaps come from (diagnostic contestants, same run)", "",
                  "| contestant | req/s (wrk) | × nginx | req per CPU-s | × nginx | p99 ms "
                  "| RSS idle / end of load MB | its server's RSS idle / end MB |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        by_key = {r["key"]: r for r in summary["rows"]}
        compared = [by_key[k] for k in ("server-aot", "fetcher-aot") if k in by_key] + diag_rows
        for r in compared:
            upstream = (f"{fmt(r['upstream_rss_idle_mb'])} / {fmt(r['upstream_rss_end_mb'])}"
                        if r["upstream"] else "–")
            lines.append(f"| {r['label']} | {fmt(r['rps'], 0)} | {fmt(r['rps_x_nginx'], 2)} "
                         f"| {fmt(r['req_per_cpu_s'], 0)} | {fmt(r['req_per_cpu_s_x_nginx'], 2)} "
                         f"| {fmt(r['p99_ms'], 3)} | {fmt(r['rss_idle_mb'])} / {fmt(r['rss_end_mb'])} | {upstream} |")

    lines += ["", "## How it was measured", "",
              f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, {m['os']}, kernel {m['kernel']}. "
              f"Load average before / after the run: {report['load_average_before']} / "
              f"{report['load_average_after']} (other work was running on the same machine).",
              f"- Every contestant's processes run on CPU {s['server_cpus']}, the load generator and the harness "
              f"on CPU {s['load_cpus']} (`taskset`), so a figure is per core and the two don't steal from each "
              "other. nginx gets one worker per contestant core.",
              f"- Priority, because other work shares the machine: at saturation the contestant and wrk run at "
              f"`{s['nice']}` (a larger share of their core, without starving the rest); the short, light phases "
              f"(start-up trials and the fixed rate, where a delayed wake-up would show as latency) run "
              f"`{s.get('urgent', s.get('fifo'))}`.",
              f"- Requests per second at saturation: `wrk -t{s['wrk_threads']} -c{s['wrk_connections']} "
              f"-d{s['wrk_seconds']}s` after a {s['warmup_seconds']} s wrk warm-up.",
              f"- Latency at a fixed rate every contestant sustains: `h2load --h1 -c{s['rate_clients']} "
              f"--rps={s['rate_total_rps'] // s['rate_clients']}` ({s['rate_total_rps']} req/s in all) for "
              f"{s['rate_seconds']} s; p50 / p99 from h2load's per-request log.",
              f"- Start → first 200: spawn, then poll `GET /` every 0.5 ms until it answers 200; median of "
              f"{s['start_trials']} starts per round. A fetcher's start includes its first call to its upstream.",
              "- RSS: VmRSS from /proc/PID/status (summed over child processes: nginx's master and worker), idle = "
              "after 20 requests and 1 s of quiet, end of load = the last 250 ms sample before wrk stops.",
              "- Image sizes: `docker image inspect` (raw) and `docker save | gzip -9 | wc -c` (compressed).",
              "- Rounds run every contestant once, in an order rotated each round.",
              f"- Failed requests over the whole run (wrk non-2xx and socket errors, h2load failures): "
              + ", ".join(f"{r['key']} {r['errors']}" for r in summary["rows"]) + ".",
              f"- Fixed rate actually achieved (median req/s): "
              + ", ".join(f"{r['key']} {fmt(r['rate_achieved_rps'], 0)}" for r in summary["rows"]) + "."]
    if report.get("dotnet_env"):
        lines.append("- Extra environment for the .NET contestants: " +
                     ", ".join(f"`{k}={v}`" for k, v in report["dotnet_env"].items()) + ".")

    lines += ["", "### Spread across rounds (min – max)", "",
              "| contestant | req/s (wrk) | req per CPU-s | p99 ms | start ms |", "|---|---|---|---|---|"]
    for r in summary["rows"]:
        lines.append(f"| {r['label']} | {fmt(r['rps_min'], 0)} – {fmt(r['rps_max'], 0)} "
                     f"| {fmt(r['req_per_cpu_s_min'], 0)} – {fmt(r['req_per_cpu_s_max'], 0)} "
                     f"| {fmt(r['p99_ms_min'], 3)} – {fmt(r['p99_ms_max'], 3)} "
                     f"| {fmt(r['start_ms_min'])} – {fmt(r['start_ms_max'])} |")

    lines += ["", "### Versions", "", "| component | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in report["versions"].items()]

    if report["failures"]:
        lines += ["", "## Failures", ""] + [f"- {f.splitlines()[0]}" for f in report["failures"]]

    tuning = BENCH_DIR / "TUNING.md"
    if tuning.exists():
        lines += ["", tuning.read_text().strip()]
    return "\n".join(lines) + "\n"
