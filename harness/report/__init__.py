"""The verdict: per-cell results gathered into one picture of the matrix."""
