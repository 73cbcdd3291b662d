"""Counting GraphQL operations by name for ``/metrics``."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension


class OperationMetrics(SchemaExtension):
    """Counts each operation, by its name and type, once it has answered."""

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        request = getattr(execution.context, "request", None)
        metrics = getattr(getattr(request, "app", None), "state", None)
        metrics = getattr(metrics, "metrics", None)
        if metrics is None:
            return
        try:
            kind = execution.operation_type.value
        except Exception:  # no document, or no operation in it could be chosen
            kind = "invalid"
        failed = bool(execution.pre_execution_errors) or bool(execution.result and execution.result.errors)
        metrics.observe_operation(execution.operation_name, kind, failed)
