"""A deliberately old-style integration: what many codebases written for stripe 2.x-7.x look like.

It is the reference integration with its Stripe calls rewritten in the idioms that
later releases and API versions break, so ``stripe-compat upgrade`` has real breaks
to find and name. Do not copy it: ``harness/reference/gateway.py`` is the portable way.
"""
