"""Pages of inbound integrations: none yet (endpoints are managed through the API)."""
