"""Evaluate the matcher on a generated, labelled corpus.

Builds notes markdown (parsed by indexer.notes), a YouTube channel and a Drive
archive with known truth, seeded, with the traps seen in real communities in
rough real-world proportions: lagged and untitled uploads, wrong dates in
titles, extra meetings in a week, meetings without recordings, re-uploads,
parts 1 and 2, Zoom-only meetings, conference talks and shorts on meeting
days, noisy chapter titles, and a second community far from UTC.

    .venv/bin/python bench/match_eval.py [--meetings 320] [--seed 7] [--errors]

Prints precision, recall and F1 of meeting -> recording links, and the share of
talks (of recordings with chapters) whose link starts within 30 s of the truth;
then the many-series case (bench/many_series.py: an emulated foundation's channel
carrying 20 series), precision and recall per series.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import string
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from indexer.match.matcher import match, meetings_from_notes  # noqa: E402
from indexer.notes import parse_notes  # noqa: E402

FIRST = ["Nian", "Sonja", "Miguel", "Ketan", "Haytham", "Katrina", "Yee", "Jeev", "Anmol", "Ruslan", "Priya",
         "Wei", "Aiko", "Lars", "Fatima", "Diego", "Chen", "Olga", "Samuel", "Ines", "Kenji", "Amara", "Tomasz"]
LAST = ["Tang", "Toledo", "Umare", "Hosni", "Rogan", "Tuan", "Hiba", "Patel", "Zhang", "Sato", "Berg", "Okafor",
        "Silva", "Novak", "Kim", "Garcia", "Ivanova", "Mensah", "Kowalski"]
ORGS = ["Spotify", "Lyft", "Freenome", "Union", "Gojek", "Blackshark", "Wolt", "Striveworks", "LinkedIn",
        "Toyota", "Pachama", "Unity", "Recursion", "Stripe", "OSC", "Intel", "Woven"]
TOPICS = ["Egress Events", "Bazel builds", "Lineage integration", "Data catalog", "Spark plugin", "Ray backend",
          "Map tasks", "Dynamic workflows", "Caching", "Type system", "Pod tasks", "Sagemaker plugin",
          "Feature store", "Multi-cluster", "Authentication", "Notifications", "Flyte Console redesign",
          "FlyteRemote", "Papermill notebooks", "Great Expectations", "Pandera validation", "Kubeflow comparison",
          "Helm charts", "Observability", "Cost attribution", "GPU scheduling", "Launch plans", "Schedules",
          "Structured datasets", "Signals and gates", "Agents framework", "Dask plugin", "Hyperparameter tuning",
          "Model registry", "Onboarding", "Release process", "Docs revamp", "Roadmap planning", "Secrets",
          "Checkpointing", "Array nodes", "Eager workflows", "Fast registration", "ImageSpec", "Artifacts"]
VERBS = ["", "Flyte ", "Introducing ", "Scaling ", "Deep dive: ", "Update on ", "RFC: ", "Flyte at {org}: "]
CONFS = ["KubeCon EU 2021", "KubeCon NA", "Data Council", "MLOps World", "PyData", "Ray Summit"]


def fmt_date(d: dt.date, rnd: random.Random) -> str:
    forms = [f"{d:%b} {d.day}, {d.year}", f"{d:%B} {d.day}, {d.year}", d.isoformat(),
             f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.day} {d:%B} {d.year}", f"{d:%B} {d.day}"]
    return rnd.choices(forms, weights=[30, 15, 25, 10, 10, 10])[0]


def noisy(title: str, rnd: random.Random) -> str:
    """How people retype a talk title in a description or chapter."""
    words = title.replace(":", "").split()
    r = rnd.random()
    if r < 0.3 and len(words) > 2:
        words = words[1:] if words[0] in ("Flyte", "Introducing", "Scaling") else words
    elif r < 0.45:
        w = rnd.randrange(len(words))
        if len(words[w]) > 5:
            i = rnd.randrange(1, len(words[w]) - 1)
            words[w] = words[w][:i] + words[w][i + 1:]
    out = " ".join(words)
    return out.lower() if rnd.random() < 0.2 else out


class Corpus:
    def __init__(self, n: int, seed: int, tz: str, hour: int, prefix: str):
        self.rnd = rnd = random.Random(seed)
        self.tz = ZoneInfo(tz)
        self.tzname = tz
        self.prefix = prefix
        self.truth: set[tuple[str, str]] = set()
        self.tags: dict[str, set[str]] = {}  # recording id -> the traps it carries
        self.noise: dict[str, str] = {}  # non-meeting video id -> what it is
        self.talk_truth: dict[str, tuple[set[str], int]] = {}  # talk title key -> (video ids, start)
        self.videos: list[dict] = []
        self.files: list[dict] = []
        self.counts: dict[str, int] = {}
        meetings = []
        d = dt.date(2020, 6, 2)
        while len(meetings) < n:
            meetings.append(d)
            if rnd.random() < 0.06:  # a second meeting the same week
                meetings.append(d + dt.timedelta(days=rnd.choice([1, 2, 3])))
            d += dt.timedelta(days=rnd.choice([7, 7, 14]))
        self.meeting_dates = meetings[:n]
        self.hour = hour
        self.md = self._notes()
        self._recordings()
        self._noise()

    def uid(self) -> str:
        return "".join(self.rnd.choices(string.ascii_letters + string.digits + "-_", k=11))

    def count(self, k):
        self.counts[k] = self.counts.get(k, 0) + 1

    def _notes(self) -> str:
        rnd = self.rnd
        lines = ["# Community Meetup Notes", "", "## Backlog Agenda Items", "* Something later [Ann - Acme]", ""]
        self.meetings = []
        for d in self.meeting_dates:
            talks = []
            for _ in range(rnd.choices([1, 2, 3, 4], weights=[20, 40, 30, 10])[0]):
                org = rnd.choice(ORGS)
                title = rnd.choice(VERBS).format(org=org) + rnd.choice(TOPICS)
                while title in [t[0] for t in talks]:
                    title += " II"
                people = [f"{rnd.choice(FIRST)}" + (f" {rnd.choice(LAST)}" if rnd.random() < 0.3 else "")
                          for _ in range(rnd.choice([1, 1, 1, 2]))]
                talks.append((title, people, org))
            cancelled = rnd.random() < 0.03
            m = {"date": d, "talks": talks, "cancelled": cancelled, "link": None}
            self.meetings.append(m)
            heading = fmt_date(d, rnd) if rnd.random() < 0.9 else d.isoformat()
            if "," not in heading and str(d.year) not in heading:
                heading = f"{d:%b} {d.day}, {d.year}"
            lines += [f"## {heading}" + (" - cancelled" if cancelled else ""), ""]
            m["section"] = len(lines)
            lines += ["", "### Agenda:"]
            for title, people, org in talks:
                lines.append(f"* {title} [{' - '.join(people)} - {org}]")
            lines += ["", "### Notes:", "* discussion", ""]
        self._lines = lines
        return "\n".join(lines)

    def _start_utc(self, d: dt.date) -> dt.datetime:
        return dt.datetime(d.year, d.month, d.day, self.hour, rnd_minute(self.rnd), tzinfo=self.tz).astimezone(
            dt.timezone.utc)

    def _video(self, m, title, published, duration, chapters, description, recorded=None, live="none"):
        vid = self.uid()
        self.videos.append({
            "source": "youtube", "id": vid, "title": title, "description": description,
            "recorded_at": recorded.isoformat() if recorded else None,
            "published_at": published.isoformat(), "name_date": None, "chapters": chapters,
            "duration_s": duration, "live_status": live, "path": None,
        })
        return vid

    def _recordings(self):
        rnd = self.rnd
        for i, m in enumerate(self.meetings):
            d = m["date"]
            key = d.isoformat()
            if m["cancelled"]:
                self.count("cancelled")
                continue
            start = self._start_utc(d)
            r = rnd.random()
            has_youtube = r < 0.86
            zoom_only = 0.86 <= r < 0.91
            if not has_youtube and not zoom_only:
                self.count("no recording")
            duration = rnd.randint(35 * 60, 75 * 60)
            # chapters and talk starts
            t = rnd.randint(60, 240)
            starts = []
            for title, people, org in m["talks"]:
                starts.append(t)
                t += rnd.randint(8, 25) * 60
            desc_lines, chapters = [], []
            with_chapters = rnd.random() < 0.55
            if with_chapters:
                chapters.append({"start_s": 0, "title": rnd.choice(["Intro", "Welcome", "Community updates"])})
                for (title, people, org), s in zip(m["talks"], starts):
                    style = rnd.random()
                    if style < 0.55:
                        ct = noisy(title, rnd)
                    elif style < 0.8:
                        ct = f"{noisy(title, rnd)} - {people[0]} ({org})"
                    else:
                        ct = f"{people[0]} from {org}"
                    chapters.append({"start_s": s, "title": ct})
                if rnd.random() < 0.4:
                    chapters.append({"start_s": t, "title": "Q&A and open discussion"})
                for a, b in zip(chapters, chapters[1:] + [None]):
                    a["end_s"] = b["start_s"] if b else duration
                desc_lines += [f"{c['start_s'] // 60}:{c['start_s'] % 60:02d} {c['title']}" for c in chapters]
            elif rnd.random() < 0.55:
                desc_lines.append("Agenda:")
                for title, people, org in m["talks"]:
                    desc_lines.append(f"- {noisy(title, rnd)} ({rnd.choice(people)}, {org})")
            if rnd.random() < 0.5:
                desc_lines.append("Join us on Slack! Notes: https://example.org/notes")
            description = "\n".join(desc_lines)
            if has_youtube:
                lag = rnd.choices([0, 1, 2, 3, 4, 6, 9, 15], weights=[40, 22, 10, 10, 6, 5, 4, 3])[0]
                tags = set()
                if lag >= 3:
                    self.count("uploaded 3+ days late")
                    tags.add("uploaded 3+ days late")
                if any(abs((o["date"] - d).days) <= 3 for o in self.meetings if o is not m):
                    tags.add("two meetings in one week")
                published = start + dt.timedelta(days=lag, hours=rnd.randint(1, 8))
                recorded = start if rnd.random() < 0.3 else None
                live = "completed" if recorded else "none"
                if recorded and rnd.random() < 0.5:
                    # a stream scheduled days ahead: publishedAt before the meeting
                    published = start - dt.timedelta(days=rnd.randint(1, 5))
                if recorded:
                    tags.add("stream (recorded_at)")
                date_text = fmt_date(d, rnd)
                wrong = False
                tr = rnd.random()
                if tr < 0.03 and i > 0:
                    # copy-pasted title: the previous meeting's date
                    date_text = fmt_date(self.meetings[i - 1]["date"], rnd)
                    wrong = True
                elif tr < 0.05:
                    date_text = fmt_date(d + dt.timedelta(days=rnd.choice([-1, 1])), rnd)
                    wrong = True
                styles = [f"Community Sync - {date_text}", f"Flyte Community Meeting {date_text}",
                          f"OSS Sync | {date_text}", "Flyte Community Sync", "Community meeting recording",
                          " & ".join(t[0] for t in m["talks"][:2]), f"{date_text}",
                          # no meeting word and no date: only the description can tell
                          f"Flyte Contributors #{i + 1}", f"Flyte Biweekly {date_text}"]
                title = rnd.choices(styles, weights=[25, 25, 10, 12, 6, 6, 6, 3, 4])[0]
                if m["talks"] and title == m["talks"][0][0]:
                    title = f"Community Sync - {date_text}"
                if date_text in title:
                    if wrong:
                        self.count("wrong date in title")
                        tags.add("wrong date in title")
                else:
                    tags.add("no date in title")
                    if not any(w in title.lower() for w in ("sync", "meeting")):
                        tags.add("no date, no meeting word")
                parts = rnd.random() < 0.03 and duration > 40 * 60
                if parts:
                    self.count("parts 1 and 2")
                    half = duration // 2
                    ids = []
                    for p in (1, 2):
                        chs = [c for c in chapters if (c["start_s"] < half) == (p == 1)]
                        chs = [dict(c, start_s=c["start_s"] - (half if p == 2 else 0)) for c in chs]
                        if len(chs) < 2:
                            chs = []
                        ids.append(self._video(m, f"{title} (Part {p})", published, half, chs, description,
                                               recorded, live))
                        for (tt, _, _), s in zip(m["talks"], starts):
                            if chs and (s < half) == (p == 1):
                                self.talk_truth[f"{key}|{tt}"] = ({ids[-1]}, s - (half if p == 2 else 0))
                    vids = ids
                else:
                    vid = self._video(m, title, published, duration, chapters, description, recorded, live)
                    vids = [vid]
                    if with_chapters:
                        for (tt, _, _), s in zip(m["talks"], starts):
                            self.talk_truth[f"{key}|{tt}"] = ({vid}, s)
                    if rnd.random() < 0.03:
                        self.count("re-upload")
                        re_title = title + rnd.choice(["", " (re-upload)", " [fixed audio]"])
                        rid = self._video(m, re_title, published + dt.timedelta(days=rnd.randint(1, 60)), duration,
                                          chapters, description)
                        vids.append(rid)
                        if with_chapters:
                            for (tt, _, _), s in zip(m["talks"], starts):
                                self.talk_truth[f"{key}|{tt}"] = ({vid, rid}, s)
                if parts:
                    tags.add("parts 1 and 2")
                for v in vids:
                    self.truth.add((key, v))
                    self.tags[v] = set(tags)
                if len(vids) == 2 and not parts:
                    self.tags[vids[1]].add("re-upload")
                if rnd.random() < 0.2:
                    m["link"] = vids[0]
                    self.count("explicit link in notes")
                    self.tags[vids[0]].add("explicit link in notes")
            if zoom_only or (has_youtube and rnd.random() < 0.35):
                if zoom_only:
                    self.count("zoom only")
                zs = start + dt.timedelta(minutes=rnd.randint(-3, 4))
                fid = "1" + "".join(self.rnd.choices(string.ascii_letters + string.digits, k=32))
                if rnd.random() < 0.8:
                    name = f"GMT{zs:%Y%m%d-%H%M%S}_Recording_1920x1080.mp4"
                else:
                    name = f"Community Meeting {d.isoformat()}.mp4"
                self.files.append({
                    "source": "drive", "id": fid, "title": name, "description": "", "recorded_at": None,
                    "published_at": None, "name_date": None, "chapters": [],
                    "duration_s": duration + rnd.randint(0, 600), "live_status": None,
                    "path": f"Recordings/{d.year}/{name}",
                })
                self.truth.add((key, fid))
                self.tags[fid] = {"Drive: zoom only" if zoom_only else "Drive: beside a YouTube upload"}
                if self.hour >= 16 or self.tzname != "America/Los_Angeles":
                    self.tags[fid].add("Drive: UTC date of the name differs from the local one"
                                       if zs.astimezone(self.tz).date() != zs.date() else "Drive: same day in UTC")
        # explicit links go into the notes sections
        lines = self._lines
        for m in reversed(self.meetings):
            if m["link"]:
                lines.insert(m["section"], f"### [YouTube Video](https://www.youtube.com/watch?v={m['link']})")
        self.md = "\n".join(lines)

    def _noise(self):
        """Videos that are not meetings, many on meeting days."""
        rnd = self.rnd
        n = len(self.meetings) // 3
        for _ in range(n):
            m = rnd.choice(self.meetings)
            when = self._start_utc(m["date"]) + dt.timedelta(hours=rnd.randint(-6, 30))
            r = rnd.random()
            talk = rnd.choice(m["talks"])
            if r < 0.08:
                # the same talk given elsewhere, titled like the agenda item, on the meeting's day
                title = f"{talk[0]} ({talk[2]})"
                dur, kind = rnd.randint(20 * 60, 40 * 60), "same talk elsewhere"
                desc = f"{talk[1][0]} from {talk[2]} presents {talk[0]}."
            elif r < 0.35:
                title = f"{talk[0]} | {rnd.choice(CONFS)}"
                dur, kind = rnd.randint(20, 40) * 60, "conference talk"
                desc = f"{talk[1][0]} from {talk[2]} presents {talk[0]}."
            elif r < 0.6:
                title = f"Demo: {rnd.choice(TOPICS)}"
                dur, kind, desc = rnd.randint(3, 15) * 60, "demo", "A quick demo."
            elif r < 0.85:
                title = f"{rnd.choice(TOPICS)} in 60 seconds #shorts"
                dur, kind, desc = rnd.randint(20, 59), "short", ""
            else:
                title = f"{rnd.choice(TOPICS)} tutorial"
                dur, kind, desc = rnd.randint(10, 30) * 60, "tutorial", ""
            self.count(f"non-meeting: {kind}")
            self.noise[self._video(None, title, when, dur, [], desc)] = kind
        # another series on the same channel, not in these notes: office hours two days after some meetings
        for m in rnd.sample(self.meetings, len(self.meetings) // 20):
            day = m["date"] + dt.timedelta(days=2)
            when = self._start_utc(day)
            dated = rnd.random() < 0.7
            title = f"Flyte Office Hours - {fmt_date(day, rnd)}" if dated else "Flyte Office Hours"
            self.count("non-meeting: office hours" + ("" if dated else " (undated)"))
            self.noise[self._video(None, title, when + dt.timedelta(hours=3), rnd.randint(1500, 3000), [],
                                   "Bring questions!")] = "office hours"

    def run(self):
        notes = parse_notes(self.md)
        meetings = meetings_from_notes(notes)
        candidates = self.videos + self.files
        t0 = time.perf_counter()
        result = match(meetings, candidates, tz=self.tzname)
        elapsed = time.perf_counter() - t0
        got = {(r["meeting_id"], r["ref"]) for r in result["recordings"]}
        titles = {t["id"]: (m["id"], t["title"]) for m in meetings for t in m["talks"]}
        talk_ok = talk_n = 0
        talk_errors = []
        links = {t["talk_id"]: t for t in result["talk_recordings"]}
        for tid, (mid, title) in titles.items():
            truth = self.talk_truth.get(f"{mid}|{title}")
            if truth is None:
                continue
            talk_n += 1
            link = links.get(tid)
            if link and link["video_id"] in truth[0] and abs(link["start_s"] - truth[1]) <= 30:
                talk_ok += 1
            else:
                talk_errors.append((tid, truth, link))
        return {
            "meetings": len(meetings), "candidates": len(candidates), "truth": self.truth, "got": got,
            "talk_ok": talk_ok, "talk_n": talk_n, "seconds": elapsed, "result": result,
            "talk_errors": talk_errors, "candidates_by_id": {c["id"]: c for c in candidates},
        }


def rnd_minute(rnd: random.Random) -> int:
    return rnd.choice([0, 0, 0, 2, 5])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--meetings", type=int, default=320)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--errors", action="store_true", help="print the wrong links")
    args = ap.parse_args(argv)
    corpora = [
        ("Pacific, 09:00", Corpus(args.meetings, args.seed, "America/Los_Angeles", 9, "pst")),
        ("Pacific, 17:00 (next day in UTC)", Corpus(args.meetings // 4, args.seed + 1, "America/Los_Angeles", 17, "eve")),
        ("Tokyo, 08:00 (day before in UTC)", Corpus(args.meetings // 4, args.seed + 2, "Asia/Tokyo", 8, "jst")),
    ]
    rows = []
    tot = {"tp": 0, "fp": 0, "fn": 0, "ok": 0, "n": 0, "m": 0, "c": 0, "s": 0.0}
    counts: dict[str, int] = {}
    by_trap: dict[str, list[int]] = {}  # trap -> [links, found]
    wrong: dict[str, int] = {}  # what the false links were
    for name, corpus in corpora:
        r = corpus.run()
        tp = len(r["truth"] & r["got"])
        fp = len(r["got"] - r["truth"])
        fn = len(r["truth"] - r["got"])
        for mid, ref in r["truth"]:
            for tag in corpus.tags.get(ref, ()) or ("(no trap)",):
                cell = by_trap.setdefault(tag, [0, 0])
                cell[0] += 1
                cell[1] += (mid, ref) in r["got"]
        for mid, ref in r["got"] - r["truth"]:
            what = ("non-meeting: " + corpus.noise[ref]) if ref in corpus.noise else "meeting recording, wrong meeting"
            wrong[what] = wrong.get(what, 0) + 1
        for k, v in corpus.counts.items():
            counts[k] = counts.get(k, 0) + v
        rows.append((name, r["meetings"], r["candidates"], tp, fp, fn, r["talk_ok"], r["talk_n"], r["seconds"]))
        for k, v in zip("mc", (r["meetings"], r["candidates"])):
            tot[k] += v
        tot["tp"] += tp
        tot["fp"] += fp
        tot["fn"] += fn
        tot["ok"] += r["talk_ok"]
        tot["n"] += r["talk_n"]
        tot["s"] += r["seconds"]
        if args.errors:
            cb = r["candidates_by_id"]
            for mid, ref in sorted(r["got"] - r["truth"]):
                link = next(x for x in r["result"]["recordings"] if x["meeting_id"] == mid and x["ref"] == ref)
                right = [m for m, f in r["truth"] if f == ref]
                print(f"FP {name}: {mid} <- {ref} {cb[ref]['title']!r} pub={cb[ref]['published_at']} "
                      f"truth={right} {link['confidence']} {link['reason']}")
            for mid, ref in sorted(r["truth"] - r["got"]):
                print(f"FN {name}: {mid} <- {ref} {cb[ref]['title']!r} pub={cb[ref]['published_at']} "
                      f"rec={cb[ref]['recorded_at']}")
            for tid, truth, link in r["talk_errors"][:15]:
                print(f"TALK {tid}: truth {truth} got {link and (link['video_id'], link['start_s'], link['reason'])}")

    def prf(tp, fp, fn):
        p = tp / (tp + fp) if tp + fp else 1.0
        rc = tp / (tp + fn) if tp + fn else 1.0
        return p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0)

    print("corpus traps:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    header = f"{'corpus':34} {'meetings':>8} {'recordings':>10} {'precision':>9} {'recall':>7} {'F1':>6} " \
             f"{'talks<=30s':>14} {'seconds':>7}"
    print(header)
    print("-" * len(header))
    for name, m, c, tp, fp, fn, ok, n, s in rows:
        p, rc, f1 = prf(tp, fp, fn)
        print(f"{name:34} {m:8d} {c:10d} {p:9.3f} {rc:7.3f} {f1:6.3f} {ok:5d}/{n:<4d}{ok / max(n, 1):5.2f} {s:7.2f}")
    p, rc, f1 = prf(tot["tp"], tot["fp"], tot["fn"])
    print("-" * len(header))
    print(f"{'all':34} {tot['m']:8d} {tot['c']:10d} {p:9.3f} {rc:7.3f} {f1:6.3f} "
          f"{tot['ok']:5d}/{tot['n']:<4d}{tot['ok'] / max(tot['n'], 1):5.2f} {tot['s']:7.2f}")
    print()
    print(f"{'recall by trap (a link may carry several)':56} {'links':>6} {'found':>6} {'recall':>7}")
    for tag, (n, found) in sorted(by_trap.items()):
        print(f"{tag:56} {n:6d} {found:6d} {found / n:7.3f}")
    print("false links:", ", ".join(f"{k} {v}" for k, v in sorted(wrong.items())) or "none")
    goals = p >= 0.99 and rc >= 0.95 and tot["ok"] / max(tot["n"], 1) >= 0.90
    print("goals (precision >= 0.99, recall >= 0.95, talk moments >= 0.90):", "met" if goals else "NOT met")
    print()
    # many series on one channel: each recording to one series, then to one of its meetings
    from many_series import report, run as run_many

    goals = report(run_many(args.seed), args.errors) and goals
    return 0 if goals else 1


if __name__ == "__main__":
    sys.exit(main())
