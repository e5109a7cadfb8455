"""Mermaid diagrams generated from the machines, and notebook HTML (API.md section 8)."""

from __future__ import annotations

import enum
import re
import subprocess
import sys
from typing import Any, ClassVar

import pytest
from transitions.core import Machine

from _builders import I, fulfillment, invoice, invoice_line, order, order_line
from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    InvalidTypeError,
    Invoice,
    InvoiceLineItem,
    Order,
    OrdersError,
    diagram,
    machines,
)
from clickfunnels_orders.diagrams import Diagram, lifecycles_page

CLASSES = pytest.mark.parametrize(
    "cls", [Invoice, Order, InvoiceLineItem, Fulfillment], ids=lambda c: c.__name__
)
ARROW = re.compile(r"^\s+(\S+) --> (\S+): (\w+)(?: \[(.*)\])?$")


def node(state: str) -> str:
    """Return the Mermaid id a state is drawn under (Mermaid ids cannot hold hyphens)."""
    return state.replace("-", "_")


def machine_transitions(machine: Machine) -> set[tuple[str, str, str]]:
    """Return every ``(source, dest, event)`` of the machine, read without indexing."""
    return {
        (node(t.source), node(str(t.dest)), name)
        for name, event in machine.events.items()
        for transitions in event.transitions.values()
        for t in transitions
    }


def drawn_transitions(text: str) -> set[tuple[str, str, str]]:
    """Return every labelled arrow of a Mermaid diagram as ``(source, dest, event)``."""
    return {
        (match[1], match[2], match[3])
        for line in text.splitlines()
        if (match := ARROW.match(line)) is not None
    }


@CLASSES
def test_a_diagram_is_a_mermaid_state_diagram_v2(cls: Any) -> None:
    """The output is Mermaid's ``stateDiagram-v2`` source."""
    text = diagram(cls)
    assert text.splitlines()[0] == "stateDiagram-v2"


@CLASSES
def test_with_set_status_every_transition_appears_and_nothing_else(cls: Any) -> None:
    """Each transition is one labelled arrow; the diagram draws no transition of its own."""
    assert drawn_transitions(diagram(cls, set_status=True)) == machine_transitions(cls.machine)


@CLASSES
def test_by_default_the_events_a_processor_fires_are_drawn_without_set_status(cls: Any) -> None:
    """The default leaves out the external ``set_status`` edges, and only them."""
    expected = {t for t in machine_transitions(cls.machine) if t[2] != "set_status"}
    assert drawn_transitions(diagram(cls)) == expected


@pytest.mark.parametrize("cls", [Invoice, Order], ids=lambda c: c.__name__)
def test_set_status_edges_are_drawn_only_when_asked_for(cls: Any) -> None:
    """Invoices and orders have ``set_status`` edges; ``set_status=True`` draws them."""
    assert "set_status" not in diagram(cls)
    assert "set_status" in diagram(cls, set_status=True)


@CLASSES
def test_the_initial_and_final_states_are_drawn(cls: Any) -> None:
    """``[*]`` leads into the initial state and out of every final one."""
    lines = diagram(cls).splitlines()
    assert f"    [*] --> {node(cls.machine.initial)}" in lines
    finals = [name for name, state in cls.machine.states.items() if state.final]
    assert finals
    for name in finals:
        assert f"    {node(name)} --> [*]" in lines


@CLASSES
def test_hyphenated_states_keep_their_api_spelling_as_labels(cls: Any) -> None:
    """A state such as ``past-due`` is drawn as ``past_due`` labelled with the API's string."""
    lines = diagram(cls).splitlines()
    for name in cls.machine.states:
        if "-" in name:
            assert f'    state "{name}" as {node(name)}' in lines


def test_conditions_are_shown_on_the_arrows() -> None:
    """Guarded transitions show their conditions, ``!`` marking an ``unless``."""
    lines = diagram(Invoice, set_status=True).splitlines()
    assert "    unpaid --> paid: pay [settles]" in lines
    assert "    unpaid --> partially_paid: pay [!settles]" in lines
    assert "    unpaid --> paid: set_status [is_external, targets_dest]" in lines
    assert "    draft --> unpaid: issue" in lines


def test_the_diagram_follows_whatever_machine_the_class_holds() -> None:
    """The diagram is read from ``cls.machine``, not from a table kept elsewhere."""

    class Light(enum.StrEnum):
        OFF = "off"
        ON = "on"
        BROKEN = "broken-down"

    compiled = machines.build(
        "Light",
        states=[s.value for s in Light],
        finals=[Light.BROKEN],
        initial=Light.OFF,
        transitions=[
            {"trigger": "switch_on", "source": Light.OFF, "dest": Light.ON},
            {"trigger": "switch_off", "source": Light.ON, "dest": Light.OFF},
            {"trigger": "break_down", "source": [Light.OFF, Light.ON], "dest": Light.BROKEN},
        ],
        guards=[],
        status_enum=Light,
        required_events=[],
    )

    class Lamp:
        machine: ClassVar[Machine] = compiled.machine

    text = diagram(Lamp)
    assert drawn_transitions(text) == {
        ("off", "on", "switch_on"),
        ("on", "off", "switch_off"),
        ("off", "broken_down", "break_down"),
        ("on", "broken_down", "break_down"),
    }
    assert '    state "broken-down" as broken_down' in text.splitlines()


