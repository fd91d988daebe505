"""The audit area: the hash-chained audit log (who did what, when), its search, each event told
as a sentence (`describe`), the chains and their witness outside the database, and verifying
them. Every other area records through it.
"""

from bakery.services.audit.events import (
    AUDIT_CHAIN,
    SYSTEM,
    Actor,
    audit_record_body,
    record,
)

__all__ = [
    "AUDIT_CHAIN",
    "SYSTEM",
    "Actor",
    "audit_record_body",
    "record",
]
