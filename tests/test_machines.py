"""The lifecycle machines themselves: shared, model-free, validated (API.md section 4)."""

from __future__ import annotations

import contextlib
import enum
import logging
from typing import Any

import pytest
from transitions.core import Machine

from _builders import (
    EXTERNAL,
    EXTERNAL_INVOICE_STATUSES,
    MANAGED,
    ONE_TIME,
    ORDER_VARIANTS,
    PAI,
    STRIPE,
    SUBSCRIPTION,
    USER_EVENTS,
    I,
    S,
    after,
    fulfillment,
    invoice,
    invoice_line,
    order,
)
from clickfunnels_orders import (
    Fulfillment,
    FulfillmentStatus,
    InvalidTransitionError,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    Order,
    OrdersError,
    PaymentProcessor,
    ServiceStatus,
    machines,
)

F = LineItemFulfillmentStatus
FS = FulfillmentStatus
CLASSES = pytest.mark.parametrize(
    "cls", [Invoice, Order, InvoiceLineItem, Fulfillment], ids=lambda c: c.__name__
)

#: The events API.md names for each class (``recount`` is the rollup's internal event).
EVENTS: dict[type, set[str]] = {cls: set(events) for cls, events in USER_EVENTS.items()}
EVENTS[InvoiceLineItem].add("recount")
STATUSES: dict[type, type[enum.StrEnum]] = {
    Invoice: InvoiceStatus,
    Order: ServiceStatus,
    InvoiceLineItem: LineItemFulfillmentStatus,
    Fulfillment: FulfillmentStatus,
}
INITIAL: dict[type, str] = {
    Invoice: "draft",
    Order: "pending",
    InvoiceLineItem: "unfulfilled",
    Fulfillment: "fulfilled",
}


def samples(cls: type) -> list[Any]:
    """Return an entity of ``cls`` in every status, for every processor and order type."""
    if cls is Invoice:
        return [invoice(s, processor=p) for s in InvoiceStatus for p in PaymentProcessor]
    if cls is Order:
        return [order(p, t, s) for p, t in ORDER_VARIANTS for s in ServiceStatus]
    if cls is InvoiceLineItem:
        return [invoice_line(status=s, quantity=2) for s in LineItemFulfillmentStatus]
    return [fulfillment(s) for s in FulfillmentStatus]


# -- one shared, model-free machine per class -----------------------------------------------


@CLASSES
def test_each_class_has_a_transitions_machine_with_no_models(cls: Any) -> None:
    """``cls.machine`` is a ``transitions.Machine`` holding no model: entities are values."""
    assert isinstance(cls.machine, Machine)
    assert list(cls.machine.models) == []


@CLASSES
def test_the_machine_is_one_definition_shared_by_every_instance(cls: Any) -> None:
    """Every instance reads the class's single machine; classes do not share machines."""
    first, *rest = samples(cls)
    assert all(entity.machine is cls.machine for entity in (first, *rest))
    others: list[Any] = [c for c in EVENTS if c is not cls]
    assert all(other.machine is not cls.machine for other in others)


@CLASSES
def test_firing_events_registers_no_model_on_the_shared_machine(cls: Any) -> None:
    """Events read the machine and never register the entity on it."""
    for entity in samples(cls):
        for event in entity.allowed_events:
            if event not in {"set_status", "cancel"}:
                getattr(entity, event)(at=after(entity))
    assert list(cls.machine.models) == []


@CLASSES
def test_each_machine_declares_exactly_the_contract_events(cls: Any) -> None:
    """The machine's events are API.md's, with no ``to_<state>`` auto transitions."""
    assert set(cls.machine.events) == EVENTS[cls]
    assert not any(name.startswith("to_") for name in cls.machine.events)


@CLASSES
def test_each_machine_has_the_status_enum_as_states_and_the_documented_initial(cls: Any) -> None:
    """States are the status strings; the initial state is where new entities start."""
    assert set(cls.machine.states) == {s.value for s in STATUSES[cls]}
    assert cls.machine.initial == INITIAL[cls]


