"""``OrdersError`` and its family.

Every error the library raises on purpose subclasses :class:`OrdersError` and the builtin
it behaves like (``ValueError``, ``TypeError``, ``KeyError``), so callers can catch either.
Each carries its context as attributes and says in its message what was found and what
is allowed.
"""

from __future__ import annotations

import reprlib
from collections.abc import Hashable, Iterable
from typing import Any, Final

__all__ = [
    "AmountError",
    "CancelReasonError",
    "DuplicateIdError",
    "DuplicateLineItemError",
    "ForeignInvoiceError",
    "FulfillmentConflictError",
    "InvalidTransitionError",
    "InvalidTypeError",
    "InvalidValueError",
    "MachineDefinitionError",
    "NotFulfillableError",
    "OrdersError",
    "OutOfOrderError",
    "OverFulfilledLineError",
    "OverFulfillmentError",
    "OverReleaseError",
    "PayloadError",
    "SignatureError",
    "UnknownInvoiceError",
    "UnknownLineItemError",
]


#: How many characters of a refused value a message shows: enough to recognise it.
SHOWN_CHARACTERS: Final = 120


def shown(value: object) -> str:
    """Return ``value``'s ``repr`` for a message, shortened, and never raising.

    A refused value may be anything: an int of 5,000 digits (whose ``repr`` raises
    ``ValueError`` beyond the interpreter's digit limit), a megabyte string, an object
    whose ``__repr__`` fails. The message must still be built, or the refusal itself
    would escape as a bare builtin error.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"<int of about {int(value.bit_length() * 0.30103) + 1} digits>"
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001  because any failure of a foreign __repr__ is caught
        return f"<{type(value).__name__} object>"
    if len(text) > SHOWN_CHARACTERS:
        text = text[: SHOWN_CHARACTERS - 3] + "..."
    return text


def _repr() -> reprlib.Repr:
    # A Repr bounds the work too: it shows the first few items of a huge collection.
    shower = reprlib.Repr()
    shower.maxstring = shower.maxother = shower.maxlong = SHOWN_CHARACTERS
    shower.maxlist = shower.maxtuple = shower.maxdict = shower.maxset = 12
    return shower


_REPR = _repr()


class OrdersError(Exception):
    """Base class of every error ``clickfunnels_orders`` raises on purpose."""


class InvalidValueError(OrdersError, ValueError):
    """A field was given a value it cannot hold.

    Attributes:
        field: the field's name, as the entity spells it (``line_items[1].quantity``).
        value: what was given.
        expected: what the field accepts, in words.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: got {shown(value)}, expected {expected}")


