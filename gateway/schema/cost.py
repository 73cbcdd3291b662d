"""The cost of a GraphQL operation, priced from its document before anything runs.

Every field costs 1. A list of objects multiplies the cost of its selection by
the number of items it can hold: the ``nodes`` and ``edges`` of a connection
by the connection's ``first`` (given, from a variable, or its default; at most
the largest page), another list by its known bound. Lists nest, so
``domains(first: 100) { nodes { users(first: 100) { nodes { email } } } }``
prices 10,000 addresses. Fragments count where they are spread, and each alias
counts on its own.

Introspection prices its lists by the schema's own sizes and has its own
budget: twice what the full introspection query (GraphiQL's) costs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_introspection_query,
    get_named_type,
    parse,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionContext

from gateway.errors import ErrorCode
from gateway.resolvers.dashboard import MAX_PAGE_SIZE

CODE = ErrorCode.QUERY_TOO_COSTLY
PAGE_ARGUMENT = "first"
# Lists of objects that are not connections, with the most items they hold.
LIST_BOUNDS = {"Query.globalThrottles": 2, "User.throttles": 2}
INTROSPECTION_MARGIN = 2
_META_FIELDS: dict[str, GraphQLField] = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True)
class Cost:
    """What an operation costs: its own fields, and the introspection it asks for."""

    fields: int = 0
    introspection: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.fields + other.fields, self.introspection + other.introspection)


class _Pricer:
    """Walks one operation, multiplying through nested lists; each fragment is priced once per page size."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, object],
        list_bounds: Mapping[str, int],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.list_bounds = list_bounds
        self.priced: dict[tuple[str, int | None], Cost] = {}
        self.open: set[str] = set()

    def selections(self, node: SelectionSetNode, parent: GraphQLNamedType | None, page: int | None) -> Cost:
        """The fields selected under ``parent``, fragments opened."""
        total = Cost()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page)
        return total

    def fragment(self, name: str, page: int | None) -> Cost:
        # a document spreading fragments into each other many times would take exponential time to walk
        known = self.priced.get((name, page))
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.open:
            return Cost()  # unknown or cyclic: refused by validation before pricing
        self.open.add(name)
        inner = self.schema.get_type(fragment.type_condition.name.value)
        cost = self.priced[(name, page)] = self.selections(fragment.selection_set, inner, page)
        self.open.discard(name)
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> Cost:
        name = node.name.value
        definition = self._definition(parent, name)
        total = 1
        inner = Cost()
        if definition is not None and node.selection_set is not None:
            child_page = self._page_size(node, definition) if PAGE_ARGUMENT in definition.args else None
            inner = self.selections(node.selection_set, get_named_type(definition.type), child_page)
            size = 1
            if _is_list(definition):
                assert parent is not None
                size = page if page is not None else self.list_bounds.get(f"{parent.name}.{name}", MAX_PAGE_SIZE)
            inner = Cost(size * inner.fields, size * inner.introspection)
        if name.startswith("__"):
            return Cost(introspection=total + inner.fields + inner.introspection)
        return Cost(total + inner.fields, inner.introspection)

    def _definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        meta = _META_FIELDS.get(name)
        if meta is not None:
            return meta
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            field: GraphQLField | None = parent.fields.get(name)
            return field
        return None

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        """The page asked for, between 0 and the largest page; the declared default when not given."""
        value: object = definition.args[PAGE_ARGUMENT].default_value
        for argument in node.arguments or ():
            if argument.name.value != PAGE_ARGUMENT:
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, value)
        if isinstance(value, bool) or not isinstance(value, int):
            return MAX_PAGE_SIZE
        return max(0, min(value, MAX_PAGE_SIZE))


def _is_list(definition: GraphQLField) -> bool:
    type_ = definition.type
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _members(type_: GraphQLNamedType) -> int:
    """Fields of an object, interface or input type; values of an enum."""
    if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
        return len(type_.fields)
    return len(type_.values) if isinstance(type_, GraphQLEnumType) else 0


def _introspection_bounds(schema: GraphQLSchema) -> dict[str, int]:
    """The most items each introspection list can hold in ``schema``."""
    objects = [t for t in schema.type_map.values() if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType))]
    fields = [field for t in objects for field in t.fields.values()]
    longest = max((_members(t) for t in schema.type_map.values()), default=0)
    return {
        "__Schema.types": len(schema.type_map),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": longest,
        "__Type.inputFields": longest,
        "__Type.enumValues": longest,
        "__Type.interfaces": max((len(t.interfaces) for t in objects), default=0),
        "__Type.possibleTypes": len(objects),
        "__Field.args": max((len(field.args) for field in fields), default=0),
        "__Directive.args": max((len(d.args) for d in schema.directives), default=0),
    }


def _default_variables(operation: OperationDefinitionNode) -> dict[str, object]:
    defaults: dict[str, object] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return defaults


class CostModel:
    """Prices operations against one schema."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.list_bounds = {**LIST_BOUNDS, **_introspection_bounds(schema)}

    @cached_property
    def introspection_budget(self) -> int:
        """What the full introspection query costs here, with room for clients that ask a little more."""
        query = get_introspection_query(
            descriptions=True,
            specified_by_url=True,
            directive_is_repeatable=True,
            schema_description=True,
            input_value_deprecation=True,
            experimental_directive_deprecation=True,
            one_of=True,
        )
        return INTROSPECTION_MARGIN * self.price(parse(query), None, {}).introspection

    def price(self, document: DocumentNode, operation_name: str | None, variables: Mapping[str, object]) -> Cost:
        """The cost of the operation of ``document`` that would run (the dearest one if that is ambiguous)."""
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [op for op in operations if op.name is not None and op.name.value == operation_name]
        costs = [self._operation(op, fragments, variables) for op in operations]
        return max(costs, key=lambda cost: (cost.fields, cost.introspection), default=Cost())

    def _operation(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, object],
    ) -> Cost:
        pricer = _Pricer(self.schema, fragments, {**_default_variables(operation), **variables}, self.list_bounds)
        return pricer.selections(operation.selection_set, self.schema.get_root_type(operation.operation), None)


def too_costly(cost: int, limit: int, what: str = "query") -> GraphQLError:
    return GraphQLError(
        f"The {what} costs {cost}, over the limit of {limit}; ask for smaller pages or fewer fields.",
        extensions={"code": CODE, "cost": cost, "maxCost": limit},
    )


class CostLimiter(SchemaExtension):
    """Refuses, before execution, an operation that costs more than ``max_cost``."""

    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context: ExecutionContext = self.execution_context
        refusal = self._refusal(context)
        if refusal is not None:  # a result in place skips execution
            context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    def _refusal(self, context: ExecutionContext) -> GraphQLError | None:
        assert context.graphql_document is not None
        model = _model(context.schema._schema)
        try:
            cost = model.price(context.graphql_document, context.operation_name, context.variables or {})
        except RecursionError:
            return GraphQLError("The query nests too deeply to be priced.", extensions={"code": CODE})
        if cost.fields > self.max_cost:
            return too_costly(cost.fields, self.max_cost)
        if cost.introspection > model.introspection_budget:
            return too_costly(cost.introspection, model.introspection_budget, "introspection")
        return None


@cache
def _model(schema: GraphQLSchema) -> CostModel:
    """One model per schema, built on first use."""
    return CostModel(schema)
