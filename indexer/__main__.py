from indexer.cli import cli

cli(prog_name="meetup-indexer")
