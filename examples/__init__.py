"""Example integrations for the harness (importable from the repository root)."""
