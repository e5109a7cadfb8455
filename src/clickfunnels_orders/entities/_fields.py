"""Converters and validators of the entity fields, each naming its field.

Converters convert: each is a named function (``attrs`` runs it in ``__init__``; mypy's
attrs plugin reads its parameter type for the constructor's signature), so typed code may
pass what the contract accepts: ``str`` and ``int`` money, the API's status strings,
lists for collections. Validators validate: they run the rules of
:mod:`clickfunnels_orders._values` on fields stored as given. Both name their field when
they refuse a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from clickfunnels_orders import machines
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import (
    MAX_INT,
    MAX_QUANTITY,
    FrozenJson,
    to_bool,
    to_currency,
    to_id,
    to_mapping,
    to_money,
    to_optional_moment,
    to_optional_text,
    to_quantity,
    to_status,
    to_text,
)
from clickfunnels_orders.entities._lifecycle import Change, check_history, moves_of
from clickfunnels_orders.errors import InvalidTypeError
from clickfunnels_orders.statuses import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    RestockStatus,
    ServiceStatus,
    TransactionStatus,
)

Money = Decimal | str | int

#: The ``extra`` of an entity built by hand: nothing carried.
NO_EXTRA: Final = FrozenJson({})

# -- validators ---------------------------------------------------------------------------
# Each runs the rule of clickfunnels_orders._values; the common, plainly valid case is
# recognised inline first (a check strictly narrower than the rule), because these run
# on every field of every entity built.


def a_spelling(_instance: object, attribute: Any, value: object) -> None:
    """Validate a spelling: ``None`` or what the payload layer keeps (a ``Spelling``)."""
    if value is not None and type(value) is not Spelling:
        raise InvalidTypeError(attribute.name, value, "None or a Spelling (from the payload layer)")


def an_id(_instance: object, attribute: Any, value: object) -> None:
    """Validate an id: hashable, not ``None`` and, for an int, of 64 bits."""
    if type(value) is not str and (type(value) is not int or not -MAX_INT <= value <= MAX_INT):
        to_id(value, attribute.name)


def a_quantity(_instance: object, attribute: Any, value: int) -> None:
    """Validate a quantity: a positive int."""
    if type(value) is not int or not 1 <= value <= MAX_QUANTITY:
        to_quantity(value, attribute.name)


def a_bool(_instance: object, attribute: Any, value: object) -> None:
    """Validate a flag: a bool."""
    if value is not True and value is not False:
        to_bool(value, attribute.name)


def a_text(_instance: object, attribute: Any, value: object) -> None:
    """Validate a str."""
    if type(value) is not str:
        to_text(value, attribute.name)


def an_optional_text(_instance: object, attribute: Any, value: object) -> None:
    """Validate ``None`` or a str."""
    if value is not None and type(value) is not str:
        to_optional_text(value, attribute.name)


def an_optional_moment(_instance: object, attribute: Any, value: object) -> None:
    """Validate ``None`` or an aware datetime."""
    if value is not None:
        to_optional_moment(value, attribute.name)


# -- converters ---------------------------------------------------------------------------


def amount(value: Money) -> Decimal:
    """Convert a line's ``amount``."""
    return to_money(value, "amount")


def total_amount(value: Money) -> Decimal:
    """Convert an invoice's ``total_amount``."""
    return to_money(value, "total_amount")


def amount_paid(value: Money) -> Decimal:
    """Convert ``amount_paid``."""
    return to_money(value, "amount_paid")


def amount_refunded(value: Money) -> Decimal:
    """Convert ``amount_refunded``."""
    return to_money(value, "amount_refunded")


def currency(value: str) -> str:
    """Convert a ``currency`` code (upper-cased: the API sends ``usd`` too)."""
    return to_currency(value, "currency")


def invoice_status(value: InvoiceStatus | str) -> InvoiceStatus:
    """Convert an invoice's ``status``."""
    return to_status(InvoiceStatus, value, "status")


def fulfillment_status(value: FulfillmentStatus | str) -> FulfillmentStatus:
    """Convert a fulfillment's ``status``."""
    return to_status(FulfillmentStatus, value, "status")


def restock_status(value: RestockStatus | str) -> RestockStatus:
    """Convert a restock's ``status``."""
    return to_status(RestockStatus, value, "status")


_TRANSACTION_STATUSES: Final = {member.value: member for member in TransactionStatus}


def transaction_status(value: TransactionStatus | str) -> TransactionStatus | str:
    """Convert a transaction's ``status``: a known value to its member, another kept as is.

    The API's set of transaction statuses is open, so a string it adds later is not
    refused; such a transaction simply has no events.
    """
    if type(value) is TransactionStatus:
        return value
    return _TRANSACTION_STATUSES.get(to_text(value, "status"), value)


def line_item_status(value: LineItemFulfillmentStatus | str) -> LineItemFulfillmentStatus:
    """Convert an invoice line item's ``fulfillment_status``."""
    return to_status(LineItemFulfillmentStatus, value, "fulfillment_status")


def payment_processor(value: PaymentProcessor | str) -> PaymentProcessor:
    """Convert ``payment_processor``."""
    return to_status(PaymentProcessor, value, "payment_processor")


def service_status(value: ServiceStatus | str) -> ServiceStatus:
    """Convert an order's ``service_status``."""
    return to_status(ServiceStatus, value, "service_status")


def billing_status(value: BillingStatus | str) -> BillingStatus:
    """Convert an order's ``billing_status``."""
    return to_status(BillingStatus, value, "billing_status")


def order_type(value: OrderType | str) -> OrderType:
    """Convert an order's ``order_type``."""
    return to_status(OrderType, value, "order_type")


def history(value: Iterable[Change]) -> tuple[Change, ...]:
    """Convert ``history``: Change records, oldest first."""
    if type(value) is tuple and not value:
        return value
    return check_history(value, "history")


def line_item_history(value: Iterable[Change]) -> tuple[Change, ...]:
    """Convert an invoice line item's ``history``: moves of the line-item machine.

    Checked here, not after construction: the rollup moves a line's status without a
    record, so its history need not end in its status, and only the moves need checking.
    """
    if type(value) is tuple and not value:
        return value
    return moves_of(check_history(value, "history"), machines.INVOICE_LINE_ITEM)


def extra(value: Mapping[str, Any]) -> FrozenJson:
    """Convert ``extra``: carried payload fields, frozen and detached from their source."""
    if type(value) is FrozenJson:  # the default, and every entity read from a payload
        return value
    return to_mapping(value, "extra")
