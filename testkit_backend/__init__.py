"""A testkit backend for asyncbolt's client (not part of the installed package).

testkit (https://github.com/neo4j-drivers/testkit) drives a driver through a small JSON protocol
over TCP; this package answers it with :class:`asyncbolt.Driver`. Run it with
``python -m testkit_backend [--port 9876]``; ``make testkit`` runs the stub suites against it
(see ``testkit_backend/run.py``).
"""
