"""The README's command reference and schema are generated; they must not drift."""
import subprocess
import sys

from indexer.cli import REPO_ROOT


def test_readme_is_up_to_date_with_cog():
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, "README.md is stale: run `cog -r README.md`\n" + result.stdout + result.stderr


def test_readme_shows_the_two_quickstart_commands():
    text = (REPO_ROOT / "README.md").read_text()
    quick = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("make ")]
    assert commands == ["make demo", "make test"]
