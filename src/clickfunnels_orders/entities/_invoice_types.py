"""Invoice types: reading the open ``invoice_type`` string, and which type fits which order.

The API's rule (``Orders::Invoice.invoice_type``): a one-time order's invoices are
``one_time_sale``; a subscription order's are any of the others. What an invoice built
for an order copies of its lines depends on the type (see :func:`billed_lines`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from clickfunnels_orders.errors import InvalidValueError
from clickfunnels_orders.statuses import InvoiceType, OrderType

__all__ = ["billed_lines", "invoice_type", "kind_for"]

_KNOWN: Final = {member.value: member for member in InvoiceType}


def invoice_type(value: InvoiceType | str | None) -> InvoiceType | str | None:
    """Convert ``invoice_type``: a known value to its member, another string kept as it came.

    Raises:
        InvalidValueError: for anything but ``None``, an ``InvoiceType`` or a ``str``.
    """
    if value is None or type(value) is InvoiceType:
        return value
    if isinstance(value, str):
        return _KNOWN.get(value, value)
    raise InvalidValueError("invoice_type", value, "an InvoiceType, a str or None")


def _every(_line: Any) -> bool:
    return True


def _recurring(line: Any) -> bool:
    return bool(line.is_recurring)


def _one_time(line: Any) -> bool:
    return not line.is_recurring


_T = InvoiceType
#: Which order lines an invoice of each type bills: a renewal the recurring ones, a
#: one-time charge or sale the others, every other type all of them.
_SELECTORS: Final[dict[InvoiceType, Callable[[Any], bool]]] = {
    _T.INITIAL: _every,
    _T.RENEWAL: _recurring,
    _T.INTERIM: _every,
    _T.CANCELLATION: _every,
    _T.ONE_TIME: _one_time,
    _T.REFUND: _every,
    _T.CHARGE: _one_time,
    _T.ONE_TIME_SALE: _one_time,
}
_ALLOWED: Final = {
    OrderType.ONE_TIME: (_T.ONE_TIME_SALE,),
    OrderType.SUBSCRIPTION: tuple(t for t in InvoiceType if t is not _T.ONE_TIME_SALE),
}


def kind_for(order_type: OrderType, kind: InvoiceType | str | None) -> InvoiceType:
    """Return the invoice type to bill an order of ``order_type`` with, checking the rule.

    ``None`` means the usual first invoice: ``one_time_sale`` for a one-time order,
    ``initial`` for a subscription order.

    Raises:
        InvalidValueError: for an unknown type, or one the order's type does not use.
    """
    allowed = _ALLOWED[order_type]
    if kind is None:
        return allowed[0]
    known = invoice_type(kind)
    if not isinstance(known, InvoiceType):
        names = ", ".join(t.value for t in InvoiceType)
        raise InvalidValueError("invoice_type", kind, f"one of {names}")
    if known not in allowed:
        names = ", ".join(t.value for t in allowed)
        raise InvalidValueError("invoice_type", kind, f"a type a {order_type.value} uses: {names}")
    return known


def billed_lines(kind: InvoiceType, lines: tuple[Any, ...]) -> list[Any]:
    """Return the order lines an invoice of type ``kind`` bills."""
    select = _SELECTORS[kind]
    return [line for line in lines if select(line)]
