"""A real Datasette app built from the repo's metadata.yml."""
import asyncio

import yaml
from datasette.app import Datasette

from indexer.cli import REPO_ROOT


def get(ds, path):
    async def go():
        return await ds.client.get(path)
    return asyncio.run(go())


def app(db_path):
    metadata = yaml.safe_load((REPO_ROOT / "metadata.yml").read_text())
    # the metadata names the database "index": serve the test DB under that name
    target = db_path.parent / "index.db"
    if db_path != target:
        db_path.rename(target)
    return Datasette([str(target)], metadata=metadata)


def test_meetings_table_and_search(seed_db):
    ds = app(seed_db)
    r = get(ds, "/index/meetings.json?_shape=array")
    assert r.status_code == 200
    assert [row["id"] for row in r.json()] == ["2021-02-09"]
    r = get(ds, "/index/talks.json?_search=egress&_shape=array")
    assert [row["title"] for row in r.json()] == ["Flyte Egress Events"]
    r = get(ds, "/index/talks.json?_search=nothingmatches&_shape=array")
    assert r.json() == []


def test_table_descriptions_and_canned_query(seed_db):
    ds = app(seed_db)
    r = get(ds, "/index/meetings")
    assert "One row per meeting found in the notes" in r.text
    r = get(ds, "/index/talks_by_person_or_organization.json?who=Spotify&_shape=array")
    assert r.status_code == 200
    assert [row["talk"] for row in r.json()] == ["Flyte Egress Events"]
