"""Cross-domain reads: the audit trail browser (KPIs and reports arrive with later issues)."""
