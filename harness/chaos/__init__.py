"""Chaos runs: many users through the billing flows while Stripe fails at random, then recovery.

``stripe-compat chaos`` and ``benchmarks/bench_chaos.py`` drive the integration under
test through its adapter against localstripe, with the fault injector in between, and
judge the result on the backend's own state: exactly one customer per user, no orphans,
no drafts left behind.
"""
