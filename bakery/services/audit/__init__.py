"""The audit area: the hash-chained audit log (who did what, when), its search, each event told
as a sentence (`describe`), the chains and their witness outside the database, and verifying
them. Every other area records through it.
"""

from bakery.services.audit.chains import (
    PENDING,
    append_link,
    chain_key,
    forget_heads_at_the_end,
    forget_rolled_back_heads,
    witness_committed_heads,
)
from bakery.services.audit.describe import (
    Described,
    Formats,
    Ref,
    describe_events,
)
from bakery.services.audit.events import (
    AUDIT_CHAIN,
    SYSTEM,
    Actor,
    Event,
    audit_record_body,
    record,
    record_many,
)
from bakery.services.audit.integrity import (
    describe_audit_fault,
    verify_audit_chain,
)
from bakery.services.audit.log import (
    PAGE_SIZE,
    AuditPage,
    find_events,
)
from bakery.services.audit.sentences import (
    ABSOLUTE_MONEY,
    FALLBACK,
    FILTERS,
    MONEY,
    SENTENCES,
)
from bakery.services.audit.witness import (
    DEFAULT_NAME,
    append_lines,
    load,
    witness_path,
)

__all__ = [
    "ABSOLUTE_MONEY",
    "AUDIT_CHAIN",
    "DEFAULT_NAME",
    "FALLBACK",
    "FILTERS",
    "MONEY",
    "PAGE_SIZE",
    "PENDING",
    "SENTENCES",
    "SYSTEM",
    "Actor",
    "AuditPage",
    "Described",
    "Event",
    "Formats",
    "Ref",
    "append_lines",
    "append_link",
    "audit_record_body",
    "chain_key",
    "describe_audit_fault",
    "describe_events",
    "find_events",
    "forget_heads_at_the_end",
    "forget_rolled_back_heads",
    "load",
    "record",
    "record_many",
    "verify_audit_chain",
    "witness_committed_heads",
    "witness_path",
]
