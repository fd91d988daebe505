"""Exceptions services raise for a view to show, worded for the person at the screen."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that the rules refuse; nothing was changed (unless the docstring says so)."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """The thing asked for does not exist, or is not this user's to see."""

    status = 404


class Forbidden(ServiceError):
    """The user may not do this."""

    status = 403
