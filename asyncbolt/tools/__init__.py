"""The ``asyncbolt`` command and what it runs: ``inspect`` (with ``dump``, the conversation
decoder and validator), ``proxy``, ``query``/``shell``, ``serve`` (``serving`` and
``backends``), ``stub``, ``script`` and the demos."""
