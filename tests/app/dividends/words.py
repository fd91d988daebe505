"""Reading pages and statements as a member sees them: visible text, not markup."""

from __future__ import annotations

import html
import re

from printers.document import Document

_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


def visible_text(page: str) -> str:
    """The page's text as a reader sees it: tags gone, entities read, whitespace collapsed."""
    return " ".join(html.unescape(_TAGS.sub(" ", page)).split())


def statement_lines(document: Document) -> list[str]:
    """Each block of a statement as one line of visible text: "label  amount" for a figure."""
    lines = []
    for block in document.blocks:
        if hasattr(block, "left"):
            lines.append(f"{block.left}  {block.right}")
        elif hasattr(block, "text"):
            lines.append(block.text)
    return lines
