"""Facility services: contracts, visit plans and visits, routing, partner scorecards.

``facilities.wiring.install`` sets the contract router with maintenance
(``hooks.set_router``): a new work order nobody assigned goes to the partner whose active
contract covers its site and trade (``facilities.services.routing``).
"""
