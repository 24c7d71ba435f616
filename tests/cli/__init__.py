"""Tests of the dfix command line: modes, exit codes, discovery, writes, subcommands, bulk runs."""
