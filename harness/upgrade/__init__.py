"""``stripe-compat upgrade``: what breaks when moving from one matrix cell to another."""
