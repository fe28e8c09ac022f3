"""Numbers and words in LaTeX, as the formula panel shows them.

A number is shown exactly as typed or computed: ints grouped (10{,}000), floats in the fewest
digits that read back to the same value in their own dtype, so a float32 intermediate reads
0.5868241, not 0.58682408928871155.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def group(n: int) -> str:
    """Thousands separators that LaTeX does not space out: 10{,}000."""
    return f"{n:,}".replace(",", "{,}")


def _sci(text: str) -> str:
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def num(value: Any) -> str:
    """A number exactly as typed or computed: ints grouped, floats in the fewest digits that
    read back to the same value in their own dtype (a float32 intermediate shows as 0.5868241,
    not 0.58682408928871155; a Python float as its repr), positional unless tiny or huge.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return group(int(value))
    number = float(value)
    if math.isnan(number):
        return r"\mathrm{NaN}"
    if math.isinf(number):
        return r"\infty" if number > 0 else r"-\infty"
    if number.is_integer() and abs(number) < 1e15:
        return group(int(number))
    exact = value if isinstance(value, np.floating) else np.float64(number)
    if abs(number) < 1e-5 or abs(number) >= 1e15:
        return _sci(np.format_float_scientific(exact, unique=True, trim="-"))
    return np.format_float_positional(exact, unique=True, trim="-")


def derived(value: float) -> str:
    """A float64 quantity derived by a formula, without float64 noise in the last digits."""
    return num(float(f"{value:.12g}"))


def words(text: str) -> str:
    """Words for \\text{...}: LaTeX's special characters escaped."""
    for char in "\\{}":
        text = text.replace(char, " ")
    for char in "_%#&$":
        text = text.replace(char, "\\" + char)
    return rf"\text{{{text}}}"


def paren(text: str) -> str:
    return rf"\left({text}\right)"


def paren_neg(text: str) -> str:
    """`text` in parentheses when it is negative (an operand after an operator)."""
    return paren(text) if text.startswith("-") else text


def computed(x: np.ndarray | np.generic | float) -> str:
    """One computed number (the first of an array) in its own dtype's shortest exact form."""
    return num(np.asarray(x).flat[0])


def operand(x: np.ndarray | np.generic | float) -> str:
    """`computed` for an operand after an operator: negatives in parentheses."""
    return paren_neg(computed(x))
