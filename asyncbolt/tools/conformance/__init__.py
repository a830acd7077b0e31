"""``asyncbolt conformance URI``: check a running Bolt server against the spec.

:mod:`.probe` is a raw Bolt client that records every byte it sends and receives;
:mod:`.report` holds the outcome of each check and renders the report (text or JSON);
:mod:`.target` says where the server is and opens connections to it (:func:`.target.open_ready`:
handshaken, logged in, READY); :mod:`.checking` runs one check and asks the server things;
:mod:`.runner` runs them all (:func:`.runner.check_server`); the checks by area are in
:mod:`.handshake`, :mod:`.auth`, :mod:`.statetable`, :mod:`.streaming` and :mod:`.values`;
:mod:`.cli` is the command.
"""
