"""asyncbolt's codec benchmark; run it with ``python -m benchmarks`` (``make bench``).

See :mod:`benchmarks.__main__` for the method and :mod:`benchmarks.payload` for the payload.
"""
