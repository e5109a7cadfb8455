"""Mermaid state diagrams and Markdown tables, generated from the entities' own machines.

:func:`diagram` returns a :class:`Diagram`: a ``str`` of Mermaid source that also draws
itself in Jupyter. ``python -m clickfunnels_orders.diagrams`` prints
``docs/lifecycles.md`` (``--help`` for the options); a test checks that the committed
page matches, so the docs cannot drift from the machines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

from transitions.core import Machine

from clickfunnels_orders.entities import (
    Fulfillment,
    Invoice,
    InvoiceLineItem,
    Order,
    Restock,
    Transaction,
)
from clickfunnels_orders.errors import InvalidTypeError

__all__ = ["DIAGRAM_CLASSES", "Diagram", "diagram", "lifecycles_page", "transition_table"]

#: The entity classes with a lifecycle to draw, by name.
DIAGRAM_CLASSES: Final[Mapping[str, type[Any]]] = MappingProxyType(
    {
        cls.__name__: cls
        for cls in (Order, Invoice, InvoiceLineItem, Fulfillment, Restock, Transaction)
    }
)
#: The event external entities take, drawn only when asked for.
_SET_STATUS: Final = "set_status"


class Diagram(str):
    """Mermaid ``stateDiagram-v2`` source that Jupyter draws as a diagram.

    A plain ``str`` everywhere else (print it, write it to a Markdown file); in a notebook
    ``_repr_mimebundle_`` offers it as ``text/vnd.mermaid`` and as a Markdown mermaid
    block, which JupyterLab 4.1 and later draw.
    """

    __slots__ = ()

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """Return the diagram as Mermaid, as Markdown and as plain text."""
        source = str(self)
        bundle = {
            "text/vnd.mermaid": source,
            "text/markdown": f"```mermaid\n{source}```\n",
            "text/plain": source,
        }
        if include is not None:
            wanted = set(include)
            bundle = {kind: data for kind, data in bundle.items() if kind in wanted}
        if exclude is not None:
            for kind in exclude:
                bundle.pop(kind, None)
        return bundle


def _machine(entity_class: type[Any]) -> Machine:
    machine = getattr(entity_class, "machine", None)
    if not isinstance(machine, Machine):
        raise InvalidTypeError(
            "entity_class", entity_class, "an entity class with a machine, such as Invoice"
        )
    return machine


def _node(state: str) -> str:
    # Mermaid state ids cannot hold hyphens; the label keeps the API's spelling.
    return state.replace("-", "_")


def _transitions(machine: Machine, events: Iterable[str] | None) -> Iterator[tuple[str, Any]]:
    wanted = None if events is None else set(events)
    for event_name, event in machine.events.items():
        if wanted is not None and event_name not in wanted:
            continue
        # Event.transitions is a defaultdict: iterate it, never index it.
        for transitions in event.transitions.values():
            for transition in transitions:
                yield event_name, transition


def _conditions(transition: Any) -> list[str]:
    return [c.func if c.target else f"!{c.func}" for c in transition.conditions]


def diagram(
    entity: Any, *, events: Iterable[str] | None = None, set_status: bool = False
) -> Diagram:
    """Return a Mermaid ``stateDiagram-v2`` of an entity class's ``machine``.

    Each arrow is one transition, labelled with its event and, in brackets, the
    conditions that must hold (``!`` marks an ``unless``). By default the events a
    processor fires are drawn, internal ones (the rollup's ``recount``) included; the
    ``set_status`` edges of external entities, which join almost every pair of states,
    only with ``set_status=True``.

    Args:
        entity: ``Order``, ``Invoice``, ``InvoiceLineItem``, ``Fulfillment``, ``Restock``
            or ``Transaction``; or an entity, whose current status is then marked (Mermaid
            class ``current``).
        events: draw exactly these events (overrides ``set_status``).
        set_status: also draw the external ``set_status`` edges.

    Returns:
        The diagram: a ``str`` that Jupyter draws.

    Raises:
        InvalidTypeError: for something without a ``machine``.
    """
    entity_class = entity if isinstance(entity, type) else type(entity)
    machine = _machine(entity_class)
    if events is None:
        events = [name for name in machine.events if set_status or name != _SET_STATUS]
    lines = ["stateDiagram-v2"]
    lines.extend(
        f'    state "{name}" as {_node(name)}' for name in machine.states if _node(name) != name
    )
    lines.append(f"    [*] --> {_node(str(machine.initial))}")
    for event_name, transition in _transitions(machine, events):
        conditions = _conditions(transition)
        label = event_name + (f" [{', '.join(conditions)}]" if conditions else "")
        lines.append(f"    {_node(transition.source)} --> {_node(transition.dest)}: {label}")
    lines.extend(
        f"    {_node(name)} --> [*]" for name, state in machine.states.items() if state.final
    )
    status = getattr(entity, "status", None) if entity is not entity_class else None
    if status is not None and str(status) in machine.states:
        lines.append("    classDef current font-weight:bold,stroke-width:3px")
        lines.append(f"    class {_node(str(status))} current")
    return Diagram("\n".join(lines) + "\n")


def transition_table(entity_class: type[Any], *, events: Iterable[str] | None = None) -> str:
    """Return a Markdown table of the machine: event, from, to, conditions.

    Transitions that differ only in their source are gathered on one row.
    """
    machine = _machine(entity_class)
    rows: dict[tuple[str, str, str], list[str]] = {}
    for event_name, transition in _transitions(machine, events):
        key = (event_name, transition.dest, ", ".join(_conditions(transition)))
        rows.setdefault(key, []).append(transition.source)
    lines = ["| event | from | to | conditions |", "|---|---|---|---|"]
    lines.extend(
        f"| `{event}` | {', '.join(sources)} | {dest} | {conditions or '-'} |"
        for (event, dest, conditions), sources in rows.items()
    )
    return "\n".join(lines) + "\n"


def lifecycles_page() -> str:
    """Return the Markdown of ``docs/lifecycles.md``, generated from the machines."""
    parts = [
        "# Lifecycles\n",
        (
            "<!-- Generated by `python -m clickfunnels_orders.diagrams > docs/lifecycles.md`;"
            " tests/test_docs.py checks it is current. Do not edit by hand. -->\n"
        ),
        (
            "Every table and diagram on this page is generated from the entity classes'"
            " `machine`, the single source of truth. Conditions name guards defined in"
            " `clickfunnels_orders.machines`; `!` marks a condition that must not hold.\n"
        ),
    ]
    for cls, intro in (
        (
            Invoice,
            (
                "Managed invoices (Payments AI, Stripe) move by events. External invoices accept"
                " the same events and also `set_status` between unpaid, paid, voided, refunded,"
                " disputed, past-due and abandoned (drawn separately below the main diagram)."
            ),
        ),
        (
            Order,
            (
                "One machine for every processor and order type: `in_lifecycle` lets a"
                " transition through only when both of its ends are statuses that the order's"
                " processor and type can hold (`clickfunnels_orders.machines.LIFECYCLE_STATUSES`)."
            ),
        ),
        (
            InvoiceLineItem,
            (
                "`recount` is internal: the rollup fires it to move a line between"
                " unfulfilled, partially_fulfilled and fulfilled by quantity, adding no history."
            ),
        ),
        (Fulfillment, "Created `fulfilled`; cancelling or restocking is final."),
        (Restock, "Created `restocked` (its quantities released); cancelling is final."),
        (
            Transaction,
            (
                "A refund is a new state of the charge; only an approved sale or capture"
                " (`is_refundable`) can be refunded. Unknown statuses have no events."
            ),
        ),
    ):
        machine = _machine(cls)
        parts.append(f"## {cls.__name__}\n")
        parts.append(intro + "\n")
        parts.append(transition_table(cls))
        parts.append("```mermaid\n" + diagram(cls) + "```\n")
        if _SET_STATUS in machine.events:
            parts.append(f"`set_status` on an external {cls.__name__.lower()}:\n")
            parts.append("```mermaid\n" + diagram(cls, events=["set_status"]) + "```\n")
    return "\n".join(parts)
