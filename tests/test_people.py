"""One person written several ways is one person; organisation spellings are one organisation."""
import pytest
import sqlite_utils
from click.testing import CliRunner

from indexer.store import db as dbmod
from indexer.cli import cli
from indexer.notes import parse_notes
from indexer.notes.overrides import OverrideError, parse_overrides
from indexer.notes.peopledb import save_people
from indexer.notes.people import Mention, Rules, names_in_notes, org_key, resolve
from indexer.notes.save import save_notes

EGRESS = "2021-02-09/flyte-egress-events"


def person_of(result, mentions, name, **where):
    """The person id of the first mention written ``name`` (and matching ``where``)."""
    for m, pid in zip(mentions, result.person):
        if m.name == name and all(getattr(m, k) == v for k, v in where.items()):
            return pid
    raise AssertionError(f"no mention {name} {where}")


# ---------------------------------------------------------------- the seed, through sync

def test_seed_agenda_first_name_and_notes_full_name_are_one_person(seed_db, seed_text):
    # the seed writes "Nian" in the agenda and "Nian Tang from Spotify" in the talk's notes header
    assert "[Sonja - Katrina - Nian - Spotify]" in seed_text and "(Presenter: Nian Tang from Spotify)" in seed_text
    db = sqlite_utils.Database(seed_db)
    people = {r["id"]: r["name"] for r in db["people"].rows}
    assert people["nian"] == "Nian"  # the id and name pages link to stay as they were
    assert not [p for p in people.values() if "Tang" in p]
    (alias,) = db.execute("select alias, kind, evidence from person_aliases where person_id = 'nian'").fetchall()
    assert alias[:2] == ("Nian Tang", "first-name")
    assert EGRESS in alias[2]  # the evidence names the talk both spellings present
    assert db.execute("select person_id, organization_id from talk_presenters where talk_id = ? order by position",
                      [EGRESS]).fetchall() == [("sonja", "spotify"), ("katrina", "spotify"), ("nian", "spotify")]
    # the notes header "Miguel Toledo Zavala from Lyft Level 5" is the agenda's "Miguel - Lyft L5"
    assert db.execute("select alias from person_aliases where person_id = 'miguel'").fetchall() == [
        ("Miguel Toledo Zavala",)]
    # organisation spellings: agenda "Lyft L5", backlog "L5 Lyft", notes "Lyft Level 5"
    assert sorted(db.execute("select alias from organization_aliases where organization_id = 'lyft-l5'")) == [
        ("L5 Lyft",), ("Lyft Level 5",)]
    assert "l5-lyft" not in {r["id"] for r in db["organizations"].rows}
    assert db.execute("select organization_id from backlog_items where title like 'L5 deployment%'").fetchone() == (
        "lyft-l5",)
    # an organisation only the notes name ("Ketan Umare from new company") is no organisation
    assert not db.execute("select 1 from organizations where name like '%new company%'").fetchall()


def test_sync_twice_gives_the_same_people_rows(seed_db, seed_path):
    tables = ["people", "organizations", "person_aliases", "organization_aliases", "talk_presenters",
              "backlog_items"]
    db = sqlite_utils.Database(seed_db)
    before = {t: db.execute(f"select rowid, * from [{t}] order by 1").fetchall() for t in tables}
    assert CliRunner().invoke(cli, ["sync", str(seed_db), str(seed_path)]).exit_code == 0
    assert {t: db.execute(f"select rowid, * from [{t}] order by 1").fetchall() for t in tables} == before


