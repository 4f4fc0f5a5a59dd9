"""Small SVG charts drawn from a canned query's rows, on the server.

No chart library and no script: the picture is in the page as it arrives
(phones, feeds readers, machines without network), each bar is an SVG
element with a <title> that says its numbers, and the rows it is drawn from
are the table below it. Labels are escaped by markupsafe.
"""
from __future__ import annotations

from markupsafe import Markup

WIDTH = 720
BAR_AREA = 180
COLOURS = {"with": "#2c5ea8", "without": "#d9822b", "bar": "#2c5ea8", "dot": "#2c5ea8"}


def _value(row, key) -> int:
    try:
        value = row[key]
    except (KeyError, IndexError):
        return 0
    return int(value or 0)


def _has(rows, *keys) -> bool:
    return bool(rows) and all(k in rows[0].keys() for k in keys)


def meetings_per_month(rows) -> Markup:
    """One stacked bar per month: meetings with a recording, then without."""
    if not _has(rows, "month", "with_recording", "without_recording"):
        return Markup("")
    top = max((_value(r, "with_recording") + _value(r, "without_recording") for r in rows), default=0) or 1
    step = min(max(WIDTH / len(rows), 4), 48)
    width = max(step * len(rows), WIDTH)
    bar = max(step * 0.8, 2)
    marks = []
    for i, row in enumerate(rows):
        held, missing = _value(row, "with_recording"), _value(row, "without_recording")
        x = i * step + (step - bar) / 2
        h_with = BAR_AREA * held / top
        h_without = BAR_AREA * missing / top
        label = f"{row['month']}: {held} with a recording, {missing} without"
        marks.append(Markup(
            '<g class="mi-month" data-month="{m}"><title>{label}</title>'
            '<rect x="{x:.1f}" y="{y1:.1f}" width="{w:.1f}" height="{h1:.1f}" fill="{c1}"/>'
            '<rect x="{x:.1f}" y="{y2:.1f}" width="{w:.1f}" height="{h2:.1f}" fill="{c2}"/></g>'
        ).format(m=row["month"], label=label, x=x, w=bar, y1=BAR_AREA - h_with, h1=h_with, c1=COLOURS["with"],
                 y2=BAR_AREA - h_with - h_without, h2=h_without, c2=COLOURS["without"]))
    first, last = rows[0]["month"], rows[-1]["month"]
    return Markup(
        '<figure class="mi-chart"><svg role="img" aria-labelledby="mi-chart-months" viewBox="0 -10 {w:.0f} {h}" '
        'width="100%" style="max-width:{w:.0f}px"><title id="mi-chart-months">Meetings per month, '
        '{first} to {last}: with a recording in blue, without in orange</title>{marks}'
        '<line x1="0" y1="{base}" x2="{w:.0f}" y2="{base}" stroke="#999"/></svg>'
        '<figcaption><span class="mi-key" style="background:{c1}"></span> with a recording '
        '<span class="mi-key" style="background:{c2}"></span> without · {first} to {last}, '
        'tallest month {top} meeting{s}</figcaption></figure>'
    ).format(w=width, h=BAR_AREA + 20, base=BAR_AREA, marks=Markup("").join(marks), first=first, last=last,
             c1=COLOURS["with"], c2=COLOURS["without"], top=top, s="" if top == 1 else "s")


def horizontal_bars(rows, label: str, value: str, unit: str, css: str, title: str) -> Markup:
    """One labelled bar per row (talks per organisation, days from meeting to upload)."""
    if not _has(rows, label, value):
        return Markup("")
    rows = [r for r in rows if r[value] is not None]
    if not rows:
        return Markup("")
    top = max((abs(_value(r, value)) for r in rows), default=0) or 1
    line, label_w = 22, 220
    marks = []
    for i, row in enumerate(rows):
        n = _value(row, value)
        w = (WIDTH - label_w - 60) * abs(n) / top
        y = i * line
        marks.append(Markup(
            '<g class="{css}"><title>{name}: {n} {unit}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{short}</text>'
            '<rect x="{x}" y="{y}" width="{w:.1f}" height="{h}" fill="{c}"/>'
            '<text x="{vx:.1f}" y="{ty}" font-size="12">{n}</text></g>'
        ).format(css=css, name=row[label], short=_short(str(row[label])), n=n, unit=unit if abs(n) != 1 else unit.rstrip("s"), lx=label_w - 6,
                 ty=y + 15, x=label_w, y=y + 3, w=w, h=line - 6, c=COLOURS["bar"], vx=label_w + w + 4))
    height = line * len(rows)
    return Markup(
        '<figure class="mi-chart"><svg role="img" aria-label="{title}, the largest {top} {unit}" '
        'viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px">{marks}</svg></figure>'
    ).format(title=title, unit=unit, top=top, w=WIDTH, h=height, marks=Markup("").join(marks))


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# canned query -> how its rows are drawn
CHARTS = {
    "meetings_per_month": meetings_per_month,
    "talks_per_organisation": lambda rows: horizontal_bars(
        rows, "organisation", "talks", "talks", "mi-org", "Talks per organisation"),
    "recording_lag": lambda rows: horizontal_bars(
        rows, "meeting_date", "lag_days", "days", "mi-lag", "Days from each meeting to its video's upload"),
}


def chart_for(query_name: str | None, rows) -> Markup:
    draw = CHARTS.get(query_name or "")
    return draw(list(rows or [])) if draw else Markup("")
