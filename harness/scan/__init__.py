"""``stripe-compat scan``: what breaks, for an upgrade, in code the scenarios never run.

Reads the team's Python source with :mod:`ast` (never importing it), infers which
expressions are Stripe objects, and reports each use of a library API, response field
or request parameter that changes between the two ends of the upgrade. The knowledge
is the project's own: the version-change catalogue (``contracts/catalogue``) for API
versions and the table of library breaks (``harness/upgrade/known_causes.json``).

Modules: :mod:`.sources` finds and parses files, :mod:`.receivers` infers Stripe types,
:mod:`.usages` lists what the code does with them, :mod:`.rules` matches that against
the knowledge, :mod:`.findings` is the result, :mod:`.render` and :mod:`.sarif` print it.
"""
