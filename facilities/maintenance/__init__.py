"""Problem reports, work orders, checklists and preventive maintenance.

Partners see sites only through their work, and an asset's page lists its reports and work
orders: ``facilities.wiring.install`` registers maintenance's providers for both with the
lower domains (hooks, so ``sites`` and ``assets`` never import upwards).
"""
