"""Batch- and system-level failures. Row-level problems are data (reject codes), not errors."""

from __future__ import annotations


class CrossverifyError(Exception):
    """Base of every error the edges translate into an exit code or HTTP status."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, batch_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.batch_id = batch_id


class InputFileError(CrossverifyError):
    """A request or master file cannot be read at all."""

    code = "input_file"


class ManifestError(CrossverifyError):
    """The manifest is missing, unsigned, signed by an unknown key, or its hash differs."""

    code = "manifest"
    status = 403


class PolicyError(CrossverifyError):
    """The policy file is missing or invalid."""

    code = "policy"


class StateError(CrossverifyError):
    """An action does not fit the batch's state (e.g. release before approval)."""

    code = "state"
    status = 409


class PermissionDenied(CrossverifyError):
    """The user's role does not allow the action (including approving one's own batch)."""

    code = "permission"
    status = 403


class NotFound(CrossverifyError):
    """A batch, user or model does not exist."""

    code = "not_found"
    status = 404


class ModelError(CrossverifyError):
    """No trained model, or a model that does not fit the master file."""

    code = "model"
    status = 409


class LedgerBroken(CrossverifyError):
    """The hash chain does not verify."""

    code = "ledger"
    status = 500


class HoldActive(CrossverifyError):
    """A legal hold covers the batch: release and download wait until an admin lifts it."""

    code = "legal_hold"
    status = 423

    def __init__(
        self, message: str, *, batch_id: str | None = None, hold_ids: tuple[int, ...] = ()
    ) -> None:
        super().__init__(message, batch_id=batch_id)
        self.hold_ids = hold_ids


class PackageTampered(CrossverifyError):
    """A response package's files or manifest signature do not verify."""

    code = "package_tampered"
    status = 422


class ExpectedWrongTooHigh(CrossverifyError):
    """The batch's expected wrong matches per 10,000 disclosures exceed the policy's cap:
    release waits until an officer lowers the batch's scope."""

    code = "expected_wrong_cap"
    status = 409
