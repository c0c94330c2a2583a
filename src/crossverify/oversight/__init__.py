"""The oversight reports the statute requires: figures, reconciliation with the ledger, output."""
