"""Import and export of accounts as JSON or CSV, through the resolvers (see the README's Import and export)."""
