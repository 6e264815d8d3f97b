"""Budgets and actuals: budgets per site or region, year and cost category (``actions``),
actuals derived from what the product knows plus manual expense lines (``actuals``), and
the quarterly budget report (``report``)."""
