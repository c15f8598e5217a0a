"""What ``clashes`` computes on a faster path gives exactly what the plain one gives: the
wording similarity summed in C, and the JSON of its pairs written without the standard
library's indenting encoder."""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

from bench.generate import write as generate
from hypothesis import given
from hypothesis import strategies as st

from inventory.clashes import _Corpus, find_pairs, wording_similarity
from inventory.formats.json import indented, indented_in
from inventory.store import open_store
from tests.helpers import BUNDLED_STORE

_WORDS = st.frozensets(st.sampled_from(["train", "judge", "cyber", "crime", "law", "new1", "x"]))


@given(
    a=_WORDS,
    b=_WORDS,
    counts=st.dictionaries(st.sampled_from(["train", "judge", "cyber", "law"]), st.integers(1, 99)),
    size=st.integers(1, 500),
)
def test_the_corpus_similarity_is_the_weighted_jaccard_to_the_last_bit(
    a: frozenset[str], b: frozenset[str], counts: dict[str, int], size: int
) -> None:
    corpus = _Corpus(size=size)
    corpus.df.update(counts)
    corpus.done()
    expected = wording_similarity(a, b, corpus.weight)
    assert corpus.similarity(a, b) == expected
    if a == b and a:  # summed in another order, the two sums may differ in the last bit
        assert math.isclose(expected, 1.0)
    if not a & b:
        assert expected == 0.0


def test_a_word_no_activity_has_weighs_as_the_rarest_can() -> None:
    corpus = _Corpus(size=9)
    corpus.df.update({"judge": 9})
    corpus.done()
    # log((9 + 1) / (9 + 1)) + 1 = 1 for a word all have; log(10) + 1 for one none has.
    assert corpus.weight("judge") == 1.0
    assert corpus.similarity(frozenset({"judge", "rare"}), frozenset({"rare"})) == (
        (math.log(10) + 1) / (math.log(10) + 2)
    )


class _Text(str):
    """A str subclass: written as a string, as json.dumps does."""


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.text(max_size=4).map(_Text)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        | st.dictionaries(st.integers(0, 9), inner, max_size=2)
    ),
    max_leaves=20,
)


@given(value=_VALUES)
def test_the_indented_json_is_the_standard_librarys_byte_for_byte(value: object) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    assert indented(value) == expected
    assert indented_in(value, "\n    ") == expected.replace("\n", "\n    ")


def test_the_indented_json_of_nested_strings_and_empties_is_as_written_by_hand() -> None:
    value = {"a": ["x", "é"], "b": [], "c": {}, "d": [{"e": None}]}
    assert indented(value) == (
        '{\n  "a": [\n    "x",\n    "é"\n  ],\n  "b": [],\n  "c": {},\n'
        '  "d": [\n    {\n      "e": null\n    }\n  ]\n}'
    )


def _pairs_json(pairs: list[object]) -> str:
    from inventory.formats import Format, Output, Pairs, write

    out = io.StringIO()
    write(Pairs(pairs, "t"), Format.JSON, Output(out))
    return out.getvalue()


def _store_pairs(path: Path) -> list[object]:
    with open_store(str(path)) as store:
        activities = store.select().activities
    return list(find_pairs(activities, min_score=0))


def test_the_json_of_the_pairs_is_the_standard_librarys_on_the_bundled_and_generated_stores(
    tmp_path: Path,
) -> None:
    shutil.copy(BUNDLED_STORE, tmp_path / "bundled.csv")
    sources = [tmp_path / "bundled.csv"]
    for seed in (3, 5):
        generate(tmp_path / f"g{seed}.csv", 700, seed=seed)
        sources.append(tmp_path / f"g{seed}.csv")
    for source in sources:
        pairs = _store_pairs(source)
        assert len(pairs) > 50, source
        expected = json.dumps([p.to_json() for p in pairs], ensure_ascii=False, indent=2)
        assert _pairs_json(pairs) == expected + "\n", source
        assert (
            _pairs_json(pairs[:1])
            == json.dumps([pairs[0].to_json()], ensure_ascii=False, indent=2) + "\n"
        )
    assert _pairs_json([]) == "[]\n"
