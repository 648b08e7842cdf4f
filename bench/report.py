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


def round_ratio(rounds: list[dict], key: str, ref: str | None, figure: str) -> float | None:
    """Median of the per-round ratios key / ref: both measured in the same round, so under the same load."""
    if ref is None:
        return None
    return median_of([value(r[key], figure) / value(r[ref], figure)
                      for r in rounds
                      if key in r and ref in r and value(r[ref], figure) and value(r[key], figure) is not None])


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
            for ref_name, ref_key in (("nginx", "nginx"), ("hono", peer), ("go", c.get("go_peer"))):
                row[f"{figure}_x_{ref_name}"] = round_ratio(rounds, c["key"], ref_key, figure)
        row["errors"] = sum(r[c["key"]]["errors"] for r in rounds if c["key"] in r)
        row["rate_achieved_rps"] = median_of([r[c["key"]]["rate_achieved_rps"] for r in rounds if c["key"] in r])
        image = report["images"].get(c["image"]) if c["image"] else None
        row["image"] = image
        rows.append(row)
    by_key = {row["key"]: row for row in rows}
    return {"rows": rows, "targets": targets(by_key, rounds)}


def targets(rows: dict[str, dict], rounds: list[dict]) -> list[dict]:
    """The project's targets, each checked against figures of the same run as the table."""
    out = []

    def check(target: str, measured: float | None, limit: float, at_least: bool, text: str) -> None:
        if measured is None:
            out.append({"target": target, "measured": "not measured", "holds": None})
            return
        holds = measured >= limit if at_least else measured <= limit
        out.append({"target": target, "measured": text, "holds": holds, "by": f"{measured / limit:.2f}× the limit"})

    def per_cpu(subject: str, reference: str, key: str, ref: str, limit: float) -> None:
        ratio = round_ratio(rounds, key, ref, "req_per_cpu_s") if key in rows and ref in rows else None
        mine, theirs = (rows.get(k, {}).get("req_per_cpu_s") for k in (key, ref))
        check(f"{subject} req per CPU-s ≥ {limit} × {reference}", ratio, limit, True,
              f"{ratio or 0:.2f}× (medians {fmt(mine, 0)} vs {fmt(theirs, 0)})")

    per_cpu("server", "the Go server", "server-aot", "go-server", 1.0)
    per_cpu("server", "bare Kestrel", "server-aot", "kestrel-bare", 0.85)
    per_cpu("fetcher → server", "the Go pair", "fetcher-aot", "go-fetcher", 1.2)
    per_cpu("server", "the Hono server", "server-aot", "hono-server", 3)
    per_cpu("fetcher → server", "the Hono pair", "fetcher-aot", "hono-fetcher", 3)
    services = (("server-aot", "server"), ("fetcher-aot", "fetcher"))
    for key, role in services:
        # A fetcher's first 200 includes its first call to its (already running) server: bench.py times each
        # start up to the first GET / that answers 200.
        start = rows.get(key, {}).get("start_ms")
        check(f"{role} start → first GET / 200 ≤ 50 ms", start, 50, False, f"{fmt(start)} ms")
    for key, role in services:
        rss = rows.get(key, {}).get("rss_idle_mb")
        check(f"{role} RSS idle ≤ 24 MB", rss, 24, False, f"{fmt(rss)} MB")
    for key, role in services:
        image = rows.get(key, {}).get("image") or {}
        if "compressed_mb" in image:
            check(f"{role} image ≤ 15 MB compressed", image["compressed_mb"], 15, False,
                  f"{image['compressed_mb']:.2f} MB")
        else:
            out.append({"target": f"{role} image ≤ 15 MB compressed",
                        "measured": image.get("na", "n/a (no Docker image)"), "holds": None})
    return out


# The figures compared with the base commit: (figure, name, higher is better, digits shown).
PAIRED = (("req_per_cpu_s", "req per CPU-s", True, 0), ("rps", "req/s (wrk)", True, 0), ("p50_ms", "p50 ms", False, 3),
          ("p99_ms", "p99 ms", False, 3), ("start_ms", "start → 200 ms", False, 1),
          ("rss_idle_mb", "RSS idle MB", False, 1), ("rss_end_mb", "RSS end of load MB", False, 1))


