# Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
# Do not edit: change the spec and regenerate.
"""Code generated from spec/: structures, messages, version tables, construct schemas, codec."""
