"""A billing integration written the way Stripe's sample servers are, for stripe-compat to judge."""
