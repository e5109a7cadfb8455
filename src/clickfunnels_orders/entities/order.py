"""Orders and their line items: what a contact bought, and the order's service status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._values import (
    normalise,
    to_bool,
    to_currency,
    to_id,
    to_instances,
    to_mapping,
    to_moment,
    to_optional_moment,
    to_optional_text,
    to_quantity,
    to_status,
    to_text,
)
from clickfunnels_orders.entities import _fields
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle, replace
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

if TYPE_CHECKING:
    from clickfunnels_orders.entities.invoice import Invoice

__all__ = ["Order", "OrderLineItem"]

_Check = Callable[[object, str], object]


@attrs.frozen(slots=False)
class OrderLineItem:
    """One line of an order: a variant, a quantity and its unit price.

    Order lines change over an order's life (upgrades, downgrades); invoices keep a
    frozen copy of them. Their ids are not checked for uniqueness: real payloads repeat
    them.
    """

    id: Hashable
    variant_id: Hashable
    quantity: int
    amount: Decimal = attrs.field(converter=_fields.amount)
    payment_type: str = "one_time"
    fulfillment_required: bool = True
    #: Payload fields the model does not use, carried along untouched.
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, hash=False)

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "id": to_id,
        "variant_id": to_id,
        "quantity": to_quantity,
        "payment_type": to_text,
        "fulfillment_required": to_bool,
        "extra": to_mapping,
    }

    def __attrs_post_init__(self) -> None:
        normalise(self, self._CHECKS)

    @property
    def is_recurring(self) -> bool:
        """Whether the line pays for a subscription or a payment plan."""
        return self.payment_type in RECURRING_PAYMENT_TYPES

    def _repr_html_(self) -> str:
        from clickfunnels_orders.display import entity_html  # noqa: PLC0415  because display sits at the edge

        return entity_html(self)


def _line_items(value: Iterable[OrderLineItem]) -> tuple[OrderLineItem, ...]:
    # Order line ids are not checked for uniqueness: real payloads repeat them.
    return to_instances(value, OrderLineItem, "line_items")


@attrs.frozen(slots=False)
class Order(Lifecycle):
    """A ClickFunnels order: line items, a service status and a billing status.

    ``service_status`` follows the order machine, whose routes depend on the payment
    processor and the order type; ``billing_status`` mirrors the order's latest invoice
    (see :meth:`apply_invoice`).
    """

    machine: ClassVar = machines.ORDER.machine
    _lifecycle: ClassVar = machines.ORDER
    _status_field: ClassVar = "service_status"

    id: Hashable
    contact_id: Hashable
    currency: str
    line_items: tuple[OrderLineItem, ...] = attrs.field(converter=_line_items)
    payment_processor: PaymentProcessor = attrs.field(
        default=PaymentProcessor.PAYMENTS_AI, converter=_fields.payment_processor
    )
    live_mode: bool = True
    service_status: ServiceStatus = attrs.field(
        default=ServiceStatus.PENDING, converter=_fields.service_status
    )
    billing_status: BillingStatus = attrs.field(
        default=BillingStatus.PENDING, converter=_fields.billing_status
    )
    #: The given type, or derived from the line items when ``None`` is given.
    order_type: OrderType = attrs.field(default=None, converter=_fields.order_type)
    created_at: dt.datetime | None = None
    canceled_at: dt.datetime | None = None
    churned_at: dt.datetime | None = None
    cancel_reason: str | None = None
    paid_until: dt.datetime | None = None
    history: tuple[Change, ...] = attrs.field(default=(), converter=_fields.history)
    #: Payload fields the model does not use, carried along untouched.
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, hash=False)

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "id": to_id,
        "contact_id": to_id,
        "currency": to_currency,
        "live_mode": to_bool,
        "created_at": to_optional_moment,
        "canceled_at": to_optional_moment,
        "churned_at": to_optional_moment,
        "cancel_reason": to_optional_text,
        "paid_until": to_optional_moment,
        "extra": to_mapping,
    }

    def __attrs_post_init__(self) -> None:
        normalise(self, self._CHECKS)
        if self.order_type is None:
            recurring = any(line.is_recurring for line in self.line_items)
            derived = OrderType.SUBSCRIPTION if recurring else OrderType.ONE_TIME
            object.__setattr__(self, "order_type", derived)

    # -- derived values --------------------------------------------------------------------

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
        changes: dict[str, Any] = {}
        if target is ServiceStatus.CANCELED:
            changes = {"canceled_at": at, "churned_at": at, "cancel_reason": "other"}
        return self._move(routes, moment, {"status": target}, changes)

    # -- cross-entity rules ----------------------------------------------------------------

    def apply_invoice(self, invoice: Invoice, *, at: dt.datetime) -> Self:
        """Bring the order up to date with one of its invoices.

        ``billing_status`` takes the invoice's status (a mirror: no history record). When
        the invoice is paid, a pending one-time order completes and a pending subscription
        activates (a service-status move: recorded in ``history``).

        Raises:
            ForeignInvoiceError: for another order's invoice.
        """
        from clickfunnels_orders.entities.invoice import Invoice  # noqa: PLC0415  because invoices import orders

        if not isinstance(invoice, Invoice):
            raise InvalidTypeError("invoice", invoice, "an Invoice")
        if invoice.order_id != self.id:
            raise ForeignInvoiceError(self.id, invoice.id, invoice.order_id)
        moment = to_moment(at, "at")
        billing = BillingStatus(invoice.status.value)
        moved = self
        if invoice.status is InvoiceStatus.PAID and self.service_status is ServiceStatus.PENDING:
            event = "complete" if self.order_type is OrderType.ONE_TIME else "activate"
            if self.may(event):
                moved = self._fire(event, moment)
        if moved.billing_status is billing:
            return moved
        updated: Self = replace(moved, {"billing_status": billing})
        return updated

    def replace_line_item(self, line_item_id: Hashable, line_item: OrderLineItem) -> Self:
        """Return the order with one line replaced: an upgrade or a downgrade.

        Invoices already issued keep their own copy of the old line, untouched.

        Raises:
            InvalidValueError: when no line, or more than one, has ``line_item_id``.
        """
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
        return attrs.evolve(self, line_items=tuple(lines))

    # -- ClickFunnels payloads (the edge: clickfunnels_orders.payloads) --------------------

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> Order:
        """Read an order as the ClickFunnels API returns it; unused fields go to ``extra``.

        Raises:
            PayloadError: for a malformed payload, naming the offending field's path.
        """
        from clickfunnels_orders.payloads import order_from_api  # noqa: PLC0415  because payloads sit at the edge and import the core

        return order_from_api(payload)

    def to_api(self) -> dict[str, Any]:
        """Write the order as the ClickFunnels API would send it, ``extra`` included."""
        from clickfunnels_orders.payloads import order_to_api  # noqa: PLC0415  because payloads sit at the edge and import the core

        return order_to_api(self)
