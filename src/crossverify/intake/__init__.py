"""Intake: read a signed batch, validate every row, account for every input row."""
