"""SQL storage: iRedMail's ``vmail`` and iRedAPD's ``iredapd`` databases."""
