"""Orders and their line items: what a contact bought, and the order's service status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal
from typing import ClassVar, Final, Protocol, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import FrozenJson, to_id, to_instances, to_moment, to_status
from clickfunnels_orders.display import entity_html
from clickfunnels_orders.entities import _fields
from clickfunnels_orders.entities._codec import ApiObject
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle, is_entity_of, replace
from clickfunnels_orders.entities._records import Record
from clickfunnels_orders.errors import (
    CancelReasonError,
    ForeignInvoiceError,
    InvalidTypeError,
    InvalidValueError,
)
from clickfunnels_orders.statuses import (
    RECURRING_PAYMENT_TYPES,
    BillingStatus,
    InvoiceStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

__all__ = ["Order", "OrderLineItem"]

#: The billing status that mirrors each invoice status (the same strings).
_BILLING: Final[Mapping[InvoiceStatus, BillingStatus]] = {
    status: BillingStatus(status.value) for status in InvoiceStatus
}


_PAID: Final = InvoiceStatus.PAID
_PENDING: Final = ServiceStatus.PENDING
_ONE_TIME: Final = OrderType.ONE_TIME


class _Billed(Protocol):
    """What an order reads of one of its invoices (an :class:`Invoice`)."""

    @property
    def id(self) -> Hashable: ...  # pragma: no cover  # a protocol
    @property
    def order_id(self) -> Hashable: ...  # pragma: no cover  # a protocol
    @property
    def status(self) -> InvoiceStatus: ...  # pragma: no cover  # a protocol


@attrs.frozen(slots=False)
class OrderLineItem(Record):
    """One line of an order: a variant, a quantity and its unit price.

    Order lines change over an order's life (upgrades, downgrades); invoices keep a
    frozen copy of them. Their ids are not checked for uniqueness: real payloads repeat
    them.

    Attributes:
        id: the line's id.
        variant_id: the product variant sold (``products_variant.id``).
        quantity: how many, 1 or more.
        amount: the unit price (``products_price.amount``), a non-negative ``Decimal``.
        payment_type: an open string; ``subscription`` and ``payment_plan`` recur.
        fulfillment_required: whether the variant ships (``products_variant.fulfillment_required``).
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    id: Hashable = attrs.field(validator=_fields.an_id)
    variant_id: Hashable = attrs.field(validator=_fields.an_id)
    quantity: int = attrs.field(validator=_fields.a_quantity)
    amount: Decimal = attrs.field(converter=_fields.amount)
    payment_type: str = attrs.field(default="one_time", validator=_fields.a_text)
    fulfillment_required: bool = attrs.field(default=True, validator=_fields.a_bool)
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
    def is_recurring(self) -> bool:
        """Whether the line pays for a subscription or a payment plan."""
        return self.payment_type in RECURRING_PAYMENT_TYPES

    def _repr_html_(self) -> str:
        return entity_html(self)


def _line_items(value: Iterable[OrderLineItem]) -> tuple[OrderLineItem, ...]:
    # Order line ids are not checked for uniqueness: real payloads repeat them.
    return to_instances(value, OrderLineItem, "line_items")


def _derived_order_type(order: Order) -> OrderType:
    return order.derived_order_type


