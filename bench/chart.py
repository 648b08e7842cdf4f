"""Draws bench/results.svg from the summary report.py makes: four bar panels, no plotting library.

Standalone: `python3 bench/chart.py bench/results.json bench/results.svg` redraws it from the raw rounds.
"""
from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

COLOURS = {"nginx": "#7f8c8d", "dotnet": "#512bd4", "go": "#00add8", "deno": "#1f8a5b", "diag": "#b0a4e8"}
SHORT = {
    "nginx": "nginx return 200",
    "server-aot": "server (AOT)",
    "server-jit": "server (JIT)",
    "fetcher-aot": "fetcher → server (AOT)",
    "hono-server": "Hono server (Deno)",
    "hono-fetcher": "Hono fetcher → server",
    "go-server": "Go server",
    "go-fetcher": "Go fetcher → server",
}

PANEL_W = 490
LABEL_W, BAR_H, GAP, TOP, BOTTOM = 160, 22, 8, 58, 22


def panel(x0: int, y0: int, title: str, rows: list[dict], figure: str,
          label: callable, marks: list[tuple[float, str]] = (), inner: str | None = None) -> list[str]:
    values = [r[figure] or 0 for r in rows]
    top = max(values + [m[0] for m in marks] + [1e-9]) * 1.12
    width = PANEL_W - LABEL_W - 150
    out = [f'<text x="{x0}" y="{y0 + 20}" class="title">{escape(title)}</text>']
    for i, (r, v) in enumerate(zip(rows, values)):
        y = y0 + TOP + i * (BAR_H + GAP)
        w = max(1.0, width * v / top)
        out.append(f'<text x="{x0 + LABEL_W - 8}" y="{y + BAR_H * 0.7}" class="label">{escape(SHORT.get(r["key"], r["key"]))}</text>')
        colour = COLOURS.get(r["family"], "#999")
        out.append(f'<rect x="{x0 + LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}" opacity="0.45"/>'
                   if inner else
                   f'<rect x="{x0 + LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}"/>')
        if inner:
            iv = r[inner] or 0
            out.append(f'<rect x="{x0 + LABEL_W}" y="{y}" width="{max(1.0, width * iv / top):.1f}" height="{BAR_H}" fill="{colour}"/>')
        out.append(f'<text x="{x0 + LABEL_W + w + 4}" y="{y + BAR_H * 0.7}" class="value">{escape(label(r))}</text>')
    for i, (value, text) in enumerate(marks):
        x = x0 + LABEL_W + width * value / top
        y_end = y0 + TOP + len(rows) * (BAR_H + GAP)
        y_text = y0 + TOP - 9 - (i % 2) * 11  # staggered, so marks close together stay readable
        out.append(f'<line x1="{x:.1f}" y1="{y_text + 3}" x2="{x:.1f}" y2="{y_end}" class="mark"/>')
        out.append(f'<text x="{x:.1f}" y="{y_text}" class="marktext">{escape(text)}</text>')
    return out


def num(v: float | None, digits: int) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def go_marks(rows: list[dict]) -> list[tuple[float, str]]:
    """The throughput targets on the × nginx scale: 1.0 × the Go server, 1.2 × the Go pair."""
    by_key = {r["key"]: r for r in rows}
    marks = []
    for key, factor, text in (("go-server", 1.0, "1.0 × Go server"), ("go-fetcher", 1.2, "1.2 × Go pair")):
        ratio = by_key.get(key, {}).get("req_per_cpu_s_x_nginx")
        if ratio:
            marks.append((ratio * factor, text))
    return marks


def render(summary: dict) -> str:
    rows = [r for r in summary["rows"] if not r["diagnostic"]]
    panel_h = TOP + len(rows) * (BAR_H + GAP) + BOTTOM
    w, h = PANEL_W * 2 + 20, panel_h * 2 + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        "<style>.title{font-size:14px;font-weight:bold}.label{font-size:12px;text-anchor:end}"
        ".value{font-size:11px}.mark{stroke:#c0392b;stroke-dasharray:4 3}.marktext{font-size:10px;fill:#c0392b;"
        "text-anchor:middle}.foot{font-size:11px;fill:#555}</style>",
        f'<rect width="{w}" height="{h}" fill="white"/>',
    ]
    parts += panel(10, 0, "Requests per core-second, × nginx (higher is better)", rows, "req_per_cpu_s_x_nginx",
                   lambda r: f"{num(r['req_per_cpu_s_x_nginx'], 2)}× (wrk {num(r['rps'], 0)}/s)",
                   marks=go_marks(rows))
    parts += panel(PANEL_W + 10, 0, "p99 latency at the fixed rate, ms (lower is better)", rows, "p99_ms",
                   lambda r: f"{num(r['p99_ms'], 2)} ms (p50 {num(r['p50_ms'], 2)})")
    parts += panel(10, panel_h, "Start → first 200, ms (lower is better)", rows, "start_ms",
                   lambda r: f"{num(r['start_ms'], 1)} ms", marks=[(50, "50 ms")])
    parts += panel(PANEL_W + 10, panel_h, "RSS MB: idle (dark) / end of load (lower is better)", rows,
                   "rss_end_mb", lambda r: f"{num(r['rss_idle_mb'], 1)} / {num(r['rss_end_mb'], 1)} MB",
                   marks=[(24, "24 idle")], inner="rss_idle_mb")
    parts.append(f'<text x="10" y="{h - 12}" class="foot">Medians of the rounds of one run on one machine; '
                 'contestants on one core, load generator on the other. Red dashes: the targets.</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    import report  # noqa: PLC0415 - beside this file

    raw = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(render(report.summarize(raw)))
