"""What each household role may do, in one place.

Owners and members change the household's data; viewers read everything and change nothing.
Every write goes through one of two checks:

- pages: `ReadOnlyRoleMiddleware` refuses every non-safe request (POST, PUT, PATCH, DELETE) of a
  viewer with 403, unless the view is marked `@allowed_for_viewers` because it changes only the
  viewer's own account (password, log-out, two-factor, leaving the household);
- services and the API: `ensure_can_write(membership)` raises `ReadOnlyRole` (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exceptions import ReadOnlyRole

if TYPE_CHECKING:
    from .models import Membership

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def can_write(membership: Membership | None) -> bool:
    """True when the membership may change its household's data."""
    return membership is not None and membership.can_write


def ensure_can_write(membership: Membership | None) -> None:
    """Raise ReadOnlyRole unless the membership may change its household's data."""
    if not can_write(membership):
        raise ReadOnlyRole()


def allowed_for_viewers(view):
    """Mark a view whose writes touch only the user's own account, so viewers may use it."""
    view.allowed_for_viewers = True
    return view


def is_allowed_for_viewers(view) -> bool:
    return getattr(view, "allowed_for_viewers", False)
