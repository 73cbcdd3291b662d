"""Field factories for the object types, which wrap a model value in ``model``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation


def model_field(
    attr: str,
    graphql_type: object,
    *,
    convert: Callable[[Any], object] | None = None,
    description: str | None = None,
    deprecation_reason: str | None = None,
) -> Any:
    """A field that answers the wrapped model's ``attr``, passed through ``convert`` if given.

    The type is given here rather than as a class annotation, so the field keeps its place among
    the resolver methods of the class (strawberry puts annotated fields first).
    """

    def resolve(root: Any) -> object:
        value = getattr(root.model, attr)
        return value if convert is None else convert(value)

    return strawberry.field(
        resolver=resolve, graphql_type=graphql_type, description=description, deprecation_reason=deprecation_reason
    )


def resolver_field(
    resolve: Callable[..., object],
    returns: str,
    namespace: dict[str, Any],
    *,
    drop: tuple[str, ...] = (),
    require: tuple[str, ...] = (),
    description: str | None = None,
) -> Any:
    """A field of ``resolve`` answering ``returns``, a type named in ``namespace`` (it may be defined later).

    One resolver can serve fields with different arguments: those named in ``drop`` are left out
    (they keep their default), those in ``require`` lose their default. Both must be keyword-only.
    """
    signature = inspect.signature(resolve)
    kept = [
        parameter.replace(default=inspect.Parameter.empty) if parameter.name in require else parameter
        for parameter in signature.parameters.values()
        if parameter.name not in drop
    ]
    resolve.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    annotation = StrawberryAnnotation(returns, namespace=namespace)
    return strawberry.field(resolver=resolve, graphql_type=annotation, description=description)
