"""Invoices and their line items: payment snapshots of an order at one moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import ClassVar, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import (
    FrozenJson,
    minus,
    plus,
    times,
    to_api_id,
    to_id,
    to_instances,
    to_moment,
    to_money,
    to_status,
    to_tuple,
)
from clickfunnels_orders.entities import _fields, _invoice_types
from clickfunnels_orders.entities._codec import ApiObject
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle
from clickfunnels_orders.entities.order import Order
from clickfunnels_orders.errors import AmountError, InvalidTypeError, InvalidValueError, shown
from clickfunnels_orders.machines import ELIGIBLE_FOR_FULFILLMENT, PAID_IN_FULL, paid_by_status
from clickfunnels_orders.statuses import (
    RECURRING_PAYMENT_TYPES,
    InvoiceStatus,
    InvoiceType,
    LineItemFulfillmentStatus,
    PaymentProcessor,
)
from clickfunnels_orders.timing import TimeRules, advance

__all__ = [
    "ELIGIBLE_FOR_FULFILLMENT",
    "PAID_IN_FULL",
    "Invoice",
    "InvoiceLineItem",
    "paid_by_status",
]


def _paid_by_status(invoice: Invoice) -> Decimal:
    return paid_by_status(invoice.status, invoice.total_amount)


def _refunded_by_status(invoice: Invoice) -> Decimal:
    paid = invoice.amount_paid
    return (
        paid if invoice.status is InvoiceStatus.REFUNDED else minus(paid, paid, "amount_refunded")
    )


@attrs.frozen(slots=False)
class InvoiceLineItem(Lifecycle):
    """One line of an invoice: a frozen copy of an order line at issue time.

    Its ``fulfillment_status`` follows the line-item machine: ``ignore``, ``unignore`` and
    ``complete`` are fired by users; the moves between unfulfilled, partially_fulfilled
    and fulfilled are derived from fulfilled quantities by the rollup.

    Attributes:
        id: the line's id, unique within its invoice (and within a rollup's invoices).
        invoice_id: the id of the invoice that holds it.
        variant_id: the product variant billed.
        quantity: how many, 1 or more.
        amount: the line's amount, a non-negative ``Decimal``.
        fulfillment_required: whether the line ships at all.
        fulfillment_status: the line-item machine's status.
        history: one :class:`Change` per event, oldest first.
        payment_type: copied from the order line (an open string).
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    machine: ClassVar = machines.INVOICE_LINE_ITEM.machine
    lifecycle: ClassVar = machines.INVOICE_LINE_ITEM
    _status_field: ClassVar = "fulfillment_status"

    id: Hashable = attrs.field(validator=_fields.an_id)
    invoice_id: Hashable = attrs.field(validator=_fields.an_id)
    variant_id: Hashable = attrs.field(validator=_fields.an_id)
    quantity: int = attrs.field(validator=_fields.a_quantity)
    amount: Decimal = attrs.field(converter=_fields.amount)
    fulfillment_required: bool = attrs.field(default=True, validator=_fields.a_bool)
    fulfillment_status: LineItemFulfillmentStatus = attrs.field(
        default=LineItemFulfillmentStatus.UNFULFILLED, converter=_fields.line_item_status
    )
    history: tuple[Change, ...] = attrs.field(default=(), converter=_fields.line_item_history)
    payment_type: str = attrs.field(default="one_time", validator=_fields.a_text)
    #: Payload fields the model does not use, carried along untouched.
    extra: FrozenJson = attrs.field(
        default=_fields.NO_EXTRA, converter=_fields.extra, repr=False, hash=False
    )
    #: How the payload it was read from spelled what the model reads (``None`` when built
    #: by hand), so that ``to_api()`` gives that payload back; never compared.
    spelling: Spelling | None = attrs.field(
        default=None, validator=_fields.a_spelling, eq=False, repr=False, hash=False
    )

    @property
    def status(self) -> LineItemFulfillmentStatus:
        """The line's status in its machine: its ``fulfillment_status``."""
        return self.fulfillment_status

    @property
    def is_recurring(self) -> bool:
        """Whether the line pays for a subscription or a payment plan."""
        return self.payment_type in RECURRING_PAYMENT_TYPES

    def ignore(self, *, at: dt.datetime) -> Self:
        """Mark an unfulfilled item as needing no fulfillment (a setup fee, say)."""
        return self._fire("ignore", at)

    def unignore(self, *, at: dt.datetime) -> Self:
        """Put an ignored item back among those awaiting fulfillment."""
        return self._fire("unignore", at)

    def complete(self, *, at: dt.datetime) -> Self:
        """Close a fulfilled item for good: its fulfilled quantity can no longer be released."""
        return self._fire("complete", at)

    def recount(self, fulfilled: int) -> Self:
        """Return the item with the status its ``fulfilled`` quantity gives (derived, no history).

        Ignored and complete items, and items already in the right status, come back
        unchanged. Used by the rollup; fired through the machine's internal ``recount``.

        Raises:
            InvalidValueError: for a quantity below 0 or above the line's own.
        """
        if isinstance(fulfilled, bool) or not isinstance(fulfilled, int):
            raise InvalidTypeError("fulfilled", fulfilled, "an int")
        if not 0 <= fulfilled <= self.quantity:
            raise InvalidValueError(
                "fulfilled", fulfilled, f"a quantity from 0 to the line's {self.quantity}"
            )
        status = self.fulfillment_status
        if (
            status is LineItemFulfillmentStatus.IGNORED
            or status is LineItemFulfillmentStatus.COMPLETE
        ):
            return self
        routes = self.lifecycle.routes_from("recount", status)
        args = {"fulfilled": fulfilled}
        for route in routes:
            if route.accepts(self, args):
                return self._move((route,), None, args, {})
        return self


