"""The evidence rules: a quote states its figure's value in some usual written form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chipcontrols.quality import more_precise, numbers_in, scale_slip, states_rounded, states_value


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


def test_a_number_with_a_scale_word_is_only_its_scaled_value():
    assert not states_value("$5.5 billion", 5.5)
    assert scale_slip("$5.5 billion", 5.5) == ("5.5 billion", 5.5e9)
    assert not states_value("$7.1bn", 7.1) and states_value("$7.1bn", 7.1e9)
    assert states_value("a $400m deal", 400e6) and states_value("12k units", 12000) and states_value("$1.2 trillion", 1.2e12)
    assert states_value("营收467.43亿美元", 46743000000) and not states_value("营收467.43亿美元", 467.43)
    assert states_value("3万张", 30000) and states_value("1.2万亿元", 1.2e12)
    assert states_value("15% of revenue", 15) and states_value("15 percent", 15) and not states_value("15%", 0.15)
    assert not states_value("Data Center $51,215", 51215, locator="($ in millions)")
    assert states_value("Data Center $51,215", 51215e6, locator="($ in millions)")
    assert scale_slip("Data Center $51,215", 51215, locator="($ in millions)") == ("51,215", 51215e6)


def test_rounded_quotes_and_rounded_values():
    assert states_rounded("a record $51.2 billion", 51215e6) and not states_value("a record $51.2 billion", 51215e6)
    assert not states_rounded("$51.3 billion", 51215e6)
    assert more_precise("Data Center revenue ($51,215 million).", 51.2e9) == 51215e6
    assert more_precise("under $6 million; the report says $5.576 million", 6e6) is None  # a different claim, not a rounding


SCALE_WORDS = [("thousand", 1e3), ("k", 1e3), ("million", 1e6), ("m", 1e6), ("mn", 1e6), ("billion", 1e9), ("bn", 1e9),
               ("trillion", 1e12), ("万", 1e4), ("亿", 1e8)]


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9), st.sampled_from(SCALE_WORDS), st.booleans())
def test_the_bare_number_of_a_scaled_amount_is_an_error_whose_fix_is_the_scaled_value(whole, tenth, scale, spaced):
    word, factor = scale
    bare = whole + tenth / 10
    quote = f"${whole}.{tenth}{' ' if spaced and word.isascii() else ''}{word} of charges"
    assert not states_value(quote, bare)
    written, scaled = scale_slip(quote, bare)
    assert abs(scaled - bare * factor) <= 1e-9 * scaled and states_value(quote, scaled)


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from([("thousands", 1e3), ("millions", 1e6), ("billions", 1e9)]))
def test_a_table_locator_scales_every_plain_number(n, scale):
    word, factor = scale
    locator = f"segment table ($ in {word})"
    assert states_value(f"Revenue ${n:,}", n * factor, locator) and not states_value(f"Revenue ${n:,}", n, locator)
    assert states_value(f"Revenue ${n:,} up 15%", 15, locator)  # a percentage in the table is not scaled


@given(st.integers(min_value=10**6, max_value=10**8))
def test_a_value_rounded_from_an_exact_table_number_is_caught(exact_millions):
    exact = exact_millions * 1e3
    rounded = float(f"{exact:.3g}")
    if rounded != exact and abs(rounded - exact) < 0.005 * exact:
        assert more_precise(f"(${exact_millions * 1000:,.0f})", rounded) == exact
