"""Every language has every text: the locale files, the keys the code uses, and what they keep."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from lrviz import i18n
from lrviz.engine import SCHEDULES, param_help, spec_summary
from lrviz.errors import localised
from lrviz.i18n import LANGUAGES, catalog, t
from lrviz.share import MESSAGES, LinkTooLong, Notice
from lrviz.translate import NOTE_TEMPLATES, render_note

ROOT = Path(__file__).parent.parent
LOCALES = ROOT / "lrviz" / "locales"
ENGLISH = i18n.DEFAULT_LANGUAGE
OTHERS = [lang for lang in LANGUAGES if lang != ENGLISH]

# `{name}`, `{count:,}`, `{value!r}`; JSON such as `{"class_name": ...}` is not a placeholder.
PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)(![rsa])?(:[^{}]*)?\}")
CODE_SPAN = re.compile(r"`[^`]*`")
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
MARKDOWN_TOKENS = ("`", "**", "\n")
COLOUR_DIRECTIVE = re.compile(r":[a-z]+\[")

# Texts that read the same in every language: a language name, a code token, a JSON example.
SAME_IN_EVERY_LANGUAGE = {"import.placeholder", "phase.nan"}

# Functions and classes whose first argument is a locale key.
KEY_TAKERS = {"t", "tr", "say", "note", "render_note", "Notice", "_Unreadable", "LinkTooLong"}
CODE_FILES = [ROOT / "app.py", *sorted((ROOT / "lrviz").rglob("*.py"))]


def placeholders(template: str) -> list[tuple[str, str]]:
    return sorted((m[1], m[3] or "") for m in PLACEHOLDER.finditer(template))


def is_only_code(template: str) -> bool:
    """Nothing to translate: only placeholders, code spans, numbers and punctuation."""
    rest = CODE_SPAN.sub("", PLACEHOLDER.sub("", template))
    return not re.search(r"[^\W\d_]", rest)


def test_every_language_is_one_file_in_the_locales_folder():
    files = sorted(path.name for path in LOCALES.glob("*.json"))
    assert files == sorted(f"{lang}.json" for lang in LANGUAGES)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_exactly_the_english_keys(lang):
    english = json.loads((LOCALES / f"{ENGLISH}.json").read_text("utf-8")).keys()
    theirs = json.loads((LOCALES / f"{lang}.json").read_text("utf-8")).keys()
    assert sorted(english - theirs) == [], f"{lang}.json lacks these"
    assert sorted(theirs - english) == [], f"{lang}.json has keys English lacks"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_locale_files_are_flat_maps_of_text(lang):
    data = json.loads((LOCALES / f"{lang}.json").read_text("utf-8"))
    assert data and all(isinstance(v, str) and v.strip() for v in data.values())


@pytest.mark.parametrize("lang", OTHERS)
def test_every_key_keeps_the_placeholders_and_their_formats(lang):
    english, other = catalog(ENGLISH), catalog(lang)
    shared = english.keys() & other.keys()  # missing keys fail the test above
    wrong = [k for k in shared if placeholders(other[k]) != placeholders(english[k])]
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_formats_with_its_placeholders(lang):
    for key, template in catalog(lang).items():
        names = {m[1] for m in PLACEHOLDER.finditer(template)}
        if names:
            assert t(key, lang, **dict.fromkeys(names, 1234)), key


@pytest.mark.parametrize("lang", OTHERS)
def test_every_text_is_translated(lang):
    english, other = catalog(ENGLISH), catalog(lang)
    untranslated = [
        key
        for key, text in english.items()
        if other.get(key) == text and key not in SAME_IN_EVERY_LANGUAGE and not is_only_code(text)
    ]
    assert untranslated == []


def test_the_allow_list_of_untranslated_texts_is_current():
    english = catalog(ENGLISH)
    for lang in OTHERS:
        assert all(catalog(lang)[key] == english[key] for key in SAME_IN_EVERY_LANGUAGE), lang


@pytest.mark.parametrize("lang", OTHERS)
def test_markdown_emoji_and_colours_are_kept(lang):
    english, other = catalog(ENGLISH), catalog(lang)
    for key in english.keys() & other.keys():
        text = english[key]
        for token in MARKDOWN_TOKENS:
            assert other[key].count(token) == text.count(token), (key, token)
        assert EMOJI.findall(other[key]) == EMOJI.findall(text), key
        assert COLOUR_DIRECTIVE.findall(other[key]) == COLOUR_DIRECTIVE.findall(text), key


def _keys_in_code() -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """(literal keys, f-string prefixes) passed to a key taker or written as a `(key, params)`
    message, with the file and line of each."""
    literals, prefixes = [], []

    def add(node: ast.expr, where: tuple[str, int]) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literals.append((*where, node.value))
        elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
            prefixes.append((*where, str(node.values[0].value)))

    for path in CODE_FILES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            where = (path.name, getattr(node, "lineno", 0))
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in KEY_TAKERS:
                    add(node.args[0], where)
            elif (
                isinstance(node, ast.Tuple)
                and len(node.elts) == 2
                and isinstance(node.elts[1], ast.Dict)
            ):
                add(node.elts[0], where)
    return literals, prefixes


def test_the_code_finds_keys_to_check():
    literals, prefixes = _keys_in_code()
    assert len(literals) > 100
    assert any(prefix == "view.mode." for *_, prefix in prefixes)


def test_every_key_the_code_uses_exists_in_english():
    english = catalog(ENGLISH)
    literals, _ = _keys_in_code()
    missing = [(file, line, key) for file, line, key in literals if key not in english]
    assert missing == []


def test_every_f_string_key_prefix_names_some_english_keys():
    english = catalog(ENGLISH)
    _, prefixes = _keys_in_code()
    unknown = [p for p in prefixes if not any(key.startswith(p[2]) for key in english)]
    assert unknown == []


def test_every_schedule_summary_and_parameter_help_comes_from_the_locales():
    for class_name, spec in SCHEDULES.items():
        assert spec.summary == spec_summary(class_name) == t(f"spec.{class_name}.summary")
        for param in spec.params:
            assert param.help == param_help(class_name, param.name)


def test_no_specs_key_is_left_without_its_schedule_or_parameter():
    names = {f"spec.{c}.summary" for c in SCHEDULES} | {
        f"param.{c}.{p.name}.help" for c, spec in SCHEDULES.items() for p in spec.params
    }
    every = json.loads((LOCALES / "en.json").read_text("utf-8")).keys()
    keys = {
        k
        for k in every
        if k.startswith("spec.") or (k.startswith("param.") and k.endswith(".help"))
    }
    assert keys == names


def test_parameter_help_keeps_what_keras_docs_get_wrong_in_chinese():
    chinese = param_help("CosineDecay", "warmup_target", "zh-TW")
    assert "+ initial_learning_rate" in chinese
    assert "預熱" in chinese
    assert spec_summary("CosineDecay", "zh-TW") != spec_summary("CosineDecay")


def test_share_notices_render_in_every_language():
    notice = Notice("share.view_too_long", {"key": "mode", "length": 1234, "limit": 40})
    assert notice.message == MESSAGES[notice.id].format(**localised(notice.params, "en"))
    assert notice.text("en") == notice.message
    assert "1,234" in notice.text("zh-TW")
    assert notice.text("zh-TW") != notice.message


def test_a_too_long_link_says_so_in_every_language():
    err = LinkTooLong("share.link_too_long", 123_456, 100_000)
    assert "123,456" in str(err)
    assert "123,456" in err.text("zh-TW")
    assert err.text("zh-TW") != str(err)


def test_translation_notes_render_in_every_language():
    key = "translate.identical_through"
    assert render_note(key, {"last": 99}) == NOTE_TEMPLATES[key].format(last=99)
    assert render_note(key, {"last": 99}, "zh-TW") == t(key, "zh-TW", last=99)
    assert "99" in render_note(key, {"last": 99}, "zh-TW")


def test_a_template_may_have_a_key_placeholder():
    assert "mode" in t("share.view_bad_value", "zh-TW", key="mode", expected="x", value="y")
