"""Mermaid state diagrams, generated from the entities' own machines."""

from __future__ import annotations

from typing import Any

from clickfunnels_orders.errors import InvalidTypeError

__all__ = ["diagram"]


def _node(state: str) -> str:
    # Mermaid state ids cannot hold hyphens; the label keeps the API's spelling.
    return state.replace("-", "_")


def diagram(entity_class: type[Any]) -> str:
    """Return a Mermaid ``stateDiagram-v2`` of ``entity_class.machine``.

    Each arrow is one transition, labelled with its event and, in brackets, the
    conditions that must hold (``!`` marks an ``unless``). Internal events, which only
    the rollup fires, are drawn too.

    Raises:
        InvalidTypeError: for a class without a ``machine``.
    """
    machine = getattr(entity_class, "machine", None)
    if machine is None or not hasattr(machine, "events"):
        raise InvalidTypeError(
            "entity_class", entity_class, "an entity class with a machine, such as Invoice"
        )
    lines = ["stateDiagram-v2"]
    lines.extend(
        f'    state "{name}" as {_node(name)}' for name in machine.states if _node(name) != name
    )
    lines.append(f"    [*] --> {_node(machine.initial)}")
    for event_name, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                conditions = [c.func if c.target else f"!{c.func}" for c in transition.conditions]
                label = event_name + (f" [{', '.join(conditions)}]" if conditions else "")
                lines.append(f"    {_node(source)} --> {_node(transition.dest)}: {label}")
    lines.extend(
        f"    {_node(name)} --> [*]" for name, state in machine.states.items() if state.final
    )
    return "\n".join(lines) + "\n"
