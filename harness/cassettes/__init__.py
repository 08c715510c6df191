"""Cassettes: vcrpy's file format, the harness's matching rules, metadata and safe writes."""
