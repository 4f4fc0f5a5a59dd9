"""Where each talk of a meeting starts, from what is said in its recording(s).

Pure functions over plain data. Input: the meeting's agenda talks in order
(``{"title", "presenters": [{"name"}]}``) and its recordings in timeline order
as ``(video_id, cues)`` (cue dicts: start_s, end_s, speaker, text). Output, per
talk: ``{"video_id", "start_s", "score", "cue", "why"}``, ``{"skipped": True,
"cue", ...}`` when the meeting says it will not happen, or None.

Each cue is scored as the start of each talk from several kinds of evidence:

* the talk's title said in this cue and the next two (automatic captions are
  lowercase, unpunctuated, split compounds and mishear: fuzzy matching on the
  text with and without spaces);
* the presenter's name (first or last name, fuzzy);
* the way people open a talk ("first up", "next on the agenda", "over to you",
  "thanks for having me", "this talk is about", ...);
* the talk's own words dominating the next minutes (more than before, more
  than any other talk's words);
* in transcripts that name speakers (Zoom): a new speaker who goes on to hold
  the floor, more so when the name is the presenter's.

Mentions that are not the start lose points: an agenda read-out (several
talks named at once, "on the agenda today"), announcements ("later", "hold
that"), questions. A talk named with "can't join" / "postponed" is skipped.
Then one start per talk is chosen in agenda order (strictly increasing in
time) maximising the total score; a talk without a good enough start stays
unplaced.
"""
from __future__ import annotations

import bisect
import re
import unicodedata

from rapidfuzz import fuzz, process

from indexer.common.times import hms

# a start needs at least this much evidence (title said, or name + an opening phrase, ...)
MIN_SCORE = 3.0
# how far "the talk's own words that follow" reach, in seconds
BODY_S = 180.0
# a talk whose words filled the last this many seconds is under way, not starting
UNDER_WAY_S = 45.0
# cues read together as one utterance (captions cut sentences into 2-6 s lines)
WINDOW = 3

_STOP = set(
    "a an the and or of for to in on at by with from into via how why what we our your is are be using use "
    "its it this that as vs via about towards toward do does part talk update updates new intro introduction "
    "proposal proposals discussion discussions rfc demo".split()
)

# how hosts hand over and presenters begin (words as captions write them, apostrophes dropped)
_OPENINGS = [
    "first up", "next up", "up next", "next we have", "lets get started", "get started with", "lets jump right in",
    "jump right in", "kick us off", "happy to introduce", "please welcome", "without further ado", "floor is yours",
    "over to you", "take it away", "youre up", "youre next", "you are next", "next on the agenda", "next item",
    "first item", "move to the next", "moving on", "move on to", "our talk today", "today we have a talk",
    "talk today is", "todays presentation", "happy to have", "who will tell us", "wholl tell us",
    "going to talk about", "going to present", "hand it over", "handing over", "who added this",
    "this one is mine", "my name is", "thanks for having me", "thank you for having me", "can you see my screen",
    "let me share my screen", "want to talk about", "this talk is about", "wanted to bring up", "keep this short",
    "this one is about", "hi everyone im", "hello everyone im", "hi everyone my name", "hello everyone my name",
    "so this talk", "i am going to talk", "im going to talk", "let me start", "lets start with",
]
# a talk announced before it starts, or the agenda read out
_ANNOUNCE = [
    "later", "hold that", "stick around", "say more about", "agenda today", "on the agenda we have",
    "today we have first", "and finally", "after that", "after the break", "we will hear", "well hear",
    "going to show us", "coming up",
]
_QUESTION = ["quick question", "question", "i was wondering", "how does", "could this", "can you say more"]
# the talk will not be given at this meeting
_SKIP = [
    "cant join", "cannot join", "couldnt join", "could not join", "cant make it", "couldnt make it",
    "could not make it", "cannot make it", "postponed", "rescheduled", "moved to next", "pushed to next",
    "will not be presenting", "wont be presenting", "not able to join", "unable to join", "cant be here",
    "couldnt be here",
]


