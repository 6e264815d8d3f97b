"""Work orders: manual or from an accepted problem report, the role-guarded lifecycle
(``facilities.maintenance.lifecycle``), comments, photos, time, costs and the printable sheet.

Partners see only the work orders assigned to their organisation; staff see the work orders
of their visible sites. Anything outside the caller's scope answers 404.
"""
