"""The iRedAdmin-Pro RESTful API: thin routes from form parameters to resolvers."""