def test_drawing_a_diagram_leaves_the_machine_as_it_was() -> None:
    """Reading the transitions for a diagram adds nothing to the shared machine."""
    before = machine_transitions(Order.machine)
    sources = {name: set(event.transitions) for name, event in Order.machine.events.items()}
    diagram(Order)
    assert machine_transitions(Order.machine) == before
    assert {name: set(event.transitions) for name, event in Order.machine.events.items()} == (
        sources
    )


@pytest.mark.parametrize("thing", [object, int, Invoice.machine])
def test_a_diagram_of_something_without_a_machine_is_refused(thing: Any) -> None:
    """Only classes with a ``machine`` can be drawn: anything else is a TypeError."""
    with pytest.raises(InvalidTypeError) as caught:
        diagram(thing)
    assert isinstance(caught.value, TypeError)
    assert isinstance(caught.value, OrdersError)


def test_a_diagram_is_a_str_that_jupyter_draws() -> None:
    """``diagram`` returns a ``str`` subclass offering Mermaid and Markdown to Jupyter."""
    drawn = diagram(Fulfillment)
    assert isinstance(drawn, str)
    assert isinstance(drawn, Diagram)
    bundle = drawn._repr_mimebundle_()
    assert bundle["text/vnd.mermaid"] == str(drawn)
    assert bundle["text/markdown"] == f"```mermaid\n{drawn}```\n"
    assert bundle["text/plain"] == str(drawn)


def test_the_mime_bundle_honours_include_and_exclude() -> None:
    """Jupyter may ask for some formats only, or leave some out."""
    drawn = diagram(Fulfillment)
    assert set(drawn._repr_mimebundle_(include=["text/vnd.mermaid"])) == {"text/vnd.mermaid"}
    assert "text/markdown" not in drawn._repr_mimebundle_(exclude=["text/markdown"])


@pytest.mark.parametrize(
    ("entity", "state"),
    [
        (invoice(I.PAST_DUE), "past_due"),
        (fulfillment(), "fulfilled"),
        (order(), "pending"),
        (invoice_line(), "unfulfilled"),
    ],
    ids=["invoice", "fulfillment", "order", "line item"],
)
def test_a_diagram_of_an_entity_marks_its_current_state(entity: Any, state: str) -> None:
    """``diagram(entity)`` is the class's diagram with the entity's state marked."""
    drawn = diagram(entity).splitlines()
    plain = diagram(type(entity)).splitlines()
    assert drawn[: len(plain)] == plain
    assert drawn[len(plain) :] == [
        "    classDef current font-weight:bold,stroke-width:3px",
        f"    class {state} current",
    ]


def test_a_class_diagram_marks_no_state() -> None:
    """Only an entity has a current state to mark."""
    assert "classDef" not in diagram(Invoice)


def test_the_diagrams_module_runs_with_help_and_without_warnings() -> None:
    """``python -m clickfunnels_orders.diagrams --help`` prints its usage and exits 0."""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "clickfunnels_orders.diagrams", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m clickfunnels_orders.diagrams")
    assert done.stderr == ""


@pytest.mark.parametrize("args", [["Invoice"], ["Invoice", "--set-status"], []])
def test_the_diagrams_module_prints_a_diagram_or_the_page(args: list[str]) -> None:
    """Given an entity it prints that diagram; given nothing, the lifecycles page."""
    done = subprocess.run(  # noqa: S603  because the command is the test's own
        [sys.executable, "-m", "clickfunnels_orders.diagrams", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    expected = diagram(Invoice, set_status="--set-status" in args) if args else lifecycles_page()
    assert done.stdout == expected


def test_set_status_without_an_entity_is_a_usage_error() -> None:
    """``--set-status`` alone has nothing to draw: exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "clickfunnels_orders.diagrams", "--set-status"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2


# -- notebooks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entity",
    [
        order(),
        order_line(),
        invoice(I.UNPAID),
        invoice_line(),
        fulfillment(),
        FulfillmentLine(invoice_line_item_id=1, quantity=2),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_entity_renders_as_html_in_a_notebook(entity: Any) -> None:
    """``_repr_html_`` gives an HTML summary naming the entity's class."""
    html = entity._repr_html_()
    assert html.startswith("<")
    assert type(entity).__name__ in html


def test_entity_html_shows_the_status_and_allowed_events() -> None:
    """An invoice's HTML shows its status and what may be fired next."""
    html = invoice(I.UNPAID)._repr_html_()
    assert "unpaid" in html
    for event in ("pay", "mark_past_due", "abandon", "void"):
        assert event in html


def test_entity_html_escapes_its_values() -> None:
    """Values are escaped, so an id cannot inject markup into a notebook."""
    html = order(order_id="<script>x</script>")._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
