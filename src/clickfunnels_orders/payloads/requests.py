"""Create-fulfillment requests: the body a client posts, and what the API makes of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Final

import attrs

from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
)
from clickfunnels_orders.payloads._converter import Id, structure
from clickfunnels_orders.payloads._reading import construct

#: Keys of a create-fulfillment request besides its lines, in the API's order.
CREATE_FULFILLMENT_OPTIONS: Final = (
    "contact_id",
    "tracking_url",
    "shipping_provider",
    "tracking_code",
    "location_id",
    "ignore_out_of_stock",
    "notify_customer",
)


# -- create-fulfillment requests ----------------------------------------------------------


def fulfillment_create_request(lines: Iterable[FulfillmentLine], **options: Any) -> dict[str, Any]:
    """Build the body of a create-fulfillment request (``POST .../fulfillments``).

    Args:
        lines: what to ship; each becomes an ``{invoices_line_item_id, quantity}`` entry of
            ``included_orders_invoices_line_items_attributes``.
        options: the request's other keys (``contact_id``, ``tracking_url``,
            ``shipping_provider``, ``tracking_code``, ``location_id``,
            ``ignore_out_of_stock``, ``notify_customer``, or any other the API accepts);
            ``None`` values are left out.

    Returns:
        ``{"fulfillment": {...}}``, ready to be encoded as JSON.
    """
    body: dict[str, Any] = {key: value for key, value in options.items() if value is not None}
    body["included_orders_invoices_line_items_attributes"] = [
        {"invoices_line_item_id": line.invoice_line_item_id, "quantity": line.quantity}
        for line in lines
    ]
    return {"fulfillment": body}


def fulfillment_to_create_request(fulfillment: Fulfillment, **options: Any) -> dict[str, Any]:
    """Build the create request for ``fulfillment``'s lines.

    The request keys the fulfillment carries in ``extra`` (contact, tracking, location, as
    read from the API) are included; ``options`` add to or override them.
    """
    carried = {
        key: fulfillment.extra[key]
        for key in CREATE_FULFILLMENT_OPTIONS
        if key in fulfillment.extra
    }
    return fulfillment_create_request(fulfillment.lines, **{**carried, **options})


@attrs.frozen(kw_only=True)
class _CreateLineWire:
    invoices_line_item_id: Id
    quantity: int


@attrs.frozen(kw_only=True)
class _CreateBodyWire:
    included_orders_invoices_line_items_attributes: list[_CreateLineWire]


@attrs.frozen(kw_only=True)
class _CreateRequestWire:
    fulfillment: _CreateBodyWire


_LINE_RENAMES: Final = {"invoice_line_item_id": "invoices_line_item_id"}


def fulfillment_from_create_request(
    body: Mapping[str, Any],
    *,
    id: Hashable,  # noqa: A002  because it is the API's own field name
    created_at: dt.datetime | None = None,
) -> Fulfillment:
    """Read a create-fulfillment request into the fulfillment the API would create.

    What a test double of ClickFunnels needs: the new fulfillment is ``fulfilled``, has
    the requested lines, and carries the request's other keys in ``extra``.

    Raises:
        PayloadError: for a malformed request.
    """
    wire = structure(body, _CreateRequestWire)
    lines_path = "fulfillment.included_orders_invoices_line_items_attributes"
    lines = tuple(
        construct(
            FulfillmentLine,
            {"invoice_line_item_id": line.invoices_line_item_id, "quantity": line.quantity},
            _LINE_RENAMES,
            f"{lines_path}[{index}]",
        )
        for index, line in enumerate(
            wire.fulfillment.included_orders_invoices_line_items_attributes
        )
    )
    carried = {
        key: value
        for key, value in body["fulfillment"].items()
        if key != "included_orders_invoices_line_items_attributes"
    }
    # ``id`` and ``created_at`` are the caller's arguments, not the body's: their errors
    # are the entity's own.
    return Fulfillment(id=id, lines=lines, created_at=created_at, extra=carried)