def test_an_alias_goes_when_the_notes_no_longer_write_it(tmp_path):
    db = dbmod.open_db(tmp_path / "i.db")
    text = "## 2022-01-05\n\n### Agenda\n* Intro [Ann - Acme]\n\n### Notes\nIntro (Presenter: Ann Lee from Acme Inc.)\n* hi\n"
    with db.conn:
        save_notes(db, parse_notes(text), "n.md")
    assert db.execute("select person_id, alias from person_aliases").fetchall() == [("ann", "Ann Lee")]
    assert db.execute("select alias from organization_aliases").fetchall() == [("Acme Inc.",)]
    with db.conn:
        save_notes(db, parse_notes(text.replace("Ann Lee from Acme Inc.", "Ann")), "n.md")
    assert db.execute("select * from person_aliases").fetchall() == []
    assert db.execute("select * from organization_aliases").fetchall() == []
    assert [r[0] for r in db.execute("select id from people")] == ["ann"]


def test_people_across_files_are_resolved_together(tmp_path):
    # the first name in one file, the full name with the organisation in another
    a = tmp_path / "a.md"
    a.write_text("## 2022-01-05\n\n### Agenda\n* Intro [Ann - Acme Corp]\n")
    b = tmp_path / "b.md"
    b.write_text("## 2022-02-05\n\n### Agenda\n* Outro [Ann Lee - ACME]\n")
    db_path = tmp_path / "i.db"
    result = CliRunner().invoke(cli, ["sync", str(db_path), str(a), str(b)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    # each spelling written once: the fuller name shows; the organisation first written
    assert db.execute("select id, name from people").fetchall() == [("ann-lee", "Ann Lee")]
    assert db.execute("select alias, kind from person_aliases").fetchall() == [("Ann", "first-name")]
    assert db.execute("select id, name from organizations").fetchall() == [("acme-corp", "Acme Corp")]
    assert "1 people, 1 organisations" in result.output


# ---------------------------------------------------------------- the rules, pure

def test_case_accents_spacing_and_titles_are_one_person():
    ms = [Mention("José García", "Acme", "2022-01-01", "t1"), Mention("jose  garcia", None, "2023-01-01", "t2"),
          Mention("Dr. Jose Garcia", "Other", "2024-01-01", "t3")]
    r = resolve(ms)
    assert len(set(r.person)) == 1
    (person,) = r.people.values()
    assert {a.kind for a in person.aliases} == {"spelling"} and len(person.aliases) == 2


def test_organisation_spellings_are_one_organisation():
    ms = [Mention("A", org) for org in ("Spotify", "Spotify AB", "spotify", "Lyft L5", "Lyft Level 5", "L5 Lyft",
                                         "Lyft", "Union.ai", "Union")]
    r = resolve(ms)
    ids = dict(zip((m.org for m in ms), r.organization))
    assert ids["Spotify"] == ids["Spotify AB"] == ids["spotify"] == "spotify"
    assert ids["Lyft L5"] == ids["Lyft Level 5"] == ids["L5 Lyft"] == "lyft-l5"
    # a company and its division, a name and a longer one, stay apart
    assert len({ids["Lyft"], ids["Lyft L5"], ids["Union"], ids["Union.ai"]}) == 4
    evidence = {a.spelling: a.evidence for a in r.organizations["lyft-l5"].aliases}
    assert "word order" in evidence["L5 Lyft"] and "numbered word" in evidence["Lyft Level 5"]
    assert org_key("Acme, Inc.") == org_key("ACME")


def test_two_people_sharing_a_first_name_in_different_organisations_stay_apart():
    ms = [
        Mention("Alex Smith", "Lyft", "2022-01-01", "t1"),
        Mention("Alex Jones", "Spotify", "2022-02-01", "t2"),
        Mention("Alex", "Lyft", "2022-03-01", "t3"),  # Lyft's Alex: Alex Smith
        Mention("Alex", "Spotify AB", "2022-04-01", "t4"),  # Spotify's: Alex Jones
        Mention("Alex", None, "2022-05-01", "t5"),  # no evidence for either
    ]
    r = resolve(ms)
    smith, jones = r.person[0], r.person[1]
    assert smith != jones
    assert r.person[2] == smith and r.person[3] == jones
    assert r.person[4] not in (smith, jones)
    # both are written "Alex" most: each shows its full name, and ids stay unique
    assert {r.people[smith].name, r.people[jones].name} == {"Alex Smith", "Alex Jones"}
    assert len(r.people) == 3


def test_a_first_name_with_two_candidates_at_its_meeting_stays_apart():
    ms = [Mention("Nian Tang", "Spotify", "2022-01-01", "t1"), Mention("Nian Wu", "Spotify", "2022-01-01", "t2"),
          Mention("Nian", "Spotify", "2022-01-01", "t3")]
    r = resolve(ms)
    assert len(set(r.person)) == 3  # two full names never merge; the first name is ambiguous


def test_the_same_talk_beats_the_same_meeting_and_organisation():
    ms = [Mention("Nian Tang", "Spotify", "2022-01-01", "t1", "notes"),
          Mention("Nian Wu", "Spotify", "2022-01-01", "t2"),
          Mention("Nian", "Spotify", "2022-01-01", "t1")]
    r = resolve(ms)
    assert r.person[2] == r.person[0] != r.person[1]


def test_handles_are_their_person():
    ms = [Mention("Nian Tang", "Spotify", "2022-01-01", "t1"),
          Mention("@nian", None, "2022-01-01", "t1", "notes"),
          Mention("[name=nian.tang]", None, "2022-03-01", "t9", "agenda"),
          Mention("@ntang", "Spotify", "2022-04-01", "t8")]
    r = resolve(ms)
    assert len(set(r.person)) == 1
    kinds = {a.spelling: a.kind for a in r.people[r.person[0]].aliases}
    assert kinds == {"@nian": "handle", "[name=nian.tang]": "handle", "@ntang": "handle"}


def test_a_lowercase_word_reads_as_a_handle():
    # the parser keeps an agenda's "[name=kbates]" as "kbates"
    ms = [Mention("kbates", None, "2022-01-01", "t1"), Mention("Kyle Bates", None, "2022-01-01", "t1", "notes"),
          Mention("Kyle", "Acme", "2022-02-01", "t2")]
    r = resolve(ms)
    assert r.person[0] == r.person[1] and r.person[2] != r.person[0]
    assert [(a.spelling, a.kind) for a in r.people[r.person[0]].aliases] == [("Kyle Bates", "handle")]


def test_names_written_in_a_talks_notes():
    text = "* Presenter: Nian Tang from Spotify showed lineage\n* asked by @katrogan\n* [name=ketan] agreed"
    assert names_in_notes(text) == [("Nian Tang", "Spotify"), ("@katrogan", None), ("[name=ketan]", None)]
    assert names_in_notes("mail me at a@b.com") == []


def test_names_only_in_notes_make_nobody():
    r = resolve([Mention("Haytham Abuelfutuh", "Union", "2022-01-01", "t1", "notes")])
    assert r.people == {} and r.organizations == {} and r.person == [None]


def test_a_first_name_joins_the_person_its_spelling_means_elsewhere():
    ms = [Mention("Nian Tang", "Spotify", "2022-01-01", "t1", "notes"), Mention("Nian", "Spotify", "2022-01-01", "t1"),
          Mention("Nian", None, "2023-05-01", "t7"),  # no evidence of its own, but "Nian" means Nian Tang
          Mention("Nian", "Lyft", "2023-06-01", "t8")]  # another organisation: not without evidence
    r = resolve(ms)
    assert r.person[0] == r.person[1] == r.person[2] != r.person[3]
    # two people written "Nian": the one with a full name shows it
    assert (r.people[r.person[1]].name, r.people[r.person[3]].name) == ("Nian Tang", "Nian")


# ---------------------------------------------------------------- overrides

def test_overrides_merge_and_split_people():
    ms = [Mention("Ketan", "OSC", "2022-01-01", "t1"), Mention("K. Umare", "Union", "2022-02-01", "t2"),
          Mention("Alex", "Lyft", "2022-01-01", "t3"), Mention("Alex", "Spotify", "2022-02-01", "t4"),
          Mention("Ketan", None, "2022-03-01", "t5")]
    plain = resolve(ms)
    assert plain.person[0] != plain.person[1] and plain.person[2] == plain.person[3]
    r = resolve(ms, Rules(merge_people=[["Ketan", "K. Umare"]], split_people=["alex"]))
    assert r.person[0] == r.person[1] == "ketan"
    assert r.people["ketan"].aliases[0].kind == "override"
    assert r.person[2] != r.person[3]
    assert {r.people[r.person[2]].name, r.people[r.person[3]].name} == {"Alex"}
    assert len({r.person[2], r.person[3]}) == 2  # ids made unique with the organisation


def test_split_keeps_a_first_name_from_its_full_name():
    ms = [Mention("Nian Tang", "Spotify", "2022-01-01", "t1"), Mention("Nian", "Spotify", "2022-01-01", "t1")]
    assert len(set(resolve(ms).person)) == 1
    assert len(set(resolve(ms, Rules(split_people=["Nian"])).person)) == 2


def test_overrides_merge_organisations():
    ms = [Mention("A", "Lyft"), Mention("B", "Lyft L5")]
    r = resolve(ms, Rules(merge_organizations=[["Lyft", "Lyft L5"]]))
    assert r.organization[0] == r.organization[1]
    assert [(a.spelling, a.kind) for a in r.organizations[r.organization[0]].aliases] == [("Lyft L5", "override")]


PEOPLE_OVERRIDES = """\
meetings: {}
people:
  merge:
    - [Ann, Bea Ng]
  split: [Cy]
organizations:
  merge:
    - [Acme, Bolt]
"""


def test_overrides_file_people_keys_parse_with_lines():
    ov = parse_overrides(PEOPLE_OVERRIDES, "o.yml")
    assert ov.people_merge == [[("Ann", 4), ("Bea Ng", 4)]]
    assert ov.people_split == [("Cy", 5)]
    assert ov.organizations_merge == [[("Acme", 8), ("Bolt", 8)]]


@pytest.mark.parametrize("text, error", [
    ("people:\n  merge: [Ann, Bea]\n", "o.yml:2: each people merge should list two names or more"),
    ("people:\n  merge:\n    - [Ann]\n", "o.yml:3: each people merge should list two names or more"),
    ("people:\n  join: [[a, b]]\n", "o.yml:2: unknown key 'join' for people (use merge or split)"),
    ("people:\n  merge:\n    - [Ann, Bea]\n  split: [bea]\n", "o.yml:4: 'bea' is both merged and split in people"),
    ("persons: {}\n", "o.yml:1: unknown section 'persons'"),
])
def test_bad_people_overrides_name_file_and_line(text, error):
    with pytest.raises(OverrideError) as exc:
        parse_overrides(text, "o.yml")
    assert str(exc.value).startswith(error)


def test_overrides_in_the_database_and_names_nobody_writes(tmp_path):
    db = dbmod.open_db(tmp_path / "i.db")
    text = "## 2022-01-05\n\n### Agenda\n* Intro [Ann - Acme]\n* Outro [Bea Ng - Bolt]\n* Other [Cy - Acme]\n"
    with db.conn:
        save_notes(db, parse_notes(text), "n.md")
    assert db["people"].count == 3 and db["organizations"].count == 2
    with db.conn:
        save_people(db, parse_overrides(PEOPLE_OVERRIDES, "o.yml"))
    # Ann and Bea Ng each written once: the fuller name shows
    assert db.execute("select talk_id, person_id from talk_presenters order by talk_id").fetchall() == [
        ("2022-01-05/intro", "bea-ng"), ("2022-01-05/other", "cy"), ("2022-01-05/outro", "bea-ng")]
    assert db.execute("select id from organizations").fetchall() == [("acme",)]
    assert db.execute("select alias, kind from organization_aliases").fetchall() == [("Bolt", "override")]
    with pytest.raises(OverrideError, match=r"^o\.yml:3: unknown person 'Zed'"):
        save_people(db, parse_overrides("people:\n  merge:\n    - [Ann, Zed]\n", "o.yml"))
    with pytest.raises(OverrideError, match=r"^o\.yml:2: unknown organization 'Nowhere' to split"):
        save_people(db, parse_overrides("organizations:\n  split: [Nowhere]\n", "o.yml"))


def test_sync_applies_the_overrides_file_and_a_bad_one_changes_nothing(tmp_path, monkeypatch, seed_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    overrides = tmp_path / "data" / "overrides.yml"
    overrides.write_text("people:\n  merge:\n    - [Sonja, Katrina]\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["sync", "i.db", str(seed_path)]).exit_code == 0
    db = sqlite_utils.Database("i.db")
    # Katrina, also in the backlog twice, is the spelling written most
    assert "sonja" not in {r["id"] for r in db["people"].rows}
    assert db.execute("select person_id, alias, kind from person_aliases where alias = 'Sonja'").fetchall() == [
        ("katrina", "Sonja", "override")]
    before = db.execute("select * from talk_presenters order by 1, 2").fetchall()
    overrides.write_text("people:\n  merge:\n    - [Sonja, Nobody]\n")
    result = runner.invoke(cli, ["sync", "i.db", str(seed_path)])
    assert result.exit_code == 1
    assert "data/overrides.yml:3: unknown person 'Nobody'" in result.output
    assert "Traceback" not in result.output
    assert db.execute("select * from talk_presenters order by 1, 2").fetchall() == before


# ---------------------------------------------------------------- facets

def test_people_and_organisations_are_facets_where_talks_are_listed(seed_db, site_app):
    ds = site_app(seed_db)
    for view in ("talks_detail",):
        data = ds.get(f"/index/{view}.json?_extra=facet_results").json()
        facets = data["facet_results"]["results"] if "results" in data["facet_results"] else data["facet_results"]
        people = {v["value"]: v["count"] for v in facets["presenter_names"]["results"]}
        orgs = {v["value"]: v["count"] for v in facets["organization_names"]["results"]}
        assert people == {"Sonja": 1, "Katrina": 1, "Nian": 1, "Miguel": 1, "Ketan": 1}
        assert orgs == {"Spotify": 1, "Lyft L5": 1, "OSC": 1}
    rows = ds.get("/index/talks_detail.json?_shape=array&presenter_names__arraycontains=Nian").json()
    assert [r["talk"] for r in rows] == ["Flyte Egress Events"]


def test_person_and_organisation_pages_show_the_other_spellings(seed_db, site_app):
    ds = site_app(seed_db)
    html = ds.get("/index/people/nian").text
    assert "<h1>Nian</h1>" in html
    assert "Also written" in html and "“Nian Tang”" in html
    assert "name a presenter of the same talk" in html  # the evidence, on hover
    html = ds.get("/index/organizations/lyft-l5").text
    assert "“L5 Lyft”" in html and "“Lyft Level 5”" in html
    assert "Also written" not in ds.get("/index/people/sonja").text


def test_match_applies_the_people_overrides_too(seed_db, tmp_path):
    overrides = tmp_path / "o.yml"
    overrides.write_text("organizations:\n  merge:\n    - [Lyft, Lyft L5]\n")
    result = CliRunner().invoke(cli, ["match", str(seed_db), "--overrides", str(overrides)])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(seed_db)
    assert db.execute("select organization_id from talk_presenters where person_id = 'miguel'").fetchone() == (
        "lyft-l5",)
    assert "lyft" not in {r["id"] for r in db["organizations"].rows}
    overrides.write_text("people:\n  split: [Nobody]\n")
    result = CliRunner().invoke(cli, ["match", str(seed_db), "--overrides", str(overrides)])
    assert result.exit_code == 1 and "o.yml:2: unknown person 'Nobody' to split" in result.output
