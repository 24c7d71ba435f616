"""Tests of configuration: discovery, precedence, extend, validation, selection, globs, and the hadolint converter."""
