"""Domain-free tools. Nothing in kit imports a domain package."""