def norm(text: str) -> str:
    """Lowercase words: accents folded, apostrophes dropped, other punctuation a space."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"['\u2019`]", "", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _phrases(phrases: list[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b")


def _has_any(text: str, pattern: re.Pattern) -> bool:
    return pattern.search(text) is not None


def _name_parts(talk: dict) -> list[str]:
    """First and last names of the presenters (also names in a trailing '(Name)' or 'by Name')."""
    names = [(p if isinstance(p, str) else p.get("name")) or "" for p in talk.get("presenters") or []]
    title = talk.get("title") or ""
    names += re.findall(r"\(([^()]+)\)\s*$", title) + re.findall(r"\bby ([A-Z][\w'-]+(?: [A-Z][\w'-]+)+)", title)
    parts = []
    for name in names:
        words = [w for w in norm(re.sub(r"\(.*?\)", " ", name)).split() if len(w) >= 3 and w not in _STOP]
        for w in words[:1] + words[-1:]:
            if w not in parts:
                parts.append(w)
    return parts


def _title_words(talk: dict) -> list[str]:
    title = re.sub(r"\(([^()]+)\)\s*$", " ", talk.get("title") or "")
    return [w for w in norm(title).split() if w not in _STOP and (len(w) >= 3 or any(c.isdigit() for c in w))]


_OPENINGS_RE, _ANNOUNCE_RE, _QUESTION_RE, _SKIP_RE = map(_phrases, [_OPENINGS, _ANNOUNCE, _QUESTION, _SKIP])


class _Cues:
    """The meeting's cues in timeline order, with normalised text for matching."""

    def __init__(self, recordings):
        self.rows = []  # (video_id, cue)
        for video_id, cues in recordings:
            for c in cues:
                self.rows.append((video_id, c))
        self.text = [norm(c["text"]) for _, c in self.rows]
        self.joined = [t.replace(" ", "") for t in self.text]
        self.speaker = [norm(c.get("speaker") or "") for _, c in self.rows]
        # a global clock: each recording continues after the one before it
        self.clock = []
        offset, last_vid, last_end = 0.0, None, 0.0
        for vid, c in self.rows:
            if vid != last_vid and last_vid is not None:
                offset = last_end + 1.0
            t = offset + float(c["start_s"])
            self.clock.append(t)
            last_end = max(last_end, offset + float(c.get("end_s") or c["start_s"]))
            last_vid = vid

    def window(self, i: int, n: int = WINDOW) -> str:
        j = i + 1
        # only cues of the same recording, within 20 s, continue the utterance
        while j < len(self.rows) and j < i + n and self.rows[j][0] == self.rows[i][0] \
                and self.clock[j] - self.clock[i] <= 20:
            j += 1
        return " ".join(self.text[i:j])

    def span(self, i: int, seconds: float) -> tuple[int, int]:
        """Indexes of the cues within ``seconds`` after cue i (exclusive of i)."""
        return i + 1, bisect.bisect_right(self.clock, self.clock[i] + seconds)

    def span_before(self, i: int, seconds: float) -> tuple[int, int]:
        return bisect.bisect_left(self.clock, self.clock[i] - seconds), i


def _word_in(word: str, text: str, joined: str) -> bool:
    if len(word) >= 4:
        return word in joined
    return f" {word} " in f" {text} "


def _fuzzy_word_in(word: str, words: list[str]) -> bool:
    """A misheard word: close in spelling (michael for mihael, nicholas for niklas)."""
    if len(word) < 4:
        return word in words
    return process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=75,
                              processor=None) is not None


class _Talk:
    def __init__(self, talk: dict, others: list[dict]):
        self.talk = talk
        self.words = _title_words(talk)
        other_words = {w for o in others for w in _title_words(o)}
        self.own = [w for w in self.words if w not in other_words] or self.words
        self.names = _name_parts(talk)
        self.title = norm(re.sub(r"\(([^()]+)\)\s*$", " ", talk.get("title") or ""))

    def title_said(self, text: str) -> float:
        """0..1: how much of the title this text says."""
        if not self.words or not text:
            return 0.0
        joined = text.replace(" ", "")
        words = text.split()
        hits = sum(1 for w in self.words if _word_in(w, text, joined) or _fuzzy_word_in(w, words))
        cov = hits / len(self.words)
        # spaces as captions split or merge them do not count against a title said whole
        ratio = fuzz.partial_ratio(self.title.replace(" ", ""), joined) / 100 if len(self.title) >= 8 else 0.0
        if len(self.words) == 1:
            cov = min(cov, 0.7)
        return max(cov, ratio if ratio >= 0.8 else 0.0)

    def name_said(self, text: str) -> bool:
        words = text.split()
        return any(_fuzzy_word_in(n, words) for n in self.names)

    def is_speaker(self, speaker: str) -> bool:
        if not speaker or not self.names:
            return False
        words = speaker.split()
        return any(_fuzzy_word_in(n, words) for n in self.names)

    def body_hit(self, text: str, joined: str) -> bool:
        return any(_word_in(w, text, joined) for w in self.own)


