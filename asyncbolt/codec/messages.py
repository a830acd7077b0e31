"""The Bolt message classes (generated from spec/bolt.yaml), re-exported.

``REQUESTS[version]`` / ``RESPONSES[version]`` map a signature to the message class of that
version; ``LAYOUTS[version][cls]`` names the fields on the wire.
"""

from asyncbolt._generated.messages import *  # noqa: F403
from asyncbolt._generated.messages import __all__  # noqa: F401
