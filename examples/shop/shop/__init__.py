"""A small web shop whose billing is put under stripe-compat by one adapter class.

The second example integration next to ``harness.reference``, built differently on
purpose: a WSGI app with a tiny router, JSON documents in SQLite, ``stripe.StripeClient``
where the library has it, and a synchronous webhook route. Only :mod:`shop.adapter`
knows about the harness; the rest is ordinary application code.
"""
