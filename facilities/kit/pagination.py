"""Query parameters shared by list endpoints."""

from typing import Annotated

from litestar.params import Parameter

Limit = Annotated[int, Parameter(ge=1, le=200, description="Page size (1–200)")]
Offset = Annotated[int, Parameter(ge=0, description="Rows to skip")]