def before_after(summary: dict, rounds: list[dict], label: str) -> list[str]:
    """
    Each figure of the services now against the same services built from the base commit, run in the same rounds:
    the ratio now / base within each round. Worse beyond the noise: worse in every round, and by more than either
    build's own figure varied from round to round.
    """
    lines = ["", "## Before and after", "",
             f"The services now against the same services built from {label}, run as contestants of the same rounds "
             "(the base's rows are the `base:` rows below). Each change is the median of the per-round ratios now / "
             "base, with their range. *Worse beyond the noise*: worse in every round, and by more than either build's "
             "own figure varied from round to round.", "",
             "| contestant | figure | base | now | change (per-round range) | verdict |", "|---|---|---:|---:|---|---|"]
    by_key = {r["key"]: r for r in summary["rows"]}
    for key in ("server-aot", "fetcher-aot"):
        now, base = by_key.get(key), by_key.get(key + "-base")
        if now is None or base is None:
            continue
        for figure, name, higher_better, digits in PAIRED:
            ratios = [value(r[key], figure) / value(r[key + "-base"], figure) for r in rounds
                      if key in r and key + "-base" in r and value(r[key + "-base"], figure) and value(r[key], figure) is not None]
            if not ratios or not base[figure]:
                continue
            change = statistics.median(ratios) - 1
            noise = max((row[figure + "_max"] - row[figure + "_min"]) / row[figure] for row in (base, now))
            bad = [(x < 1) if higher_better else (x > 1) for x in ratios]
            worse_by = -change if higher_better else change
            verdict = ("**worse beyond the noise**" if all(bad) and worse_by > noise
                       else "better beyond the noise" if not any(bad) and -worse_by > noise else "within the noise")
            lines.append(f"| {now['label']} | {name} | {fmt(base[figure], digits)} | {fmt(now[figure], digits)} "
                         f"| {100 * change:+.1f} % ({100 * (min(ratios) - 1):+.1f} … {100 * (max(ratios) - 1):+.1f} %) "
                         f"| {verdict} |")
    return lines


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
        "| contestant | req/s (wrk) | × nginx | × Hono | req per CPU-s | × nginx | × Hono | × Go | p50 ms | p99 ms "
        "| start → 200 ms | RSS idle MB | RSS end of load MB | image MB (gzip / raw) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in main_rows:
        lines.append(
            f"| {r['label']} | {fmt(r['rps'], 0)} | {fmt(r['rps_x_nginx'], 2)} | {fmt(r['rps_x_hono'], 2)} "
            f"| {fmt(r['req_per_cpu_s'], 0)} | {fmt(r['req_per_cpu_s_x_nginx'], 2)} "
            f"| {fmt(r['req_per_cpu_s_x_hono'], 2)} | {fmt(r['req_per_cpu_s_x_go'], 2)} | {fmt(r['p50_ms'], 3)} "
            f"| {fmt(r['p99_ms'], 3)} | {fmt(r['start_ms'])} | {fmt(r['rss_idle_mb'])} "
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
    held = sum(1 for t in summary["targets"] if t["holds"])
    unmeasured = sum(1 for t in summary["targets"] if t["holds"] is None)
    lines = [README_BEGIN, ""] + main_table(main_rows) + [
        "",
        f"{m['cores']} cores ({m['cpu']}), .NET {v['.NET AOT build'].rsplit('/', 1)[-1]} (Native AOT), "
        f"{' '.join(v['Deno'].split()[:2])}, Hono {v['Hono']}, "
        f"Go {v.get('Go (go-server, go-fetcher)', '?').removeprefix('go')}, {v['nginx']}; "
        f"medians of {report['settings']['rounds']} rounds on {report['started_utc']}. "
        f"{held} of {len(summary['targets'])} targets hold"
        + (f", {unmeasured} not measured" if unmeasured else "")
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
        f"Medians of {run_kind}. × nginx, × Hono and × Go are the medians of the ratios taken within each "
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
    if report.get("go_binary_mb"):
        lines += ["", "The Go pair has no image in this project; its static binaries are " + ", ".join(
            f"{key} {mb:.1f} MB" for key, mb in report["go_binary_mb"].items()) + " uncompressed."]

    lines += ["", "### Every figure as a ratio (median of the per-round ratios)", "",
              "| contestant | req/s × nginx | req/s × Hono | req/s × Go | per CPU-s × nginx | per CPU-s × Hono "
              "| per CPU-s × Go | p50 × nginx | p99 × nginx | p99 × Hono | start × nginx | start × Hono "
              "| RSS load × nginx | RSS load × Hono |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in main_rows:
        lines.append(
            f"| {r['label']} | {fmt(r['rps_x_nginx'], 2)} | {fmt(r['rps_x_hono'], 2)} | {fmt(r['rps_x_go'], 2)} "
            f"| {fmt(r['req_per_cpu_s_x_nginx'], 2)} | {fmt(r['req_per_cpu_s_x_hono'], 2)} "
            f"| {fmt(r['req_per_cpu_s_x_go'], 2)} | {fmt(r['p50_ms_x_nginx'], 2)} "
            f"| {fmt(r['p99_ms_x_nginx'], 2)} | {fmt(r['p99_ms_x_hono'], 2)} | {fmt(r['start_ms_x_nginx'], 2)} "
            f"| {fmt(r['start_ms_x_hono'], 2)} | {fmt(r['rss_end_mb_x_nginx'], 2)} | {fmt(r['rss_end_mb_x_hono'], 2)} |")
    lines += ["", "× Hono compares a server with the Hono server and a fetcher with the Hono fetcher in front of "
                  "the Hono server; × Go, likewise, with the Go server and the Go fetcher in front of the Go server."]

    lines += ["", "## Targets", "", "| target | measured (median) | holds |", "|---|---|---|"]
    for t in summary["targets"]:
        verdict = "n/a" if t["holds"] is None else ("yes" if t["holds"] else f"**no** ({t['by']})")
        lines.append(f"| {t['target']} | {t['measured']} | {verdict} |")

    if report.get("base_label"):
        lines += before_after(summary, report["rounds"], report["base_label"])

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
              "- Image sizes: `docker image inspect` (raw) and `docker save | gzip -9 | wc -c` (compressed) of the "
              "images `dotnet cake --target=Images` built; the harness does not build them.",
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
