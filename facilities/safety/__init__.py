"""Safety: inspections that close the loop (templates, programmes, findings, re-checks),
incidents and near misses, the compliance register, training and the safety report.

Sub-packages, one per capability, each with the domain file set (``tables``, ``schemas``,
``queries``, ``actions``, ``controllers/``): ``inspections``, ``incidents``, ``compliance``,
``training``. One Piccolo app (``safety``) holds all their tables.
"""
