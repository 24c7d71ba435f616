"""dfix's version, in a module of its own so that any layer may read it.

The package front (``dfix/__init__.py``) imports the syntax and engine
layers; a module that only needs the version string (the CLI's ``--version``,
the SARIF report, the bot's user agent, ``required-version`` in settings)
imports it from here and so does not import the whole front. It must equal
``[project] version`` in ``pyproject.toml`` (a test checks it).
"""

__version__ = "0.1.0"
