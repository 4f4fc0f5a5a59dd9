import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "notes" / "flyte-meetup-notes.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def seed_path():
    return SEED


@pytest.fixture
def seed_text():
    return SEED.read_text()


@pytest.fixture
def seed_db(tmp_path):
    """A real database synced from the seed notes through the CLI."""
    from click.testing import CliRunner

    from indexer.cli import cli

    db_path = tmp_path / "index.db"
    result = CliRunner().invoke(cli, ["sync", str(db_path), str(SEED)])
    assert result.exit_code == 0, result.output
    return db_path
