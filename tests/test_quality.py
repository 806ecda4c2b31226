"""The evidence rules: a quote states its figure's value in some usual written form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.quality import numbers_in, states_value


def test_usual_written_forms():
    assert states_value("up to approximately $5.5 billion of charges", 5.5e9)
    assert states_value("a $4.5 billion charge", 4.5e9)
    assert states_value("$5,500,000,000", 5.5e9)
    assert states_value("15% of revenue", 15)
    assert states_value("over 1.5 million developers", 1.5e6)
    assert states_value("more than 3,000 startups", 3000)
    assert states_value("lost $589 billion in market value", -589e9)
    assert states_value("2.788M H800 GPU hours", 2.788e6)
    assert states_value("$5.576M", 5.576e6)
    assert states_value("$16bn of orders", 16e9)
    assert states_value("orders for over two million H200 chips", 2e6)
    assert states_value("China (including Hong Kong)7,111 3,886", 7111e6, locator="table ($ in millions)")


def test_wrong_values_are_not_accepted():
    assert not states_value("$5.5 billion", 4.5e9)
    assert not states_value("15%", 25)
    assert not states_value("7,111", 7111e6)  # a table figure needs its locator to say 'in millions'


@given(st.integers(min_value=1, max_value=10**12))
def test_integers_with_thousands_separators(n):
    assert states_value(f"{n:,}", n) and states_value(str(n), n)


@given(st.integers(min_value=1, max_value=999), st.sampled_from([("million", 1e6), ("billion", 1e9)]))
def test_scaled_amounts(n, scale):
    word, factor = scale
    assert n * factor in numbers_in(f"${n} {word}")
