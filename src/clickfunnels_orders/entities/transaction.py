"""Transactions (``Orders::Transaction``): payment events of an order, and their refunds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from decimal import Decimal
from typing import Any, ClassVar, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import FrozenJson
from clickfunnels_orders.display import entity_html
from clickfunnels_orders.entities import _fields
from clickfunnels_orders.entities._codec import ApiObject
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle
from clickfunnels_orders.entities.invoice import to_money_arg
from clickfunnels_orders.errors import AmountError, InvalidTransitionError
from clickfunnels_orders.statuses import TransactionStatus

__all__ = ["REFUND_TYPES", "Transaction"]

#: The ``external_type`` of a transaction that gives money back.
REFUND_TYPES: frozenset[str] = frozenset({"refund"})
_APPROVED = "approved"


def _an_optional_id(_instance: object, attribute: Any, value: object) -> None:
    if value is not None:
        _fields.an_id(_instance, attribute, value)


def _a_text(instance: object, attribute: Any, value: str) -> None:
    # Typed ``str`` (not ``object``) so the attrs plugin keeps the field a ``str``.
    _fields.a_text(instance, attribute, value)


@attrs.frozen(slots=False)
class Transaction(Lifecycle, ApiObject):
    """A payment event on an order: a sale, a capture, a refund, ...

    It names its order, not an invoice. ``status`` is a :class:`TransactionStatus` where
    the API's value is known and the string as it came otherwise; ``external_type``
    (``sale``, ``capture``, ``refund``, ...) and ``result`` (``approved``, ...) are open
    strings. A refund is what the API makes of it: the charge moves to
    partially-refunded or refunded (:meth:`refund`, :meth:`refund_partially`), and a
    refund transaction names the charge in ``adjusted_transaction_id``
    (:meth:`refund_of`).

    Attributes:
        id: the transaction's id.
        order_id: the id of its order.
        status: a :class:`TransactionStatus`, or the string the API sent.
        external_type: ``sale``, ``capture``, ``refund``, ... (an open string).
        result: ``approved``, ... (an open string).
        amount: the amount moved, a non-negative ``Decimal``.
        currency: the ISO currency code, upper-cased.
        reason: why (a refund's reason), when the API says.
        adjusted_transaction_id: for a refund, the charge it refunds.
        created_at: when it happened.
        history: one :class:`Change` per event, oldest first.
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    machine: ClassVar = machines.TRANSACTION.machine
    lifecycle: ClassVar = machines.TRANSACTION
    _status_field: ClassVar = "status"

    id: Hashable = attrs.field(validator=_fields.an_id)
    order_id: Hashable = attrs.field(validator=_fields.an_id)
    status: TransactionStatus | str = attrs.field(converter=_fields.transaction_status)
    external_type: str = attrs.field(validator=_a_text)
    result: str = attrs.field(validator=_a_text)
    amount: Decimal = attrs.field(converter=_fields.amount)
    currency: str = attrs.field(converter=_fields.currency)
    reason: str | None = attrs.field(default=None, validator=_fields.an_optional_text)
    adjusted_transaction_id: Hashable | None = attrs.field(default=None, validator=_an_optional_id)
    created_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
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

    @property
    def status_is_unknown(self) -> bool:
        """Whether ``status`` is a string the API sent that names no :class:`TransactionStatus`."""
        return not isinstance(self.status, TransactionStatus)

    @property
    def approved(self) -> bool:
        """Whether the processor approved it (``result == "approved"``)."""
        return self.result == _APPROVED

    @property
    def is_refund(self) -> bool:
        """Whether it gives money back (``external_type`` is ``refund``)."""
        return self.external_type in REFUND_TYPES

    @property
    def refundable(self) -> bool:
        """Whether it can be refunded: an approved sale or capture, completed or partially refunded.

        The rule is the transaction machine's ``is_refundable`` guard on its ``refund``
        event, read here, not restated.
        """
        return self.may("refund")

    def refund(self, *, at: dt.datetime) -> Self:
        """Record that the charge has been refunded in full. Final."""
        return self._fire("refund", at)

    def refund_partially(self, *, at: dt.datetime) -> Self:
        """Record that part of the charge has been refunded; more may follow."""
        return self._fire("refund_partially", at)

    @classmethod
    def refund_of(
        cls,
        charge: Transaction,
        *,
        id: Hashable,  # noqa: A002  because it is the API's own field name
        amount: Decimal | str | int | None = None,
        at: dt.datetime,
        reason: str | None = None,
    ) -> tuple[Transaction, Self]:
        """Refund ``charge``: return the charge in its new state and the refund transaction.

        Args:
            charge: a refundable transaction (:attr:`refundable`).
            id: the refund transaction's id.
            amount: what is given back; ``None`` (or the charge's whole amount) refunds
                it in full, less refunds it partially.
            at: when; the refund's ``created_at`` and the charge's change.
            reason: why, as the API's ``reason``.

        Raises:
            InvalidTransitionError: when ``charge`` cannot be refunded.
            AmountError: for a non-positive amount or more than the charge's amount.
        """
        if not charge.refundable:
            raise InvalidTransitionError(
                "refund",
                charge.status,
                charge.allowed_events,
                entity=charge._describe(),
                detail=f"only an approved sale or capture is refundable; this is a "
                f"{charge.result} {charge.external_type}",
            )
        refunding = charge.amount if amount is None else to_money_arg(amount, "refund")
        if refunding > charge.amount:
            raise AmountError("refund", refunding, f"at most the charge's {charge.amount}")
        moved = (
            charge.refund(at=at) if refunding == charge.amount else charge.refund_partially(at=at)
        )
        refund = cls(
            id=id,
            order_id=charge.order_id,
            status=TransactionStatus.COMPLETED,
            external_type="refund",
            result=_APPROVED,
            amount=refunding,
            currency=charge.currency,
            reason=reason,
            adjusted_transaction_id=charge.id,
            created_at=at,
        )
        return moved, refund

    def _repr_html_(self) -> str:
        return entity_html(self)
