"""standardize stage."""
