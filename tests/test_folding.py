"""``folding.fold`` takes a shortcut for ASCII text (most titles and places): the same key
as the full fold, which casefolds, decomposes, strips accents and straightens quotes."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.folding import _ACCENTS, _QUOTES, _UNDECOMPOSED, fold


def full_fold(text: str) -> str:
    bare = _ACCENTS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(bare.translate(_UNDECOMPOSED).translate(_QUOTES).split())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text())
def test_the_shortcut_gives_the_full_fold(text: str) -> None:
    assert fold(text) == full_fold(text)


def test_ascii_text_is_lowered_with_its_spaces_collapsed() -> None:
    assert fold("  Workshop\tin ACCRA \n on 'Cyber'  ") == "workshop in accra on 'cyber'"
    assert fold("Łódź “Meeting”") == 'lodz "meeting"'
