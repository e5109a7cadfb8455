"""External orders: which product variants a contact has access to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clickfunnels_orders import (
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    PaymentProcessor,
    ServiceStatus,
    access_by_contact,
    variants_with_access,
)
from clickfunnels_orders.access import grants_access

UTC = dt.UTC
EXTERNAL = PaymentProcessor.EXTERNAL


def at(day: int) -> dt.datetime:
    """Return a moment in August 2025, UTC."""
    return dt.datetime(2025, 8, day, tzinfo=UTC)


def an_order(order_id: int = 1, contact_id: int = 9, *, payment_type: str = "one_time") -> Order:
    """An external order of one course (variant 501)."""
    line = OrderLineItem(
        id=order_id * 10,
        variant_id=501,
        quantity=1,
        amount=Decimal("99.00"),
        payment_type=payment_type,
    )
    return Order(
        id=order_id,
        contact_id=contact_id,
        currency="USD",
        line_items=(line,),
        payment_processor=EXTERNAL,
    )


def an_invoice(
    invoice_id: int = 2, order_id: int = 1, variants: tuple[int, ...] = (501,)
) -> Invoice:
    """An unpaid external invoice holding the given variants."""
    lines = tuple(
        InvoiceLineItem(
            id=invoice_id * 100 + n,
            invoice_id=invoice_id,
            variant_id=variant,
            quantity=1,
            amount=Decimal("99.00"),
        )
        for n, variant in enumerate(variants)
    )
    return Invoice(
        id=invoice_id,
        order_id=order_id,
        status=InvoiceStatus.UNPAID,
        line_items=lines,
        currency="USD",
        total_amount=Decimal("99.00") * len(lines),
        payment_processor=EXTERNAL,
    )


def test_a_paid_invoice_grants_its_variants() -> None:
    """Setting an external invoice to paid gives its contact the variants it holds."""
    order = an_order()
    paid = an_invoice(variants=(501, 502)).set_status("paid", at=at(1))
    assert variants_with_access(9, [order], [paid]) == {501, 502}


def test_an_unpaid_invoice_grants_nothing() -> None:
    """Until the invoice is paid there is no access."""
    assert variants_with_access(9, [an_order()], [an_invoice()]) == frozenset()


def test_refunding_the_invoice_revokes_access() -> None:
    """Setting the invoice to refunded takes its variants away."""
    paid = an_invoice().set_status("paid", at=at(1))
    refunded = paid.set_status("refunded", at=at(2))
    assert variants_with_access(9, [an_order()], [refunded]) == frozenset()


def test_a_churned_subscription_revokes_access() -> None:
    """An order whose service status is churned no longer grants access."""
    order = an_order(payment_type="subscription").set_status("active", at=at(1))
    paid = an_invoice().set_status("paid", at=at(1))
    assert variants_with_access(9, [order], [paid]) == {501}
    canceled = order.set_status("canceled", at=at(2))
    assert variants_with_access(9, [canceled], [paid]) == {501}  # until it churns
    churned = canceled.set_status("churned", at=at(3))
    assert variants_with_access(9, [churned], [paid]) == frozenset()


def test_a_completed_order_revokes_access() -> None:
    """An order whose service status is completed no longer grants access."""
    paid = an_invoice().set_status("paid", at=at(1))
    completed = an_order().set_status("completed", at=at(2))
    assert variants_with_access(9, [completed], [paid]) == frozenset()


def test_a_variant_stays_granted_while_any_invoice_grants_it() -> None:
    """A refunded invoice does not take away what another paid invoice grants."""
    first = (
        an_invoice(2, 1, (501, 502)).set_status("paid", at=at(1)).set_status("refunded", at=at(2))
    )
    second = an_invoice(3, 4, (501,)).set_status("paid", at=at(3))
    orders = [an_order(1), an_order(4)]
    assert variants_with_access(9, orders, [first, second]) == {501}


def test_access_is_per_contact() -> None:
    """Each contact gets the variants of their own orders' invoices."""
    orders = [an_order(1, contact_id=9), an_order(4, contact_id=10)]
    invoices = [
        an_invoice(2, 1, (501,)).set_status("paid", at=at(1)),
        an_invoice(3, 4, (777,)).set_status("paid", at=at(1)),
    ]
    assert access_by_contact(orders, invoices) == {9: {501}, 10: {777}}
    assert variants_with_access(11, orders, invoices) == frozenset()


def test_an_invoice_of_an_unknown_order_grants_nothing() -> None:
    """Without its order, nothing says whose an invoice is."""
    paid = an_invoice(order_id=99).set_status("paid", at=at(1))
    assert access_by_contact([an_order()], [paid]) == {}


def test_a_partially_refunded_invoice_still_grants_access() -> None:
    """Money was kept, and the API cannot say which line was refunded: access stays."""
    invoice = an_invoice()
    managed = Invoice(
        id=invoice.id,
        order_id=invoice.order_id,
        status=InvoiceStatus.PAID,
        line_items=invoice.line_items,
        currency="USD",
        total_amount=invoice.total_amount,
        amount_paid=invoice.total_amount,
    ).refund(Decimal("10.00"), at=at(2))
    assert managed.status is InvoiceStatus.PARTIALLY_REFUNDED
    assert grants_access(an_order(), managed)


def test_the_revoking_statuses_can_be_chosen_for_managed_orders() -> None:
    """A managed one-time order completes when paid; revoking on churned only keeps access."""
    order = Order(
        id=1,
        contact_id=9,
        currency="USD",
        line_items=an_order().line_items,
        service_status=ServiceStatus.COMPLETED,
    )
    paid = an_invoice().set_status("paid", at=at(1))
    assert variants_with_access(9, [order], [paid]) == frozenset()
    kept = variants_with_access(9, [order], [paid], revoked_by={ServiceStatus.CHURNED})
    assert kept == {501}
