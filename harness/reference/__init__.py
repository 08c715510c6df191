"""The reference integration: the billing design the harness exists to prove.

Signup never depends on Stripe; the Stripe customer is created lazily by the first
payment feature; reading a user repairs a missing customer; the user record tracks
billing state; non-critical Stripe work goes through a durable queue; connectivity is
visible to monitoring; webhooks are idempotent and tolerate reordering. SQLite is its
embedded store, as a small real service would use.
"""
