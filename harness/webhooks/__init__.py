"""Webhook deliveries as Stripe makes them: signed raw bodies, events built from real objects."""
