"""Per-user API tokens: random, stored only as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossverify.errors import NotFound
from crossverify.store.tables import ApiToken, User, utc_now

TOKEN_PREFIX: Final = "cv_"


def hash_token(token: str) -> str:
    """The stored form of a token; the token itself is never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(*, session: Session, user: User, label: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the token text (shown once only)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_sha256=hash_token(token), label=label)
    session.add(row)
    session.flush()
    return row, token


def revoke_token(*, session: Session, token_id: int) -> ApiToken:
    """Revoke a token by id; revoking twice keeps the first time."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utc_now()
    session.flush()
    return row


def user_for_token(*, session: Session, token: str) -> User | None:
    """The active user a live token belongs to, or None (unknown, revoked, or user disabled)."""
    stmt = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    user = session.scalars(stmt).one_or_none()
    return user if user is not None and user.active else None


def tokens_for_user(*, session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, oldest first (hashes only)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(session.scalars(stmt))