def _line_items(value: Iterable[InvoiceLineItem]) -> tuple[InvoiceLineItem, ...]:
    field = "line_items"
    items = to_instances(value, InvoiceLineItem, field)
    seen: set[Hashable] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise InvalidValueError(
                f"{field}[{index}].id", item.id, "an id unique within the invoice"
            )
        seen.add(item.id)
    return items


@attrs.frozen(slots=False)
class Invoice(Lifecycle, ApiObject):
    """An ``Orders::Invoice``: what was billed for an order, and how much was paid.

    Its ``status`` follows the invoice machine (see :mod:`clickfunnels_orders.machines`):
    managed invoices (Payments AI, Stripe) move by events; external ones also accept
    :meth:`set_status`.

    Attributes:
        id: the invoice's id.
        order_id: the id of the order it bills.
        status: the invoice machine's status.
        line_items: its `InvoiceLineItem` values, ids unique within the invoice.
        currency: the ISO currency code, upper-cased.
        total_amount: what the invoice bills.
        amount_paid: what has been paid, at most ``total_amount``; when not given, the
            total for a paid, partially-refunded, disputed or refunded invoice, else 0.
        amount_refunded: what has been refunded, at most ``amount_paid``; when not
            given, everything paid for a refunded invoice, else 0.
        issued_at: when it was issued (:meth:`issue`).
        due_at: when payment is due; the time rules of :meth:`advance` start from it.
        paid_at: when it was paid in full.
        payment_processor: who takes the payment; ``external`` invoices also accept
            :meth:`set_status`.
        history: one :class:`Change` per event, oldest first.
        invoice_type: an :class:`InvoiceType`, or a string the API sent that names none
            (see :attr:`invoice_type_is_unknown`), or ``None``.
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    machine: ClassVar = machines.INVOICE.machine
    lifecycle: ClassVar = machines.INVOICE
    _status_field: ClassVar = "status"

    id: Hashable = attrs.field(validator=_fields.an_id)
    order_id: Hashable = attrs.field(validator=_fields.an_id)
    status: InvoiceStatus = attrs.field(converter=_fields.invoice_status)
    line_items: tuple[InvoiceLineItem, ...] = attrs.field(converter=_line_items)
    currency: str = attrs.field(converter=_fields.currency)
    total_amount: Decimal = attrs.field(converter=_fields.total_amount)
    #: When not given: the total for a paid, partially-refunded, disputed or refunded
    #: invoice, else 0 (what the status says was paid; the API reads it the same way).
    amount_paid: Decimal = attrs.field(
        default=attrs.Factory(_paid_by_status, takes_self=True), converter=_fields.amount_paid
    )
    #: When not given: everything paid for a refunded invoice, else 0.
    amount_refunded: Decimal = attrs.field(
        default=attrs.Factory(_refunded_by_status, takes_self=True),
        converter=_fields.amount_refunded,
    )
    issued_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    due_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    paid_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    payment_processor: PaymentProcessor = attrs.field(
        default=PaymentProcessor.PAYMENTS_AI, converter=_fields.payment_processor
    )
    history: tuple[Change, ...] = attrs.field(default=(), converter=_fields.history)
    #: An :class:`InvoiceType`; a string the API sent that names none is kept as it came
    #: (see :attr:`invoice_type_is_unknown`); ``None`` when the payload has none.
    invoice_type: InvoiceType | str | None = attrs.field(
        default=None, converter=_invoice_types.invoice_type
    )
    #: Payload fields the model does not use, carried along untouched.
    extra: FrozenJson = attrs.field(
        default=_fields.NO_EXTRA, converter=_fields.extra, repr=False, hash=False
    )
    #: How the payload it was read from spelled what the model reads (``None`` when built
    #: by hand), so that ``to_api()`` gives that payload back; never compared.
    spelling: Spelling | None = attrs.field(
        default=None, validator=_fields.a_spelling, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        """Check the invariants across fields, once the fields are built."""
        self._check_invariants(None)

    def _check_invariants(self, before: Invoice | None) -> None:
        """Check the invariants across fields: on construction, and after every event.

        ``before`` is the valid entity an event copied this one from (``None`` on
        construction): an invariant none of whose fields the event replaced still holds,
        so only the others are checked again.
        """
        state = self.__dict__
        if before is None and state["history"]:
            self._check_history()
        invoice_id = state["id"]
        line_items = state["line_items"]
        if before is None or line_items is not before.line_items or invoice_id is not before.id:
            for item in line_items:
                if item.invoice_id != invoice_id:
                    index = line_items.index(item)
                    raise InvalidValueError(
                        f"line_items[{index}].invoice_id",
                        item.invoice_id,
                        f"the id of the invoice that holds it ({shown(invoice_id)})",
                    )
        paid = state["amount_paid"]
        total = state["total_amount"]
        refunded = state["amount_refunded"]
        if (
            before is None
            or paid is not before.amount_paid
            or total is not before.total_amount
            or refunded is not before.amount_refunded
        ):
            if paid > total:
                raise InvalidValueError("amount_paid", paid, f"at most total_amount ({total})")
            if refunded > paid:
                raise InvalidValueError(
                    "amount_refunded", refunded, f"at most amount_paid ({paid})"
                )

    # -- derived values --------------------------------------------------------------------

    @property
    def due_amount(self) -> Decimal:
        """What is still to be paid."""
        return minus(self.total_amount, self.amount_paid, "due_amount")

    @property
    def refundable_amount(self) -> Decimal:
        """What has been paid and not yet refunded."""
        return minus(self.amount_paid, self.amount_refunded, "refundable_amount")

    @property
    def eligible_for_fulfillment(self) -> bool:
        """Whether the invoice's items are due to ship (it is paid or partially refunded)."""
        return self.status in ELIGIBLE_FOR_FULFILLMENT

    @property
    def invoice_type_is_unknown(self) -> bool:
        """Whether ``invoice_type`` is a string the API sent that names no :class:`InvoiceType`."""
        return self.invoice_type is not None and not isinstance(self.invoice_type, InvoiceType)

    @property
    def is_external(self) -> bool:
        """Whether the client, not a payment gateway, drives this invoice's status."""
        return self.payment_processor is PaymentProcessor.EXTERNAL

    # -- named constructors ----------------------------------------------------------------

    @classmethod
    def for_order(
        cls,
        order: Order,
        *,
        id: Hashable,  # noqa: A002  because it is the API's own field name
        kind: InvoiceType | str | None = None,
        invoice_type: InvoiceType | str | None = None,
        line_item_ids: Iterable[Hashable] | None = None,
        due_at: dt.datetime | None = None,
    ) -> Self:
        """Snapshot ``order``'s line items into a new draft invoice.

        Which lines are copied depends on the invoice type ``kind``: ``renewal`` copies
        only the recurring ones (subscriptions and payment plans), ``one_time_sale``,
        ``one_time`` and ``charge`` only the one-time ones, every other type every line.
        The API's rule is checked: a one-time order is billed only ``one_time_sale``, a
        subscription order any other type; by default, ``one_time_sale`` or ``initial``.
        Each invoice line's ``amount`` is the line's total (unit amount times quantity);
        ``total_amount`` is their sum. Later changes to the order never reach this
        invoice: it is a frozen copy.

        Args:
            order: the order to bill.
            id: the new invoice's id.
            kind: an :class:`InvoiceType` (or its value).
            invoice_type: the same as ``kind``, under the payload's name (give one).
            line_item_ids: ids for the copied lines, in order; by default
                ``"{invoice id}-{position}"`` strings (``"501-0"``), unique within the
                invoice and, like any API id, an int or a str, so the invoice can be
                written as a payload and read back.
            due_at: when payment is due.

        Raises:
            InvalidValueError: for an unknown ``kind``, one the order's type does not use,
                or when no line qualifies.
        """
        if not isinstance(order, Order):
            raise InvalidTypeError("order", order, "an Order")
        if kind is not None and invoice_type is not None and kind != invoice_type:
            raise InvalidValueError(
                "invoice_type", invoice_type, f"the same type as kind ({shown(kind)})"
            )
        chosen = _invoice_types.kind_for(
            order.order_type, kind if kind is not None else invoice_type
        )
        lines = _invoice_types.billed_lines(chosen, order.line_items)
        if not lines:
            raise InvalidValueError(
                "invoice_type", chosen, "a type for which the order has lines to bill"
            )
        to_id(id, "id")
        if line_item_ids is None:
            # The default line ids are written from the invoice id ("501-0"): it must be
            # an id the API can carry, or the caller chooses the line ids.
            to_api_id(id, "id")
        ids = (
            [
                to_id(item_id, f"line_item_ids[{index}]")
                for index, item_id in enumerate(to_tuple(line_item_ids, "line_item_ids"))
            ]
            if line_item_ids is not None
            else None
        )
        if due_at is not None:
            to_moment(due_at, "due_at")
        if ids is not None and len(ids) != len(lines):
            raise InvalidValueError("line_item_ids", ids, f"{len(lines)} ids, one per line billed")
        items = tuple(
            InvoiceLineItem(
                id=ids[position] if ids is not None else f"{id}-{position}",
                invoice_id=id,
                variant_id=line.variant_id,
                quantity=line.quantity,
                amount=times(line.amount, line.quantity, "amount"),
                fulfillment_required=line.fulfillment_required,
                payment_type=line.payment_type,
            )
            for position, line in enumerate(lines)
        )
        return cls(
            id=id,
            order_id=order.id,
            status=InvoiceStatus.DRAFT,
            line_items=items,
            currency=order.currency,
            total_amount=_total(item.amount for item in items),
            due_at=due_at,
            payment_processor=order.payment_processor,
            invoice_type=chosen,
        )

    # -- events ----------------------------------------------------------------------------

    def issue(self, *, at: dt.datetime) -> Self:
        """Issue a draft invoice: it becomes unpaid, and ``issued_at`` is ``at``."""
        return self._fire("issue", at, issued_at=at)

    def pay(self, amount: Decimal | str | int | None = None, *, at: dt.datetime) -> Self:
        """Record a payment; paid once nothing is due, else partially-paid.

        Args:
            amount: the payment; ``None`` pays what is due.
            at: when it was paid.

        Raises:
            InvalidTransitionError: when the invoice cannot be paid in its status.
            AmountError: for a non-positive amount or more than is due.
        """
        routes = self._routes("pay")
        if amount is None:
            paid = self.total_amount  # the rest: everything is then paid, exactly
        else:
            paying = to_money_arg(amount, "pay")
            due = minus(self.total_amount, self.amount_paid, "amount")
            if paying > due:
                raise AmountError("pay", paying, f"at most {due} is due")
            paid = plus(self.amount_paid, paying, "amount")
        # Settling sets paid_at: arriving in paid implies it (see machines.invoice).
        return self._move(
            routes, self._check_at("pay", at), {"amount_paid": paid}, {"amount_paid": paid}
        )

    def mark_past_due(self, *, at: dt.datetime) -> Self:
        """Mark an unpaid invoice past due (its payment window has passed)."""
        return self._fire("mark_past_due", at)

    def abandon(self, *, at: dt.datetime) -> Self:
        """Abandon an invoice that will not be paid; the processor stops retrying."""
        return self._fire("abandon", at)

    def void(self, *, at: dt.datetime) -> Self:
        """Void an invoice that should never have been issued."""
        return self._fire("void", at)

    def refund(self, amount: Decimal | str | int | None = None, *, at: dt.datetime) -> Self:
        """Refund money paid: refunded once everything paid is refunded, else partially.

        A partially-paid invoice can only be refunded in full.

        Args:
            amount: the refund; ``None`` refunds everything paid and not yet refunded.
            at: when it was refunded.

        Raises:
            InvalidTransitionError: when the invoice cannot be refunded in its status.
            AmountError: for a non-positive amount, more than is refundable, or a partial
                refund of a partially-paid invoice.
        """
        routes = self._routes("refund")
        if amount is None:
            # Everything paid and not yet refunded: then everything paid is refunded.
            refunded = self.amount_paid
            return self._move(
                routes,
                self._check_at("refund", at),
                {"amount_refunded": refunded},
                {"amount_refunded": refunded},
            )
        refundable = minus(self.amount_paid, self.amount_refunded, "amount")
        refunding = to_money_arg(amount, "refund")
        if refunding > refundable:
            raise AmountError("refund", refunding, f"at most {refundable} is refundable")
        if self.status is InvoiceStatus.PARTIALLY_PAID and refunding != refundable:
            raise AmountError(
                "refund",
                refunding,
                f"a partially-paid invoice is refunded in full ({refundable}) or not at all",
            )
        refunded = plus(self.amount_refunded, refunding, "amount")
        return self._move(
            routes,
            self._check_at("refund", at),
            {"amount_refunded": refunded},
            {"amount_refunded": refunded},
        )

    def dispute(self, *, at: dt.datetime) -> Self:
        """Record that the customer disputed the charge."""
        return self._fire("dispute", at)

    def win_dispute(self, *, at: dt.datetime) -> Self:
        """Close a dispute in the merchant's favour: back to the status it came from.

        That is the source of the last change into disputed (a ``dispute`` or an
        external ``set_status``), when it is paid or partially-refunded and the amounts
        still show its money; otherwise there is nothing to win back and the event is
        not allowed.
        """
        return self._fire("win_dispute", at)

    def lose_dispute(self, *, at: dt.datetime) -> Self:
        """Close a dispute in the customer's favour: everything paid counts as refunded."""
        # Arriving in refunded implies everything paid is refunded (see machines.invoice).
        return self._fire("lose_dispute", at)

    def set_status(self, status: InvoiceStatus | str, *, at: dt.datetime) -> Self:
        """Switch an external invoice to ``status``, as the client architects it.

        The amounts follow the status the client sets, so the two never disagree
        (``machines.amounts_agree``): ``paid`` pays the total, refunds nothing and sets
        ``paid_at``; ``refunded`` refunds everything paid; ``unpaid``, ``past-due``,
        ``voided`` and ``abandoned`` hold nothing (both amounts 0, ``paid_at`` cleared);
        ``disputed`` keeps the amounts of the status it was disputed from. The current
        status returns the invoice unchanged.

        Raises:
            InvalidTransitionError: for a managed invoice, or a status an external invoice
                cannot be set to from its current one.
        """
        target = to_status(InvoiceStatus, status, "status")
        routes = self._routes("set_status")
        # ``at`` is checked even for the current status: an out-of-order or naive moment
        # is refused for every event, including one that changes nothing.
        moment = self._check_at("set_status", at)
        if target is self.status:
            return self
        # What paid and refunded imply for the amounts is the machine's (machines.invoice).
        return self._move(routes, moment, {"status": target}, {})

    def advance(self, now: dt.datetime, rules: TimeRules | None = None) -> Self:
        """Apply the time rules up to ``now``: past due, then abandoned. See :mod:`timing`."""
        return advance(self, now, rules if rules is not None else TimeRules())


def _total(amounts: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for amount in amounts:
        total = plus(total, amount, "total_amount")
    return total


def to_money_arg(amount: object, event: str) -> Decimal:
    """Return an event's ``amount`` argument as a positive ``Decimal``.

    Raises:
        InvalidTypeError: for a float or another type.
        AmountError: for zero or a negative amount.
    """
    if type(amount) is Decimal or (
        isinstance(amount, Decimal | int | str) and not isinstance(amount, bool)
    ):
        try:
            value = to_money(amount, "amount")
        except InvalidValueError:
            raise AmountError(event, amount, "a positive, finite amount") from None
    else:
        value = to_money(amount, "amount")  # raises the helpful type error
    if not value:  # to_money refused negatives: only zero is left to refuse
        raise AmountError(event, value, "a positive amount")
    return value