class InvalidTypeError(InvalidValueError, TypeError):
    """A field was given a value of a type it refuses, such as a ``float`` for money.

    It is a ``TypeError`` (the value's type is wrong) and, like every refused field
    value, an :class:`InvalidValueError` and so a ``ValueError``: catch either.

    Attributes:
        field: the field's name.
        value: what was given.
        expected: what to pass instead, in words.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(field, value, expected)
        # Name the type too: "got float 0.5" says why 0.5 was refused.
        self.args = (f"{field}: got {type(value).__name__} {shown(value)}, expected {expected}",)


class CancelReasonError(InvalidValueError):
    """A cancel reason the order's payment processor does not accept.

    Attributes:
        accepted: the reasons that processor accepts.
    """

    def __init__(self, value: object, processor: str, accepted: Iterable[str]) -> None:
        self.accepted = tuple(accepted)
        super().__init__(
            "cancel_reason",
            value,
            f"one of {', '.join(self.accepted)} (the reasons {processor} accepts)",
        )


class OutOfOrderError(InvalidValueError):
    """An event dated earlier than the entity's last recorded change.

    Attributes:
        last: the moment of the entity's last change.
    """

    def __init__(self, event: str, at: object, last: object) -> None:
        self.event = event
        self.last = last
        super().__init__(
            "at",
            at,
            f"a moment no earlier than the last change ({last}) for event {shown(event)}",
        )


class InvalidTransitionError(OrdersError, ValueError):
    """An event that the entity's lifecycle does not allow from its current state.

    Attributes:
        event: the event that was fired.
        state: the entity's status when it was fired.
        allowed: the events allowed from that state, for that entity.
        entity: a short description of the entity (``Invoice 42``).

    ``final=False`` says that the state is not final in the machine but has no events for
    this entity (a canceled one-time order, or a status its processor cannot hold).
    """

    def __init__(
        self,
        event: str,
        state: str,
        allowed: Iterable[str],
        entity: str = "",
        detail: str = "",
        *,
        final: bool = True,
    ) -> None:
        self.event = event
        self.state = state
        self.allowed = tuple(allowed)
        self.entity = entity
        if self.allowed:
            allowed_text = ", ".join(self.allowed)
        elif final:
            allowed_text = "none (final state)"
        else:
            allowed_text = "none (no event leads out of this status for this entity)"
        who = f"{entity}: " if entity else ""
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{who}event {shown(event)} is not allowed in state {shown(str(state))}{extra}; "
            f"allowed events: {allowed_text}",
        )


class AmountError(OrdersError, ValueError):
    """An amount an event cannot take: too much, too little, or not allowed here.

    Attributes:
        event: the event (``pay``, ``refund``).
        amount: the amount that was given.
        allowed: what the event would accept, in words.
    """

    def __init__(self, event: str, amount: object, allowed: str) -> None:
        self.event = event
        self.amount = amount
        self.allowed = allowed
        super().__init__(f"{event}: amount {shown(amount)} refused; {allowed}")


class ForeignInvoiceError(OrdersError, ValueError):
    """An invoice applied to an order it does not belong to.

    Attributes:
        order_id: the order the invoice was applied to.
        invoice_id: the invoice.
        invoice_order_id: the order the invoice belongs to.
    """

    def __init__(
        self, order_id: Hashable, invoice_id: Hashable, invoice_order_id: Hashable
    ) -> None:
        self.order_id = order_id
        self.invoice_id = invoice_id
        self.invoice_order_id = invoice_order_id
        super().__init__(
            f"invoice {shown(invoice_id)} belongs to order {shown(invoice_order_id)}, "
            f"not to order {shown(order_id)}",
        )


class UnknownLineItemError(OrdersError, KeyError):
    """A fulfillment line that names no known invoice line item.

    Attributes:
        fulfillment_id: the fulfillment holding the line (``None`` for a direct query).
        line_item_id: the unknown invoice line-item id.
    """

    def __init__(self, line_item_id: Hashable, fulfillment_id: Hashable | None = None) -> None:
        self.line_item_id = line_item_id
        self.fulfillment_id = fulfillment_id
        where = f"fulfillment {shown(fulfillment_id)} names " if fulfillment_id is not None else ""
        self.message = (
            f"{where}invoice line item {shown(line_item_id)}, which is not in any known invoice; "
            "record or pass the invoice that holds it first"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError quotes its argument; this message reads better unquoted.
        return self.message


class OverReleaseError(OrdersError, ValueError):
    """A restock (or a cancelled fulfillment) would release more than is fulfilled.

    Attributes:
        releaser: what would release it (``restock 3``, ``fulfillment 1``).
        line_item_id: the invoice line item.
        fulfilled: what is fulfilled of it now.
        requested: what would be released.
    """

    def __init__(
        self, *, releaser: str, line_item_id: Hashable, fulfilled: int, requested: int
    ) -> None:
        self.releaser = releaser
        self.line_item_id = line_item_id
        self.fulfilled = fulfilled
        self.requested = requested
        super().__init__(
            f"{releaser} would release {requested} of invoice line item {line_item_id!r}, "
            f"which has {fulfilled} fulfilled; at most what is fulfilled can be released"
        )


class OverFulfillmentError(OrdersError, ValueError):
    """Fulfilled quantities that would exceed a line item's quantity.

    Attributes:
        fulfillment_id: the fulfillment that would over-fulfill.
        line_item_id: the invoice line item.
        quantity: the line item's quantity.
        already: the quantity already fulfilled by other fulfillments.
        requested: the quantity the fulfillment asks for.
        available: what may still be fulfilled (``quantity - already``, at least 0).
    """

    def __init__(
        self,
        *,
        fulfillment_id: Hashable | None,
        line_item_id: Hashable,
        quantity: int,
        already: int,
        requested: int,
    ) -> None:
        self.fulfillment_id = fulfillment_id
        self.line_item_id = line_item_id
        self.quantity = quantity
        self.already = already
        self.requested = requested
        self.available = max(quantity - already, 0)
        super().__init__(
            f"fulfillment {shown(fulfillment_id)} would fulfill {requested} of invoice line item "
            f"{shown(line_item_id)}, which has quantity {quantity} with {already} already "
            f"fulfilled; at most {self.available} more may be fulfilled",
        )


class NotFulfillableError(OrdersError, ValueError):
    """A fulfillment line for an item that cannot be fulfilled now.

    Attributes:
        fulfillment_id: the fulfillment.
        line_item_id: the invoice line item.
        reason: why it cannot be fulfilled (ignored, complete, invoice not paid, ...).
    """

    def __init__(self, *, fulfillment_id: Hashable, line_item_id: Hashable, reason: str) -> None:
        self.fulfillment_id = fulfillment_id
        self.line_item_id = line_item_id
        self.reason = reason
        super().__init__(
            f"fulfillment {shown(fulfillment_id)} cannot fulfill invoice line item "
            f"{shown(line_item_id)}: {reason}",
        )


class PayloadError(OrdersError, ValueError):
    """A malformed API payload.

    Attributes:
        path: where in the payload the problem is (``line_items[0].quantity``; empty for
            the whole object).
        reason: what was found and what was expected.
    """

    def __init__(self, path: str, reason: str, *, value: Any = None) -> None:
        self.path = path
        self.reason = reason
        self.value = value
        super().__init__(f"{path or '<payload>'}: {reason}")


class DuplicateIdError(InvalidValueError):
    """An id given twice where one collection must hold each id once.

    Attributes:
        kind: what carries the id (``invoice``, ``fulfillment``, ``invoice line item``).
        id: the repeated id.
    """

    def __init__(self, kind: str, id: Hashable, expected: str = "") -> None:  # noqa: A002  because it is the domain's own word
        self.kind = kind
        self.id = id
        super().__init__(
            f"{kind} id",
            id,
            expected or f"each {kind} given once (pass one version of each)",
        )


class DuplicateLineItemError(DuplicateIdError):
    """An invoice line-item id held by two invoices of one rollup or tracker.

    Attributes:
        line_item_id: the repeated line-item id.
        invoice_ids: the invoices that both hold it.
    """

    def __init__(self, line_item_id: Hashable, invoice_ids: Iterable[Hashable]) -> None:
        self.line_item_id = line_item_id
        self.invoice_ids = tuple(invoice_ids)
        held = " and ".join(shown(invoice_id) for invoice_id in self.invoice_ids)
        super().__init__(
            "invoice line item",
            line_item_id,
            f"an id unique across the invoices of one rollup (it is held by invoices {held})",
        )


class UnknownInvoiceError(OrdersError, KeyError):
    """A query about an invoice that the rollup or tracker was never given.

    Attributes:
        invoice_id: the unknown invoice id.
    """

    def __init__(self, invoice_id: Hashable) -> None:
        self.invoice_id = invoice_id
        self.message = (
            f"invoice {shown(invoice_id)} is not among the invoices of this rollup; "
            "pass it to compute() or record it in the tracker first"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError quotes its argument; this message reads better unquoted.
        return self.message


class FulfillmentConflictError(OrdersError, ValueError):
    """A record or a merge that contradicts what a rollup or tracker already holds.

    Raised for a fulfillment whose lines differ from an earlier version of it, one that
    would reopen a cancelled or restocked fulfillment, a release from a complete line, an
    invoice version that would drop a fulfilled line or reopen a complete one, and rollup
    parts that hold different versions of one invoice or count the same fulfillment.

    Attributes:
        subject: what the conflict is about (``fulfillment 7``, ``invoice 12``).
        found: what the record or merge would do.
        allowed: what is allowed instead.
        fulfillment_id: the fulfillment involved, if any.
        invoice_id: the invoice involved, if any.
        line_item_id: the invoice line item involved, if any.
    """

    def __init__(
        self,
        subject: str,
        found: str,
        allowed: str,
        *,
        fulfillment_id: Hashable | None = None,
        invoice_id: Hashable | None = None,
        line_item_id: Hashable | None = None,
    ) -> None:
        self.subject = subject
        self.found = found
        self.allowed = allowed
        self.fulfillment_id = fulfillment_id
        self.invoice_id = invoice_id
        self.line_item_id = line_item_id
        super().__init__(f"{subject}: {found}; {allowed}")


class OverFulfilledLineError(OverFulfillmentError):
    """A line item left over-fulfilled with no single fulfillment to blame.

    Raised when rollup parts together fulfill more of a line than its quantity, and when
    an invoice version lowers a line's quantity below what is already fulfilled. Its
    ``fulfillment_id`` is ``None``, ``already`` is the fulfilled total and ``requested``
    is 0.

    Attributes:
        cause: what would over-fulfill the line (``merging rollups``, ``invoice 12``).
        fulfilled: the fulfilled quantity.
    """

    def __init__(
        self, *, cause: str, line_item_id: Hashable, quantity: int, fulfilled: int
    ) -> None:
        super().__init__(
            fulfillment_id=None,
            line_item_id=line_item_id,
            quantity=quantity,
            already=fulfilled,
            requested=0,
        )
        self.cause = cause
        self.fulfilled = fulfilled
        message = (
            f"{cause} would leave invoice line item {shown(line_item_id)} with {fulfilled} "
            f"fulfilled against a quantity of {quantity}; a line item holds at most its "
            "quantity"
        )
        self.args = (message,)


class SignatureError(OrdersError, ValueError):
    """A webhook request whose signature does not verify: missing, wrong, or too old.

    Attributes:
        reason: what was wrong (``signature does not match``, ``timestamp too old``, ...).
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"webhook signature refused: {reason}")


class MachineDefinitionError(OrdersError, RuntimeError):
    """A lifecycle declaration that is not a sound machine (raised at import, or by tests).

    It is a ``RuntimeError``: the library's own definition is wrong, not the caller's input.
    """
