"""The two editions a notebook is made for."""

from __future__ import annotations

from typing import Literal

Edition = Literal["student", "instructor"]
EDITIONS: tuple[Edition, ...] = ("student", "instructor")
