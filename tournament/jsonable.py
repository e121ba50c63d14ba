"""Plain JSON values from what the framework holds (numpy scalars and arrays, pandas tables,
classes), with the one NaN policy of every file we write: a missing or non-finite number is
``null`` (JSON has no NaN), never the non-standard ``NaN`` token."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON values: dict keys as text, tuples and arrays as lists, numpy
    scalars as Python numbers, NaN and ±inf as None, a DataFrame as its list of records, a class
    as ``"module:QualName"``."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    pd = sys.modules.get("pandas")  # a DataFrame exists only if pandas was imported
    if pd is not None and isinstance(obj, pd.DataFrame):
        return jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, type):
        return f"{obj.__module__}:{obj.__qualname__}"
    return obj
