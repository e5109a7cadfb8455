"""Course, community and asset access for external orders, as the orders seed describes it.

An external order grants its contact access to digital assets through its invoices: an
``Orders::Invoice`` with status ``paid`` holding ``Products::Variant`` records linked to
the assets. Access is revoked by setting the invoice to ``refunded``, or the order's
``service_status`` to ``churned`` or ``completed``.

So a contact has access to a variant when some invoice of one of the contact's orders
holds a line item of that variant, the invoice is paid (or partially refunded: money was
kept, and the API gives no way to tell which line was refunded), and the order has
neither churned nor completed. These are the seed's rules for external orders, where the
client drives every status. A managed (Payments AI or Stripe) one-time order completes as
soon as it is paid, so for managed orders pass ``revoked_by={ServiceStatus.CHURNED}``.

Everything here is a pure function of the orders and invoices given.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Final

from clickfunnels_orders._values import to_id, to_instances, to_status, to_tuple
from clickfunnels_orders.entities import Invoice, Order
from clickfunnels_orders.errors import InvalidTypeError
from clickfunnels_orders.statuses import InvoiceStatus, ServiceStatus

__all__ = [
    "GRANTING_INVOICE_STATUSES",
    "REVOKING_SERVICE_STATUSES",
    "access_by_contact",
    "grants_access",
    "variants_with_access",
]

#: Invoice statuses that grant access to the invoice's variants.
GRANTING_INVOICE_STATUSES: Final = frozenset({InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED})
#: Order service statuses that revoke the access the order's invoices granted.
REVOKING_SERVICE_STATUSES: Final = frozenset({ServiceStatus.CHURNED, ServiceStatus.COMPLETED})


def grants_access(
    order: Order,
    invoice: Invoice,
    *,
    revoked_by: Iterable[ServiceStatus] = REVOKING_SERVICE_STATUSES,
) -> bool:
    """Return whether ``invoice`` of ``order`` grants access to its variants now.

    It does when it belongs to the order, its status is paid (or partially refunded) and
    the order's service status is not among ``revoked_by`` (churned or completed).
    """
    if not isinstance(order, Order):
        raise InvalidTypeError("order", order, "an Order")
    if not isinstance(invoice, Invoice):
        raise InvalidTypeError("invoice", invoice, "an Invoice")
    return (
        invoice.order_id == order.id
        and invoice.status in GRANTING_INVOICE_STATUSES
        and order.service_status not in _revoking(revoked_by)
    )


def _revoking(revoked_by: Iterable[ServiceStatus]) -> frozenset[ServiceStatus]:
    if revoked_by is REVOKING_SERVICE_STATUSES:
        return REVOKING_SERVICE_STATUSES
    return frozenset(
        to_status(ServiceStatus, status, f"revoked_by[{index}]")
        for index, status in enumerate(to_tuple(revoked_by, "revoked_by"))
    )


def access_by_contact(
    orders: Iterable[Order],
    invoices: Iterable[Invoice],
    *,
    revoked_by: Iterable[ServiceStatus] = REVOKING_SERVICE_STATUSES,
) -> dict[Hashable, frozenset[Hashable]]:
    """Return, for each contact with access to anything, the variant ids they may use.

    Invoices of orders not given are left out (nothing says whose they are); a variant
    granted by several invoices stays granted while any of them grants it.
    """
    revoking = _revoking(revoked_by)
    by_id: Mapping[Hashable, Order] = {
        order.id: order for order in to_instances(orders, Order, "orders")
    }
    granted: dict[Hashable, set[Hashable]] = {}
    for invoice in to_instances(invoices, Invoice, "invoices"):
        order = by_id.get(invoice.order_id)
        if order is None or not grants_access(order, invoice, revoked_by=revoking):
            continue
        variants = granted.setdefault(order.contact_id, set())
        variants.update(line.variant_id for line in invoice.line_items)
    return {contact: frozenset(variants) for contact, variants in granted.items() if variants}


def variants_with_access(
    contact_id: Hashable,
    orders: Iterable[Order],
    invoices: Iterable[Invoice],
    *,
    revoked_by: Iterable[ServiceStatus] = REVOKING_SERVICE_STATUSES,
) -> frozenset[Hashable]:
    """Return the variant ids ``contact_id`` has access to through ``orders``' invoices."""
    to_id(contact_id, "contact_id")
    mine = [
        order for order in to_instances(orders, Order, "orders") if order.contact_id == contact_id
    ]
    return access_by_contact(mine, invoices, revoked_by=revoked_by).get(contact_id, frozenset())
