"""Tests of the reporters (dfix.report): findings formats, diffs, summary."""
