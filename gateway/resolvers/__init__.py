"""The resolver layer: every rule of the gateway, shared by REST and GraphQL.

Resolvers are ``async`` functions taking a keyword-only ``ctx``. They
validate, check the actor's rights, apply iRedMail's rules and call a
backend. Nothing here knows about HTTP or GraphQL.
"""
