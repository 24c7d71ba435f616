"""Tests of dfix's syntax layer: the lossless parser and its BuildKit view."""
