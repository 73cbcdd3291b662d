"""The GraphQL schema as SDL text; ``python -m gateway.schema.sdl > schema.graphql`` regenerates the committed copy."""

from __future__ import annotations

from gateway.schema.app import build_schema
from gateway.settings import Settings


def sdl() -> str:
    """The schema, printed with default settings (environment and ``.env`` ignored), ending in a newline."""
    return build_schema(Settings.model_construct()).as_str().rstrip("\n") + "\n"


def main() -> None:
    print(sdl(), end="")


if __name__ == "__main__":
    main()
