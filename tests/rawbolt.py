"""The raw Bolt client of the tests: :class:`asyncbolt.tools.conformance.probe.Probe`, which the
conformance checker also speaks through (see there).

    bolt = await RawBolt.connect(port)
    assert await bolt.handshake((4, 4)) == (4, 4)
    await bolt.send(Hello({"user_agent": "t/1", "scheme": "none"}))
    assert (await bolt.recv()).name == "SUCCESS"
"""

from asyncbolt.tools.conformance.probe import MAGIC, RECORD, Probe, names, proposal

RawBolt = Probe

__all__ = ["MAGIC", "RECORD", "RawBolt", "proposal", "names"]
