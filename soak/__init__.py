"""Load and fault soak for asyncbolt's server: ``python -m soak`` (``make soak``).

- :mod:`soak.load`: many connections of the official neo4j driver at once, each result matched
  to its query by a token;
- :mod:`soak.churn`: connect/disconnect cycles, with the server process's fds and RSS before
  and after;
- :mod:`soak.session`: the test session (also served by ``python -m soak.session``);
- :mod:`soak.servers`: servers in child processes (the test session, ``asyncbolt serve``);
- :mod:`soak.procstat`: fds, sockets and RSS of a process, from /proc.

tests/test_soak.py runs a short pass of the same in the normal test run.
"""
