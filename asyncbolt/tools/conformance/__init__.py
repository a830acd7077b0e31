"""``asyncbolt conformance URI``: check a running Bolt server against the spec.

:mod:`.probe` is a raw Bolt client that records every byte it sends and receives;
:mod:`.report` holds the outcome of each check and renders the report (text or JSON).
"""
