"""Python's cycle collector tuned for a dfix run, in a module of its own so the command line can tune it first.

The command line calls :func:`tune_collector` before it imports the engine,
the settings and the rules (about 250 modules allocate their objects then),
so start-up profits too; the worker processes call it as they start.
"""

from __future__ import annotations

__all__ = ["COLLECTOR_THRESHOLDS", "tune_collector"]

#: Allocations between young collections, and collections between older ones (Python's default: 700, 10, 10).
COLLECTOR_THRESHOLDS = (50_000, 20, 100)


def tune_collector() -> None:
    """Let Python's cycle collector run less often while dfix works.

    A run allocates millions of small objects (tokens, nodes, shell models)
    that live as long as their file and rarely form cycles; with the default
    thresholds the collector walks the whole live heap again and again, so
    a 10,000-instruction file spent about a third of its fix time there and
    the cost grew faster than the file. Set once per process (the CLI, each
    worker); garbage with cycles is still collected, a little later.
    """
    import gc

    gc.set_threshold(*COLLECTOR_THRESHOLDS)
