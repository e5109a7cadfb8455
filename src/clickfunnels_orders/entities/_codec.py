"""The one seam between the entities and the payload layer.

The contract puts ``from_api`` / ``to_api`` on the entities, but reading and writing the
API's JSON is the edge's job (:mod:`clickfunnels_orders.payloads`), and the
core imports nothing from the edge. So the core declares what it needs, a :class:`Codec`,
and the payload package installs one when it is imported, which importing
``clickfunnels_orders`` always does. Entities reach it only through :class:`ApiObject`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self, TypeVar

from clickfunnels_orders.errors import OrdersError

__all__ = ["ApiObject", "Codec", "install", "installed_codec"]

T = TypeVar("T")


class Codec(Protocol):
    """What the payload layer offers the entities."""

    def from_api(self, cls: type[T], payload: Mapping[str, Any]) -> T:
        """Read ``payload`` into an entity of ``cls``."""
        ...  # pragma: no cover  # a protocol

    def to_api(self, entity: object) -> dict[str, Any]:
        """Write ``entity`` as the API would send it."""
        ...  # pragma: no cover  # a protocol

    def to_create_request(self, entity: object, options: Mapping[str, Any]) -> dict[str, Any]:
        """Write the create request for ``entity`` (a fulfillment)."""
        ...  # pragma: no cover  # a protocol


class _Missing:
    """Stands in until the payload package installs its codec."""

    def _refuse(self) -> OrdersError:
        return OrdersError(
            "no payload codec is installed: import clickfunnels_orders (or its payloads"
            " module) to read and write API objects"
        )

    def from_api(self, _cls: type[T], _payload: Mapping[str, Any]) -> T:
        raise self._refuse()

    def to_api(self, _entity: object) -> dict[str, Any]:
        raise self._refuse()

    def to_create_request(self, _entity: object, _options: Mapping[str, Any]) -> dict[str, Any]:
        raise self._refuse()


_installed: list[Codec] = [_Missing()]


def install(codec: Codec) -> None:
    """Install the payload layer's codec (the payload package calls this once)."""
    _installed[0] = codec


def installed_codec() -> Codec:
    """Return the payload layer's codec (or a stand-in that says how to install it)."""
    return _installed[0]


class ApiObject:
    """Mixin: an entity the API sends and receives as a JSON object."""

    __slots__ = ()

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> Self:
        """Read the object as the ClickFunnels API returns it; unused fields go to ``extra``.

        Raises:
            PayloadError: for a malformed payload, naming the offending field's path.
        """
        return _installed[0].from_api(cls, payload)

    def to_api(self) -> dict[str, Any]:
        """Write the object as the ClickFunnels API would send it, ``extra`` included."""
        return _installed[0].to_api(self)
