"""Facilities: facility and asset maintenance for operators of many small sites."""

import os

# Piccolo finds its engine and app registry through this module path.
os.environ.setdefault("PICCOLO_CONF", "facilities.piccolo_conf")

__version__ = "0.1.0"