@CLASSES
def test_every_event_method_is_named_after_its_event(cls: Any) -> None:
    """Each event the machine declares is a method of the entity class."""
    for event in EVENTS[cls]:
        assert callable(getattr(cls, event))


@pytest.mark.parametrize(
    ("cls", "finals"),
    [
        (Invoice, {"abandoned", "voided", "refunded"}),
        (Order, {"completed", "abandoned", "voided"}),
        (InvoiceLineItem, {"complete"}),
        (Fulfillment, {"cancelled", "restocked"}),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_the_machines_declare_the_documented_final_states(cls: Any, finals: set[str]) -> None:
    """Final states are marked on the machine itself, so diagrams and validation see them."""
    assert {name for name, state in cls.machine.states.items() if state.final} == finals


@CLASSES
def test_reading_a_machine_never_adds_transitions_to_it(cls: Any) -> None:
    """``may`` and ``allowed_events`` read the defaultdict of transitions without growing it."""
    before = {name: dict(event.transitions) for name, event in cls.machine.events.items()}
    for entity in samples(cls):
        _ = entity.allowed_events
        for event in (*EVENTS[cls], "no_such_event"):
            entity.may(event)
            with contextlib.suppress(OrdersError, TypeError):
                getattr(entity, event, lambda **_: None)(at=after(entity))
    after_reading = {name: dict(event.transitions) for name, event in cls.machine.events.items()}
    assert after_reading == before


def test_firing_events_logs_nothing_through_transitions(caplog: pytest.LogCaptureFixture) -> None:
    """Events read the machines without triggering them, so ``transitions`` logs nothing."""
    with caplog.at_level(logging.DEBUG):
        invoice().issue(at=after(invoice())).pay(at=after(invoice(), 2))
    assert [r for r in caplog.records if r.name.startswith("transitions")] == []


def test_may_is_false_for_an_event_that_does_not_exist() -> None:
    """An unknown event name is simply not allowed."""
    assert invoice().may("teleport") is False


# -- validation at build time ---------------------------------------------------------------


class Tiny(enum.StrEnum):
    """States of the small machines built below."""

    START = "start"
    MIDDLE = "middle"
    END = "end"
    LOST = "lost"


def build(
    transitions: list[dict[str, Any]],
    *,
    states: tuple[Tiny, ...] = (Tiny.START, Tiny.MIDDLE, Tiny.END),
    finals: tuple[Tiny, ...] = (Tiny.END,),
    required: tuple[str, ...] = (),
    guards: tuple[machines.Guard, ...] = (),
    exempt: tuple[str, ...] = (),
) -> machines.CompiledMachine:
    """Build a small machine through the library's own builder."""
    return machines.build(
        "Tiny",
        states=[s.value for s in states],
        finals=finals,
        initial=Tiny.START,
        transitions=transitions,
        guards=guards,
        status_enum=Tiny,
        required_events=required,
        exempt_from_final=exempt,
    )


GOOD = [
    {"trigger": "go", "source": Tiny.START, "dest": Tiny.MIDDLE},
    {"trigger": "stop", "source": Tiny.MIDDLE, "dest": Tiny.END},
]


def test_a_sound_small_machine_builds() -> None:
    """The builder accepts a machine whose states are all reachable and have a way out."""
    compiled = build(GOOD, required=("go", "stop"))
    assert compiled.events == ("go", "stop")
    assert compiled.final_states == {"end"}
    assert list(compiled.machine.models) == []


def test_an_unreachable_state_is_refused_at_build_time() -> None:
    """A state the initial state cannot reach makes the definition invalid."""
    states = (Tiny.START, Tiny.MIDDLE, Tiny.END, Tiny.LOST)
    with pytest.raises(RuntimeError, match=r"unreachable states \['lost'\]"):
        build([*GOOD, {"trigger": "stray", "source": Tiny.LOST, "dest": Tiny.END}], states=states)


def test_a_non_final_state_without_a_way_out_is_refused_at_build_time() -> None:
    """A trap (a non-final state with no transition out) makes the definition invalid."""
    with pytest.raises(RuntimeError, match=r"without a way out \['middle'\]"):
        build([{"trigger": "go", "source": Tiny.START, "dest": Tiny.MIDDLE}], finals=(Tiny.END,))


def test_a_missing_required_event_is_refused_at_build_time() -> None:
    """Every event the contract names must exist in the machine."""
    with pytest.raises(RuntimeError, match=r"missing events \['refund'\]"):
        build(GOOD, required=("go", "stop", "refund"))


def test_a_final_state_with_events_is_refused_at_build_time() -> None:
    """Final states have no events."""
    leaky = [*GOOD, {"trigger": "again", "source": Tiny.END, "dest": Tiny.START}]
    with pytest.raises(RuntimeError, match=r"final states with events \['end'\]"):
        build(leaky)


def test_an_exempt_guard_may_leave_a_final_state() -> None:
    """A route guarded by an exempt condition (an external client) may leave a final state."""
    guard = machines.Guard("is_outside", lambda *_: True, uses_args=False, doc="test")
    guarded = [
        *GOOD,
        {"trigger": "again", "source": Tiny.END, "dest": Tiny.START, "conditions": "is_outside"},
    ]
    assert build(guarded, guards=(guard,), exempt=("is_outside",)).final_states == {"end"}
    with pytest.raises(RuntimeError, match="final states with events"):
        build(guarded, guards=(guard,))


def test_an_unknown_condition_is_refused_at_build_time() -> None:
    """Every condition a transition names must be a known guard."""
    with pytest.raises(RuntimeError, match="unknown condition 'nowhere'"):
        build([{**GOOD[0], "conditions": "nowhere"}, GOOD[1]])


def test_problems_are_reported_together() -> None:
    """One error lists every problem found, naming the machine."""
    states = (Tiny.START, Tiny.MIDDLE, Tiny.END, Tiny.LOST)
    with pytest.raises(RuntimeError) as caught:
        build([GOOD[0]], states=states, required=("stop",))
    message = str(caught.value)
    assert message.startswith("Tiny machine is invalid")
    for part in ("missing events", "unreachable states", "without a way out"):
        assert part in message


# -- final states and ways out, per entity variant ------------------------------------------

#: The statuses each variant can be in, and those of them that are final, per API.md.
VARIANT_FINALS: list[tuple[str, list[Any], set[Any]]] = [
    *[
        (
            f"Invoice-{p}",
            [invoice(s, processor=p) for s in InvoiceStatus],
            {I.ABANDONED, I.VOIDED, I.REFUNDED},
        )
        for p in MANAGED
    ],
    ("Invoice-external", [invoice(s, processor=EXTERNAL) for s in InvoiceStatus], set()),
    (
        "Order-payments_ai-one-time",
        [
            order(PAI, ONE_TIME, s)
            for s in (S.PENDING, S.COMPLETED, S.CANCELED, S.ABANDONED, S.VOIDED)
        ],
        {S.COMPLETED, S.CANCELED, S.ABANDONED, S.VOIDED},
    ),
    (
        "Order-stripe-one-time",
        [order(STRIPE, ONE_TIME, s) for s in (S.PENDING, S.COMPLETED, S.CANCELED, S.ABANDONED)],
        {S.COMPLETED, S.CANCELED, S.ABANDONED},
    ),
    (
        "Order-external-one-time",
        [order(EXTERNAL, ONE_TIME, s) for s in (S.PENDING, S.COMPLETED)],
        set(),
    ),
    (
        "Order-payments_ai-subscription",
        [order(PAI, SUBSCRIPTION, s) for s in ServiceStatus],
        {S.COMPLETED, S.ABANDONED, S.VOIDED},
    ),
    (
        "Order-stripe-subscription",
        [order(STRIPE, SUBSCRIPTION, s) for s in ServiceStatus if s is not S.VOIDED],
        {S.COMPLETED, S.ABANDONED},
    ),
    (
        "Order-external-subscription",
        [
            order(EXTERNAL, SUBSCRIPTION, s)
            for s in (S.PENDING, S.ACTIVE, S.PAUSED, S.CANCELED, S.CHURNED, S.COMPLETED)
        ],
        set(),
    ),
    ("Fulfillment", [fulfillment(s) for s in FulfillmentStatus], {FS.CANCELLED, FS.RESTOCKED}),
]


def status_of(entity: Any) -> str:
    """Return the entity's lifecycle status."""
    for name in ("status", "service_status", "fulfillment_status"):
        if hasattr(entity, name):
            value: str = getattr(entity, name)
            return value
    raise AssertionError(entity)


@pytest.mark.parametrize(
    ("entities", "finals"),
    [(entities, finals) for _, entities, finals in VARIANT_FINALS],
    ids=[name for name, _, _ in VARIANT_FINALS],
)
def test_final_states_have_no_events_and_every_other_state_has_a_way_out(
    entities: list[Any], finals: set[str]
) -> None:
    """Per processor and order type, exactly the documented final statuses have no events."""
    stuck = {status_of(entity) for entity in entities if not entity.allowed_events}
    assert stuck == finals


def test_every_line_item_state_but_complete_has_a_way_out() -> None:
    """A line item leaves each status by a user event or a recount, except the final complete."""
    for status in LineItemFulfillmentStatus:
        line = invoice_line(status=status, quantity=2)
        recounted = {line.recount(n).fulfillment_status for n in range(3)} - {status}
        has_way_out = bool(line.allowed_events) or bool(recounted)
        assert has_way_out is (status is not F.COMPLETE), status


# -- InvalidTransitionError -----------------------------------------------------------------


@CLASSES
def test_a_refused_event_names_the_event_the_state_and_what_is_allowed(cls: Any) -> None:
    """Every refusal carries ``event``, ``state`` and ``allowed``, and says all three."""
    seen = 0
    for entity in samples(cls):
        allowed = entity.allowed_events
        for event in sorted(EVENTS[cls] - set(allowed) - {"recount"}):
            kwargs: dict[str, Any] = {"at": after(entity)}
            if event == "set_status":
                kwargs["status"] = status_of(entity)
            with pytest.raises(InvalidTransitionError) as caught:
                getattr(entity, event)(**kwargs)
            error = caught.value
            assert isinstance(error, ValueError)
            assert isinstance(error, OrdersError)
            assert error.event == event
            assert error.state == status_of(entity)
            assert error.allowed == allowed
            message = str(error)
            assert repr(event) in message
            assert repr(str(error.state)) in message
            assert all(name in message for name in allowed)
            seen += 1
    assert seen > 0


def test_a_refusal_from_a_final_state_says_there_is_nothing_allowed() -> None:
    """With no event allowed, the message says so rather than listing nothing."""
    with pytest.raises(InvalidTransitionError, match=r"none \(final state\)"):
        invoice(I.VOIDED).pay(at=after(invoice()))


def test_a_dead_end_that_is_not_final_is_not_called_final() -> None:
    """A canceled one-time order has no events, but canceled is not a final state."""
    canceled = order(PAI, ONE_TIME, S.CANCELED)
    with pytest.raises(InvalidTransitionError) as caught:
        canceled.complete(at=after(canceled))
    assert caught.value.allowed == ()
    assert "final state" not in str(caught.value)
    assert "no event leads out" in str(caught.value)


def test_external_set_status_statuses_are_the_documented_seven() -> None:
    """The builders' list of external invoice statuses is the one API.md gives."""
    assert {s.value for s in EXTERNAL_INVOICE_STATUSES} == {
        "unpaid",
        "paid",
        "voided",
        "refunded",
        "disputed",
        "past-due",
        "abandoned",
    }
