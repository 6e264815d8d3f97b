"""Facility services: contracts, visit plans and visits, routing, partner scorecards.

Importing the package registers the contract router with maintenance (``hooks.set_router``):
a new work order nobody assigned goes to the partner whose active contract covers its site
and trade (``facilities.services.routing``).
"""

from facilities.maintenance import hooks
from facilities.services.routing import route

hooks.set_router(route)
