"""The PackStream structure classes (generated from spec/packstream.yaml), re-exported.

``Node``, ``Relationship``, ``UnboundRelationship``, ``Path``, ``Date``, ``Time``,
``LocalTime``, ``DateTime``, ``DateTimeZoneId`` (and their pre-5.0 ``Legacy`` forms),
``LocalDateTime``, ``Duration``, ``Point2D``, ``Point3D``, ``Vector``, ``UnsupportedType``, plus
the generic :class:`Structure` for tags no version defines.
"""

from asyncbolt._generated.structures import *  # noqa: F403
from asyncbolt._generated.structures import STRUCTURES
from asyncbolt._generated.structures import __all__ as _names
from asyncbolt.codec.types import Structure

__all__ = [*_names, "STRUCTURES", "Structure"]
