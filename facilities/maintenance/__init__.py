"""Problem reports, work orders, checklists and preventive maintenance.

Partners see sites only through their work: register how to find those sites with the
sites domain's scope (a hook, so ``sites`` never imports upwards).
"""

from facilities.maintenance.workorders.queries import partner_site_ids
from facilities.sites.scope import register_partner_sites

register_partner_sites(partner_site_ids)

# The asset page lists an asset's reports and work (assets never import upwards either).
from facilities.assets.activity import register_activity  # noqa: E402
from facilities.maintenance.activity import report_activity  # noqa: E402

register_activity("problem_reports", report_activity)
