"""``--json`` writes its indented text with ``formats.json.indented``, a faster walk that
must give exactly the standard library's ``json.dumps(value, ensure_ascii=False,
indent=2)``, whatever the value (values it does not handle go to ``json.dumps`` whole)."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.formats import Output
from inventory.formats.json import dump_list, indented

leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False)
    | st.sampled_from(["", "é", '"quoted"', "back\\slash", "tab\tnew\nline", "\u2028", "🙂"])
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(values)
def test_the_text_is_the_standard_library_s(value: Any) -> None:
    assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2)


class Colour(StrEnum):
    RED = "red"


def test_values_it_does_not_walk_are_written_as_the_standard_library_writes_them() -> None:
    # A tuple, an enum value and a number key are the standard library's to write.
    value = {"a": (1, 2), "b": [Colour.RED], 3: {"c": 1.5}}
    assert indented(value) == (
        '{\n  "a": [\n    1,\n    2\n  ],\n  "b": [\n    "red"\n  ],\n'
        '  "3": {\n    "c": 1.5\n  }\n}'
    )


def test_empty_containers_are_written_closed() -> None:
    assert indented({"a": [], "b": {}, "c": [None, True, False]}) == (
        '{\n  "a": [],\n  "b": {},\n  "c": [\n    null,\n    true,\n    false\n  ]\n}'
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(values | st.tuples(st.integers(), st.floats(allow_nan=False)), max_size=5))
def test_a_list_written_an_item_at_a_time_is_the_standard_library_s(items: list[Any]) -> None:
    out = io.StringIO()
    dump_list(iter(items), Output(out))
    assert out.getvalue() == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
