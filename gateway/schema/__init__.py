"""The GraphQL face: strawberry types over the same resolvers as REST."""