def _prefix(flags: list[bool]) -> list[int]:
    out = [0]
    for f in flags:
        out.append(out[-1] + (1 if f else 0))
    return out


def _dedupe(recordings):
    """A re-upload of the same recording (same lines at the same seconds) is read once."""
    seen, out = [], []
    for vid, cues in recordings:
        sig = tuple((round(float(c["start_s"])), norm(c["text"])[:40]) for c in cues[:30])
        if cues and sig in seen:
            continue
        seen.append(sig)
        out.append((vid, cues))
    return out


def score_starts(talks: list[dict], recordings) -> tuple[_Cues, list[list[tuple[float, str]]], list]:
    """Per talk, per cue: (score, why). Also the skip announcements found."""
    cues = _Cues(_dedupe(recordings))
    n = len(cues.rows)
    models = [_Talk(t, [o for o in talks if o is not t]) for t in talks]
    # the talk's own words in each cue, as prefix sums for densities
    body = [_prefix([m.body_hit(cues.text[i], cues.joined[i]) for i in range(n)]) for m in models]
    # speakers: who holds the floor after and before each cue
    named = any(cues.speaker)
    scores = [[(0.0, "")] * n for _ in models]
    skips: list = [None] * len(models)
    windows = [cues.window(i) for i in range(n)]
    pairs = [cues.window(i, 2) for i in range(n)]
    said = [[m.title_said(w) if w else 0.0 for w in windows] for m in models]
    first_said = [[m.title_said(cues.text[i]) if cues.text[i] else 0.0 for i in range(n)] for m in models]
    name_in = [[m.name_said(w) for w in windows] for m in models]
    for i in range(n):
        text, win = cues.text[i], windows[i]
        if not text:
            continue
        opening = _has_any(text, _OPENINGS_RE)
        opening_near = opening or _has_any(win, _OPENINGS_RE)
        # an announcement is one sentence: this cue and the next ("... will say more about / X later")
        announce = _has_any(pairs[i], _ANNOUNCE_RE)
        question = _has_any(text, _QUESTION_RE)
        skip = _has_any(win, _SKIP_RE)
        skip_here = _has_any(text, _SKIP_RE)
        # the talk a skip names: in the cue that says so, else (captions cut sentences) in the next one
        skipped_named = [first_said[k][i] >= 0.5 or models[k].name_said(text) for k in range(len(models))]
        if skip_here and not any(skipped_named) and i + 1 < n:
            skipped_named = [first_said[k][i + 1] >= 0.5 or models[k].name_said(cues.text[i + 1])
                             for k in range(len(models))]
        talks_named = sum(1 for k in range(len(models)) if said[k][i] >= 0.6 or name_in[k][i])
        a, b = cues.span(i, BODY_S)
        pa, pb = cues.span_before(i, BODY_S)
        dominant = _floor_holder(cues, i) if named else None
        for k, m in enumerate(models):
            t_said, name = said[k][i], name_in[k][i]
            if skip_here and skipped_named[k]:
                skips[k] = skips[k] or (i, cues.rows[i][1]["text"])
            # the cue itself must carry something of the start
            own_cue = first_said[k][i] >= 0.3 or m.name_said(text) or opening
            new_speaker = dominant is not None and dominant[0] == i
            if not own_cue and not new_speaker:
                continue
            s, why = 0.0, []
            if t_said >= 0.5:
                s += 3.0 * t_said
                why.append("title")
            if name:
                s += 1.5
                why.append("presenter named")
            if opening:
                s += 2.0
                why.append("opening")
            elif opening_near:
                s += 0.5
            after = (body[k][b] - body[k][a]) / max(b - a, 1)
            before = (body[k][pb] - body[k][pa]) / max(pb - pa, 1)
            other = max([(body[j][b] - body[j][a]) / max(b - a, 1) for j in range(len(models)) if j != k],
                        default=0.0)
            gain = after - max(before, other)
            if gain > 0:
                s += min(3.0, 6.0 * gain)
                why.append("its words follow")
            qa, qb = cues.span_before(i, UNDER_WAY_S)
            just_before = (body[k][qb] - body[k][qa]) / max(qb - qa, 1)
            if after > 0 and just_before >= 0.5 * after:
                s -= 1.5  # the talk is already under way
            if dominant is not None and dominant[0] <= i + 2 and cues.clock[dominant[0]] - cues.clock[i] <= 20:
                s += 1.5 if dominant[0] == i else 1.0
                if m.is_speaker(cues.speaker[dominant[0]]):
                    s += 1.5
                    why.append("presenter speaks")
                else:
                    why.append("new speaker")
            if announce:
                s -= 3.0
            if talks_named >= 2:
                s -= 3.0  # the agenda read out
            if question:
                s -= 2.0
            if skip:
                s -= 6.0
            scores[k][i] = (s, ", ".join(why))
    return cues, scores, skips


