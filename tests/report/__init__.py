"""Tests for the report, upgrade check and CI generator."""
