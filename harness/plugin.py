"""pytest plugin: fixtures, markers and options over the harness's backends."""
