"""iredmail-gateway: administer an iRedMail server through its own storage."""

__version__ = "0.1.0"
