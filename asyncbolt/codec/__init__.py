"""The codec: PackStream values, Bolt messages and structures, generated from spec/*.yaml.

``packstream`` is the public codec (the C accelerator when built, else the generated pure-Python
one), ``schemas`` the strict reference decoder, ``types``/``structures``/``messages`` the values
they produce and take.
"""
