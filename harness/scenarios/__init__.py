"""The billing scenarios, shipped with the harness and run with ``pytest --pyargs harness.scenarios``.

They talk to the integration only through the adapter (the ``stripe_billing`` fixture) and
assert on two things every time: the integration's own state, and the requests it
sent to Stripe (``stripe_requests``).
"""
