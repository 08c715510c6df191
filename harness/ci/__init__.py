"""``stripe-compat ci``: CI configuration generated from the matrix data."""