@attrs.frozen(slots=False)
class Order(Lifecycle, ApiObject):
    """A ClickFunnels order: line items, a service status and a billing status.

    ``service_status`` follows the order machine, whose routes depend on the payment
    processor and the order type; ``billing_status`` mirrors the order's latest invoice
    (see :meth:`apply_invoice`).

    Attributes:
        id: the order's id.
        contact_id: the contact who ordered.
        currency: the ISO currency code, upper-cased.
        line_items: the order's `OrderLineItem` values.
        payment_processor: who takes the payments; ``external`` orders also accept
            :meth:`set_status`.
        live_mode: ``False`` for a test-mode order.
        service_status: where the order is in its lifecycle (the order machine).
        billing_status: the status of the order's latest invoice.
        order_type: one-time or subscription; when not given, ``subscription-order`` if
            any line is recurring, else ``one-time-order``.
        created_at: when the order was placed.
        canceled_at: when it was last cancelled.
        churned_at: when that cancellation takes effect.
        cancel_reason: why, in the processor's vocabulary.
        paid_until: the end of the period paid for (subscriptions).
        history: one :class:`Change` per event, oldest first.
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    machine: ClassVar = machines.ORDER.machine
    lifecycle: ClassVar = machines.ORDER
    _status_field: ClassVar = "service_status"

    id: Hashable = attrs.field(validator=_fields.an_id)
    contact_id: Hashable = attrs.field(validator=_fields.an_id)
    currency: str = attrs.field(converter=_fields.currency)
    line_items: tuple[OrderLineItem, ...] = attrs.field(converter=_line_items)
    payment_processor: PaymentProcessor = attrs.field(
        default=PaymentProcessor.PAYMENTS_AI, converter=_fields.payment_processor
    )
    live_mode: bool = attrs.field(default=True, validator=_fields.a_bool)
    service_status: ServiceStatus = attrs.field(
        default=ServiceStatus.PENDING, converter=_fields.service_status
    )
    billing_status: BillingStatus = attrs.field(
        default=BillingStatus.PENDING, converter=_fields.billing_status
    )
    #: When not given: ``subscription-order`` if any line is recurring, else ``one-time-order``.
    order_type: OrderType = attrs.field(
        default=attrs.Factory(_derived_order_type, takes_self=True),
        converter=_fields.order_type,
    )
    created_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    canceled_at: dt.datetime | None = attrs.field(
        default=None, validator=_fields.an_optional_moment
    )
    churned_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    cancel_reason: str | None = attrs.field(default=None, validator=_fields.an_optional_text)
    paid_until: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    history: tuple[Change, ...] = attrs.field(default=(), converter=_fields.history)
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
        if self.__dict__["history"]:  # the one invariant, and most entities have no past
            self._check_history()

    def _check_invariants(self, before: Order | None) -> None:
        """Check the invariants across fields: on construction (``before`` is ``None``).

        An event appends a history record built from its own route, so only a history
        given to the constructor is checked against the machine.
        """
        if before is None:
            self._check_history()

    # -- derived values --------------------------------------------------------------------

    @property
    def status(self) -> ServiceStatus:
        """The order's status in its machine: its ``service_status``."""
        return self.service_status

    @property
    def derived_order_type(self) -> OrderType:
        """The type the line items give: subscription if any is recurring, else one-time.

        What ``order_type`` defaults to; the API may say otherwise, and its word is kept.
        """
        recurring = any(line.is_recurring for line in self.line_items)
        return OrderType.SUBSCRIPTION if recurring else OrderType.ONE_TIME

    @property
    def is_external(self) -> bool:
        """Whether the client, not a payment gateway, drives this order's status."""
        return self.payment_processor is PaymentProcessor.EXTERNAL

    @property
    def lifecycle_statuses(self) -> frozenset[str]:
        """The service statuses an order of this processor and type can hold."""
        return machines.lifecycle_statuses(self.payment_processor, self.order_type)

    @property
    def cancel_reasons(self) -> tuple[str, ...]:
        """The cancel reasons this order's payment processor accepts."""
        return machines.CANCEL_REASONS[self.payment_processor]

    # -- events ----------------------------------------------------------------------------

    def activate(self, *, at: dt.datetime) -> Self:
        """Start a pending subscription."""
        return self._fire("activate", at)

    def pause(self, *, at: dt.datetime) -> Self:
        """Pause an active subscription."""
        return self._fire("pause", at)

    def resume(self, *, at: dt.datetime) -> Self:
        """Resume a paused or suspended subscription."""
        return self._fire("resume", at)

    def suspend(self, *, at: dt.datetime) -> Self:
        """Suspend an active subscription (for example, after failed payments)."""
        return self._fire("suspend", at)

    def cancel(
        self,
        *,
        at: dt.datetime,
        reason: str = "other",
        effective_at: dt.datetime | None = None,
    ) -> Self:
        """Cancel the order; for a subscription, access ends at ``effective_at``.

        Sets ``canceled_at = at``, ``churned_at = effective_at or at`` (pass
        ``order.paid_until`` to cancel at the end of the paid period) and
        ``cancel_reason = reason``.

        Raises:
            InvalidTransitionError: when the order cannot be canceled in its status.
            CancelReasonError: for a reason the order's processor does not accept.
        """
        routes = self._routes("cancel")
        if reason not in self.cancel_reasons:
            raise CancelReasonError(reason, self.payment_processor.value, self.cancel_reasons)
        churned_at = at if effective_at is None else to_moment(effective_at, "effective_at")
        return self._move(
            routes,
            self._check_at("cancel", at),
            {},
            {"canceled_at": at, "churned_at": churned_at, "cancel_reason": reason},
        )

    def churn(self, *, at: dt.datetime) -> Self:
        """Mark a canceled subscription as churned (its access has ended)."""
        return self._fire("churn", at)

    def reactivate(self, *, at: dt.datetime) -> Self:
        """Bring a canceled or churned subscription back to active."""
        return self._fire("reactivate", at)

    def complete(self, *, at: dt.datetime) -> Self:
        """Complete the order: a paid one-time order, or a subscription that ran its course."""
        return self._fire("complete", at)

    def abandon(self, *, at: dt.datetime) -> Self:
        """Abandon a pending order that was never paid."""
        return self._fire("abandon", at)

    def void(self, *, at: dt.datetime) -> Self:
        """Void a pending order (Payments AI only)."""
        return self._fire("void", at)

    def set_status(self, status: ServiceStatus | str, *, at: dt.datetime) -> Self:
        """Switch an external order to ``status``, as the client architects it.

        Setting ``canceled`` also sets ``canceled_at`` and ``churned_at`` to ``at`` and
        ``cancel_reason`` to ``other``; the current status returns the order unchanged.

        Raises:
            InvalidTransitionError: for a managed order, or a status this external order
                cannot hold.
        """
        target = to_status(ServiceStatus, status, "status")
        routes = self._routes("set_status")
        # ``at`` is checked even for the current status: an out-of-order or naive moment
        # is refused for every event, including one that changes nothing.
        moment = self._check_at("set_status", at)
        if target is self.service_status:
            return self
        # What canceled implies (the cancel fields) is the machine's (machines.order).
        return self._move(routes, moment, {"status": target}, {})

    # -- cross-entity rules ----------------------------------------------------------------

    def apply_invoice(self, invoice: _Billed, *, at: dt.datetime) -> Self:
        """Bring the order up to date with one of its invoices.

        ``billing_status`` takes the invoice's status (a mirror: no history record). When
        the invoice is paid, a pending one-time order completes and a pending subscription
        activates (a service-status move: recorded in ``history``).

        Raises:
            ForeignInvoiceError: for another order's invoice.
        """
        if not is_entity_of(invoice, machines.INVOICE):
            raise InvalidTypeError("invoice", invoice, "an Invoice")
        if invoice.order_id != self.id:
            raise ForeignInvoiceError(self.id, invoice.id, invoice.order_id)
        status = invoice.status
        billing = _BILLING[status]
        if status is _PAID and self.service_status is _PENDING:
            event = "complete" if self.order_type is _ONE_TIME else "activate"
            routes = self._open_routes(event)
            if routes:
                # One copy: the service-status move, with the billing mirror riding along.
                return self._move(
                    routes, self._check_at(event, at), {}, {"billing_status": billing}
                )
        to_moment(at, "at")
        if self.billing_status is billing:
            return self
        updated: Self = replace(self, {"billing_status": billing})
        return updated

    def replace_line_item(self, line_item_id: Hashable, line_item: OrderLineItem) -> Self:
        """Return the order with one line replaced: an upgrade or a downgrade.

        Invoices already issued keep their own copy of the old line, untouched. An order
        whose type is the one its lines give (the default) takes the type the new lines
        give, as the same lines built fresh would; a type that differs from what the
        lines give was the API's word, and is kept.

        Raises:
            InvalidValueError: when no line, or more than one, has ``line_item_id``.
        """
        to_id(line_item_id, "line_item_id")
        if not isinstance(line_item, OrderLineItem):
            raise InvalidTypeError("line_item", line_item, "an OrderLineItem")
        positions = [i for i, line in enumerate(self.line_items) if line.id == line_item_id]
        if len(positions) != 1:
            found = "no line" if not positions else f"{len(positions)} lines"
            raise InvalidValueError(
                "line_item_id", line_item_id, f"the id of exactly one line (found {found})"
            )
        lines = list(self.line_items)
        lines[positions[0]] = line_item
        if self.order_type is not self.derived_order_type:
            return attrs.evolve(self, line_items=tuple(lines))
        replaced = attrs.evolve(self, line_items=tuple(lines))
        return attrs.evolve(replaced, order_type=replaced.derived_order_type)
