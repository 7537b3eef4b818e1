"""tasks.search: the one rule by which text is searched and names are matched, pinned."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from tasks.search import directive_text, fold, like_pattern, matching, task_text, words

# Each Vietnamese vowel as a base letter and the marks that make it (breve, circumflex, horn).
VOWELS = {"a": "a", "ă": "a\u0306", "â": "a\u0302", "e": "e", "ê": "e\u0302", "i": "i", "o": "o", "ô": "o\u0302",
          "ơ": "o\u031b", "u": "u", "ư": "u\u031b", "y": "y"}
# The six tones: ngang (none), huyền, sắc, hỏi, ngã, nặng.
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


@pytest.mark.parametrize("vowel", VOWELS)
def test_every_vowel_with_every_tone_folds_to_its_base_letter_precomposed_decomposed_and_in_upper_case(vowel):
    base = VOWELS[vowel][0]
    for tone in TONES:
        decomposed = VOWELS[vowel] + tone
        composed = unicodedata.normalize("NFC", decomposed)
        assert len(composed) == 1, f"{composed!a} is one precomposed letter"
        for form in (composed, decomposed, composed.upper(), unicodedata.normalize("NFD", composed.upper())):
            assert fold(form) == base, form


def test_d_with_stroke_is_d_in_either_case_and_either_look_alike():
    assert fold("đ") == fold("Đ") == fold("d") == fold("D") == "d"
    # Ð (U+00D0) and ð, which text converted from old Vietnamese encodings holds for Đ and đ.
    assert fold("\u00d0iện \u00f0iện") == "dien dien"
    assert fold("Điện lực ĐÀ NẴNG") == "dien luc da nang"


def test_words_fold_alike_whatever_the_normalisation_and_case():
    for text in ("Tết Nguyên đán", unicodedata.normalize("NFD", "Tết Nguyên đán"), "TẾT NGUYÊN ĐÁN", "tet nguyen dan",
                 "Te\u0302\u0301t Nguye\u0302n \u0111a\u0301n"):
        assert fold(text) == "tet nguyen dan", text
    assert fold("Phòng Quản lý năng lượng") == fold(unicodedata.normalize("NFD", "PHÒNG QUẢN LÝ NĂNG LƯỢNG")) == "phong quan ly nang luong"


def test_whitespace_is_collapsed_and_trimmed_and_compatibility_forms_are_plain():
    assert fold("  An\u00a0toàn\t\tthực\nphẩm  ") == "an toan thuc pham"
    assert fold("ＵＢＮＤ tỉnh") == "ubnd tinh"  # full-width letters
    assert fold("ﬁle") == "file"


def test_none_is_empty_and_other_values_fold_as_their_text():
    assert fold(None) == "" and fold("") == "" and fold(0) == "0" and fold(1234) == "1234"


def test_a_query_is_its_folded_words_each_once_without_those_inside_another():
    assert words("An toàn  THỰC phẩm") == ["toan", "thuc", "pham"]  # "an" is inside "toan"
    assert words("Tết tết TẾT") == ["tet"]
    assert words("  ") == [] and words(None) == []
    assert words("(Tết), 1234/UBND-KT.") == ["tet", "1234/ubnd-kt"]
    assert words("100% điện_") == ["100%", "dien_"]


def test_a_pattern_matches_percent_underscore_and_backslash_only_as_themselves():
    assert like_pattern("100%") == "%100\\%%"
    assert like_pattern("a_b") == "%a\\_b%"
    assert like_pattern("a\\b") == "%a\\\\b%"
    clauses, args = matching("task.search", "tết 1234")
    assert clauses == ["task.search LIKE {} ESCAPE '\\'"] * 2 and args == ["%tet%", "%1234%"]
    assert matching("task.search", " ") == ([], [])


def test_the_search_texts_hold_the_directive_in_the_task():
    d = directive_text("1234/UBND-KT", "UBND tỉnh", "Về việc bảo đảm cung ứng điện")
    assert d == "1234/ubnd-kt ubnd tinh ve viec bao dam cung ung dien"
    assert task_text("Kiểm tra an toàn thực phẩm", "", d) == "kiem tra an toan thuc pham " + d
    assert task_text("Rà soát", "Số liệu  quý IV", "") == "ra soat so lieu quy iv"


def reference_fold(text: str) -> str:
    """The rule applied to the whole text at once, as it reads: fold works character by character."""
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    s = "".join(c for c in s if not unicodedata.category(c).startswith("M")).replace("đ", "d").replace("ð", "d")
    return " ".join(s.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
       | st.text(alphabet="aăâeêioôơuưyđĐ AĂÂEÊIOÔƠUƯY\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\t\n\u00a0ẞİ", max_size=40))
def test_folding_character_by_character_is_folding_the_whole_text(text):
    assert fold(text) == reference_fold(text)
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text)) == fold(text)
