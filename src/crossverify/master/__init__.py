"""master stage."""