def _floor_holder(cues: _Cues, i: int, reach: int = 30):
    """(index, speaker) when a speaker starts holding the floor at cue i, i+1 or i+2."""
    for j in range(i, min(i + 3, len(cues.rows))):
        sp = cues.speaker[j]
        if not sp:
            continue
        after = cues.speaker[j:j + reach]
        before = cues.speaker[max(0, j - reach):j]
        share_after = after.count(sp) / max(len(after), 1)
        share_before = before.count(sp) / max(len(before), 1)
        if share_after >= 0.45 and share_before <= 0.15:
            return j, sp
    return None


def place_talks(talks: list[dict], recordings: list[tuple[str, list[dict]]]) -> list[dict | None]:
    """One start per talk in agenda order (see the module's docstring)."""
    if not talks or not any(cues for _, cues in recordings):
        return [None] * len(talks)
    cues, scores, skips = score_starts(talks, recordings)
    n = len(cues.rows)
    # prev[q]: best total for the talks so far, all placed at cues before q
    prev = [0.0] * (n + 1)
    choice: list[list[int]] = []
    for k in range(len(talks)):
        cur, pick = [prev[0]] + [0.0] * n, [-1] * (n + 1)
        run_best, run_pick = float("-inf"), -1
        for q in range(1, n + 1):
            p = q - 1
            s = scores[k][p][0]
            if skips[k] is None and s >= MIN_SCORE and prev[p] + s - MIN_SCORE > run_best:
                run_best, run_pick = prev[p] + s - MIN_SCORE, p
            if prev[q] >= run_best:
                cur[q], pick[q] = prev[q], -1
            else:
                cur[q], pick[q] = run_best, run_pick
        choice.append(pick)
        prev = cur
    # backtrack
    out: list[dict | None] = [None] * len(talks)
    limit = n
    for k in range(len(talks) - 1, -1, -1):
        p = choice[k][limit]
        if p >= 0:
            vid, cue = cues.rows[p]
            out[k] = {"video_id": vid, "start_s": int(float(cue["start_s"])), "score": round(scores[k][p][0], 2),
                      "cue": cue["text"], "why": scores[k][p][1]}
            limit = p
        elif skips[k] is not None:
            out[k] = {"skipped": True, "cue": skips[k][1]}
    return out


def transcript_starts(talks: list[dict], video_ids: list[str], transcripts) -> list[dict | None]:
    """The matcher's view: per talk None, or ``{"video_id", "start_s", "confidence", "reason"}``
    (``"skipped": True`` with a reason when the meeting said it would not be given).
    ``transcripts``: ``{video_id: [cue dict]}`` (any mapping); ``video_ids``: the meeting's
    recordings in timeline order."""
    recordings = [(v, transcripts[v]) for v in video_ids if transcripts and v in transcripts]
    if not recordings:
        return [None] * len(talks)
    out: list[dict | None] = []
    for found in place_talks(talks, recordings):
        if found is None:
            out.append(None)
        elif found.get("skipped"):
            out.append({"skipped": True, "reason": f"the transcript says it was not given: '{_quote(found['cue'])}'"})
        else:
            out.append({
                "video_id": found["video_id"],
                "start_s": found["start_s"],
                # evidence adds up to ~12; a start just over the bar is a guess
                "confidence": round(min(0.9, 0.3 + found["score"] / 20), 3),
                "reason": f"transcript at {hms(found['start_s'])} of {found['video_id']}: "
                          f"'{_quote(found['cue'])}' ({found['why'] or 'opening'})",
            })
    return out


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
