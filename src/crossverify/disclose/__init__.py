"""disclose stage."""
