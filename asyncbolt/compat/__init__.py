"""Compatibility: the 2017 asyncbolt's API (``protocol``, ``exception``) and the module paths
of asyncbolt before its modules moved into subpackages (``moved``). Not part of the documented
``asyncbolt.__all__``."""
