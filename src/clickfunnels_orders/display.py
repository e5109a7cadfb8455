"""HTML for notebooks: entities render as small tables (``_repr_html_``)."""

from __future__ import annotations

from html import escape
from typing import Any

import attrs

__all__ = ["entity_html"]


def _cell(value: object) -> str:
    return escape(str(value))


def _table(rows: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{_cell(k)}</th><td>{_cell(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def entity_html(entity: Any) -> str:
    """Return an HTML summary of an entity: its fields, allowed events and history."""
    skip = {"history", "extra", "line_items", "lines"}
    rows = [
        (field.name, getattr(entity, field.name))
        for field in attrs.fields(type(entity))
        if field.name not in skip
    ]
    if hasattr(entity, "allowed_events"):
        rows.append(("allowed events", ", ".join(entity.allowed_events) or "none (final)"))
    title = type(entity).__name__
    if hasattr(entity, "id"):
        title += f" {entity.id}"
    parts = [f"<strong>{_cell(title)}</strong>", _table(rows)]
    for collection in ("line_items", "lines"):
        items = getattr(entity, collection, None)
        if items:
            names = [f.name for f in attrs.fields(type(items[0])) if f.name not in skip]
            head = "".join(f"<th>{_cell(n)}</th>" for n in names)
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell(getattr(i, n))}</td>" for n in names) + "</tr>"
                for i in items
            )
            parts.append(f"<table><tr>{head}</tr>{body}</table>")
    if getattr(entity, "history", ()):
        body = "".join(
            f"<tr><td>{_cell(c.at.isoformat())}</td><td>{_cell(c.event)}</td>"
            f"<td>{_cell(c.source)} &rarr; {_cell(c.dest)}</td></tr>"
            for c in entity.history
        )
        parts.append(f"<table><tr><th>at</th><th>event</th><th>move</th></tr>{body}</table>")
    return "<div>" + "".join(parts) + "</div>"
