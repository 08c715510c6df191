"""stripe-compat: run the same billing scenarios across stripe-python releases and API versions."""
