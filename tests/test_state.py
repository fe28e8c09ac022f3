"""lrviz.state: the open configurations, their edits, imports and share links."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

import lrviz
from lrviz import ConfigError
from lrviz import state as ss
from lrviz.keras_json import default_config
from lrviz.limits import MAX_CONFIGS
from lrviz.share import decode_state, encode_state


def studio_with(*class_names: str) -> ss.Studio:
    studio = ss.Studio()
    for class_name in class_names:
        studio = ss.add(studio, class_name)
    return studio


def link_round_trip(studio: ss.Studio) -> tuple[ss.Studio, list]:
    params = encode_state(ss.to_shared(studio))
    return ss.from_link(params, decode_state(params, ss.VIEW_TYPES))


# --- first look ------------------------------------------------------------------------------


def test_starter_is_cosine_decay_with_warmup_to_1e_3_over_1000_steps_then_9000():
    studio = ss.starter_studio()
    (entry,) = studio.entries
    assert entry.class_name == "CosineDecay"
    assert entry.config["config"] == {
        "initial_learning_rate": 0.0,
        "decay_steps": 9000,
        "alpha": 0.1,
        "name": "warmup_cosine",
        "warmup_target": 1e-3,
        "warmup_steps": 1000,
    }
    assert studio.selected == entry.id


# --- add, duplicate, rename, hide, delete, select --------------------------------------------


@pytest.mark.parametrize("class_name", list(lrviz.SCHEDULES))
def test_add_opens_the_class_with_its_starting_values_and_selects_it(class_name):
    studio = ss.add(ss.starter_studio(), class_name)
    added = studio.entries[-1]
    assert added.class_name == class_name
    assert studio.selected == added.id
    expected = default_config(class_name)["config"]
    assert {k: v for k, v in added.config["config"].items() if k != "name"} == {
        k: v for k, v in expected.items() if k != "name"
    }


def test_add_gives_a_name_already_open_a_number():
    studio = studio_with("CosineDecay", "CosineDecay", "CosineDecay")
    assert [e.name for e in studio.entries] == [
        "warmup_cosine",
        "warmup_cosine_2",
        "warmup_cosine_3",
    ]


def test_duplicate_inserts_an_identical_copy_after_the_source_and_selects_it():
    studio = studio_with("CosineDecay", "ExponentialDecay")
    first = studio.entries[0]
    studio = ss.duplicate(studio, first.id)
    copy = studio.entries[1]
    assert copy.name == "warmup_cosine_2"
    assert {**copy.config["config"], "name": None} == {**first.config["config"], "name": None}
    assert studio.selected == copy.id
    assert copy.id not in (first.id, studio.entries[2].id)


def test_rename_changes_keras_name_argument():
    studio = ss.starter_studio()
    entry_id = studio.selected
    renamed = ss.rename(studio, entry_id, "<b>mine</b>")
    assert renamed.find(entry_id).config["config"]["name"] == "<b>mine</b>"


def test_rename_to_an_overlong_name_raises_and_leaves_the_studio_as_it_was():
    studio = ss.starter_studio()
    with pytest.raises(ConfigError, match="name"):
        ss.rename(studio, studio.selected, "x" * 201)
    assert studio.current.name == "warmup_cosine"


def test_hide_and_show_flip_only_the_visible_flag():
    studio = studio_with("CosineDecay", "ExponentialDecay")
    hidden = ss.set_visible(studio, studio.entries[0].id, False)
    assert [e.visible for e in hidden.entries] == [False, True]
    assert hidden.visible() == (hidden.entries[1],)
    assert ss.set_visible(hidden, studio.entries[0].id, True).entries == studio.entries


def test_delete_selected_moves_selection_to_the_next_configuration():
    studio = studio_with("CosineDecay", "ExponentialDecay", "PolynomialDecay")
    studio = ss.select(studio, studio.entries[1].id)
    after = ss.delete(studio, studio.entries[1].id)
    assert [e.class_name for e in after.entries] == ["CosineDecay", "PolynomialDecay"]
    assert after.selected == studio.entries[2].id


def test_delete_last_configuration_leaves_nothing_selected():
    studio = ss.starter_studio()
    after = ss.delete(studio, studio.selected)
    assert after.entries == ()
    assert after.current is None


def test_colours_stay_with_their_configuration_when_another_is_deleted():
    studio = studio_with("CosineDecay", "ExponentialDecay", "PolynomialDecay")
    colours = {e.id: e.colour for e in studio.entries}
    after = ss.delete(studio, studio.entries[0].id)
    assert {e.id: e.colour for e in after.entries} == {
        i: c for i, c in colours.items() if i != studio.entries[0].id
    }


def test_a_freed_colour_is_given_to_the_next_new_configuration():
    studio = studio_with("CosineDecay", "ExponentialDecay", "PolynomialDecay")
    studio = ss.delete(studio, studio.entries[1].id)
    studio = ss.add(studio, "InverseTimeDecay")
    assert sorted(e.colour for e in studio.entries) == [0, 1, 2]
    assert studio.entries[-1].colour == 1


def test_adding_beyond_the_limit_raises_too_many_configs():
    studio = ss.Studio()
    for _ in range(MAX_CONFIGS):
        studio = ss.add(studio, "ExponentialDecay")
    with pytest.raises(ss.TooManyConfigs):
        ss.add(studio, "ExponentialDecay")
    with pytest.raises(ss.TooManyConfigs):
        ss.duplicate(studio, studio.selected)


def test_every_open_configuration_has_a_distinct_colour_up_to_the_limit():
    studio = ss.Studio()
    for _ in range(MAX_CONFIGS):
        studio = ss.add(studio, "ExponentialDecay")
    assert len({e.colour for e in studio.entries}) == MAX_CONFIGS


# --- parameters ------------------------------------------------------------------------------


def test_set_params_changes_the_config_through_the_engines_validation():
    studio = ss.starter_studio()
    after = ss.set_params(studio, studio.selected, decay_steps=5000)
    assert after.current.config["config"]["decay_steps"] == 5000
    assert after.current.schedule() == studio.current.schedule().replace(decay_steps=5000)


def test_set_params_rejected_by_the_engine_raises_config_error_naming_the_field():
    studio = ss.starter_studio()
    with pytest.raises(ConfigError, match="decay_steps"):
        ss.set_params(studio, studio.selected, decay_steps=0)


def test_warmup_target_can_be_set_to_none():
    studio = ss.starter_studio()
    after = ss.set_params(studio, studio.selected, warmup_target=None)
    assert after.current.config["config"]["warmup_target"] is None


def test_revive_value_prefers_the_remembered_value_then_the_starter():
    spec = lrviz.SCHEDULES["CosineDecay"].param("warmup_target")
    assert ss.revive_value(spec, "CosineDecay", 0.05) == 0.05
    assert ss.revive_value(spec, "CosineDecay") == 1e-3


# --- tables ----------------------------------------------------------------------------------


PIECEWISE = ss.list_params("PiecewiseConstantDecay")


def test_list_arguments_of_piecewise_are_boundaries_and_values():
    assert [p.name for p in PIECEWISE] == ["boundaries", "values"]
    assert ss.list_params("CosineDecay") == ()


def test_table_rows_pad_the_shorter_list_with_empty_cells():
    rows = ss.table_rows({"boundaries": [10, 20], "values": [1.0, 0.5, 0.1]}, PIECEWISE)
    assert rows == [
        {"boundaries": 10, "values": 1.0},
        {"boundaries": 20, "values": 0.5},
        {"boundaries": None, "values": 0.1},
    ]


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.integers(0, 2**31 - 1), max_size=8, unique=True).map(sorted),
    hs.data(),
)
def test_lists_from_table_reads_back_what_table_rows_wrote(boundaries, data):
    values = data.draw(
        hs.lists(hs.floats(0, 10, allow_nan=False), min_size=len(boundaries) + 1, max_size=9).map(
            lambda v: v[: len(boundaries) + 1]
        )
    )
    config = {"boundaries": boundaries, "values": values}
    assert ss.lists_from_table(ss.table_rows(config, PIECEWISE), PIECEWISE) == config


def test_lists_from_table_turns_pandas_missing_cells_and_whole_floats_into_steps():
    rows = [
        {"boundaries": 100.0, "values": 0.1},
        {"boundaries": math.nan, "values": 0.01},
    ]
    lists = ss.lists_from_table(rows, PIECEWISE)
    assert lists == {"boundaries": [100], "values": [0.1, 0.01]}
    assert isinstance(lists["boundaries"][0], int)


def test_lists_from_table_rejects_a_gap_in_a_column_naming_the_row():
    rows = [
        {"boundaries": None, "values": 0.1},
        {"boundaries": 5, "values": 0.01},
    ]
    with pytest.raises(ConfigError, match=r"boundaries.*row 1"):
        ss.lists_from_table(rows, PIECEWISE)


def test_a_table_with_unsorted_boundaries_is_rejected_and_the_studio_kept():
    studio = ss.add(ss.Studio(), "PiecewiseConstantDecay")
    lists = ss.lists_from_table(
        [{"boundaries": 50, "values": 1.0}, {"boundaries": 10, "values": 0.5}, {"values": 0.1}],
        PIECEWISE,
    )
    with pytest.raises(ConfigError, match="strictly increasing"):
        ss.set_params(studio, studio.selected, **lists)


# --- import ----------------------------------------------------------------------------------


def test_import_of_one_config_appends_it_and_selects_it():
    text = json.dumps(default_config("ExponentialDecay"))
    studio = ss.import_text(ss.starter_studio(), text)
    assert [e.class_name for e in studio.entries] == ["CosineDecay", "ExponentialDecay"]
    assert studio.current.class_name == "ExponentialDecay"


def test_import_of_a_list_appends_all_in_order():
    configs = [default_config("PolynomialDecay"), default_config("InverseTimeDecay")]
    studio = ss.import_text(ss.starter_studio(), json.dumps(configs))
    assert [e.class_name for e in studio.entries][1:] == ["PolynomialDecay", "InverseTimeDecay"]
    assert studio.current.class_name == "PolynomialDecay"


def test_import_of_the_legacy_form_is_accepted():
    legacy = {
        "class_name": "ExponentialDecay",
        "config": default_config("ExponentialDecay")["config"],
    }
    studio = ss.import_text(ss.Studio(), json.dumps(legacy))
    assert studio.entries[0].config == default_config("ExponentialDecay")


def test_import_keeps_an_integer_learning_rate_as_keras_would_see_it():
    config = default_config("CosineDecay")
    config["config"]["initial_learning_rate"] = 0
    studio = ss.import_text(ss.Studio(), json.dumps(config))
    assert studio.current.schedule().uses_integer_dtype


def test_bad_import_raises_naming_the_field_and_item():
    configs = [default_config("ExponentialDecay"), default_config("CosineDecay")]
    configs[1]["config"]["decay_steps"] = -5
    with pytest.raises(ConfigError, match=r"Item 2 of 2.*decay_steps"):
        ss.import_text(ss.starter_studio(), json.dumps(configs))


def test_import_beyond_the_limit_raises_too_many_configs():
    configs = [default_config("ExponentialDecay")] * MAX_CONFIGS
    with pytest.raises(ss.TooManyConfigs):
        ss.import_text(ss.starter_studio(), json.dumps(configs))


# --- share links -----------------------------------------------------------------------------


def test_link_round_trip_restores_configs_visibility_selection_view_and_colours():
    studio = studio_with("CosineDecay", "CosineDecayRestarts", "PiecewiseConstantDecay")
    studio = ss.delete(studio, studio.entries[1].id)
    studio = ss.add(studio, "InverseTimeDecay")
    studio = ss.set_visible(studio, studio.entries[0].id, False)
    studio = ss.select(studio, studio.entries[1].id)
    studio = ss.set_view(
        studio,
        log_y=True,
        x_unit="epochs",
        steps_per_epoch=250,
        horizon=40_000,
        mode="diff",
        reference=2,
        at_step=77,
        lang="zh-TW",
        image_format="svg",
    )
    restored, messages = link_round_trip(studio)
    assert messages == []
    assert [e.config for e in restored.entries] == [e.config for e in studio.entries]
    assert [e.visible for e in restored.entries] == [e.visible for e in studio.entries]
    assert [e.colour for e in restored.entries] == [e.colour for e in studio.entries]
    assert restored.index(restored.selected) == studio.index(studio.selected)
    assert restored.view == studio.view


def test_default_view_options_are_left_out_of_the_link():
    params = encode_state(ss.to_shared(ss.starter_studio()))
    assert set(params) == {"v", "c"}


def test_link_without_configurations_opens_the_starter():
    studio, messages = ss.from_link({}, decode_state({}, ss.VIEW_TYPES))
    assert [e.class_name for e in studio.entries] == ["CosineDecay"]
    assert messages == []


def test_damaged_link_opens_nothing_with_a_notice():
    params = {"v": "1", "c": "eNq!!broken"}
    studio, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert studio.entries == ()
    assert [key for key, _ in messages] == ["share.bad_base64"]
    assert "damaged" in ss.message_text(messages[0], "en")


def test_link_with_an_invalid_config_opens_the_others_and_says_which_and_why():
    good = ss.starter_studio()
    bad_config = default_config("ExponentialDecay")
    bad_config["config"]["decay_rate"] = -1.0
    shared = ss.to_shared(good)
    from lrviz.share import Entry, SharedState

    state = SharedState((Entry(bad_config), *shared.entries), 1, {})
    params = encode_state(state)
    studio, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert [e.config for e in studio.entries] == [good.entries[0].config]
    assert studio.current is studio.entries[0]
    (message,) = messages
    text = ss.message_text(message, "en")
    assert "Configuration 1" in text and "decay_rate" in text
    # The reason is worded in the reader's language too, not frozen in English.
    chinese = ss.message_text(message, "zh-TW")
    assert "decay_rate" in chinese and chinese != text
    assert message[1]["error"].message("zh-TW") in chinese


def test_link_with_bad_view_values_uses_the_defaults_with_notices():
    params = {"v": "1", "mode": "sideways", "spe": "0", "x": "epochs"}
    studio, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert studio.view == ss.View(x_unit="epochs")
    assert sorted(m[1]["option"] for m in messages) == ["mode", "spe"]


def test_link_reference_past_the_open_configurations_falls_back_to_the_first():
    studio = ss.set_view(studio_with("CosineDecay", "ExponentialDecay"), reference=1)
    params = encode_state(ss.to_shared(studio))
    params["ref"] = "9"
    restored, _ = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert restored.view.reference == 0


def test_delete_before_the_reference_keeps_pointing_at_the_same_configuration():
    studio = ss.set_view(
        studio_with("CosineDecay", "ExponentialDecay", "PolynomialDecay"), reference=2
    )
    after = ss.delete(studio, studio.entries[0].id)
    assert after.reference.class_name == "PolynomialDecay"


def test_duplicate_before_the_reference_keeps_pointing_at_the_same_configuration():
    studio = ss.set_view(studio_with("CosineDecay", "ExponentialDecay"), reference=1)
    after = ss.duplicate(studio, studio.entries[0].id)
    assert after.reference.class_name == "ExponentialDecay"


# --- widgets' helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("class_name", "name"),
    [
        (c, p.name)
        for c, s in lrviz.SCHEDULES.items()
        for p in s.params
        if p.kind in ("float", "steps")
    ],
)
def test_slider_grid_is_sorted_and_within_the_specs_range(class_name, name):
    spec = lrviz.SCHEDULES[class_name].param(name)
    grid = ss.slider_grid(spec)
    assert list(grid) == sorted(set(grid))
    assert 10 <= len(grid) <= 120
    assert grid[-1] == pytest.approx(spec.slider_max)
    if spec.kind == "steps":
        assert all(isinstance(g, int) for g in grid)


def test_log_grid_of_a_learning_rate_includes_zero_and_round_values():
    grid = ss.slider_grid(lrviz.SCHEDULES["CosineDecay"].param("initial_learning_rate"))
    assert grid[0] == 0.0
    assert {1e-6, 1e-4, 3e-4, 1e-3, 5e-3, 1.0} <= set(grid)


@settings(max_examples=100, deadline=None)
@given(
    hs.floats(0, 1e6, allow_nan=False), hs.sampled_from(["alpha", "warmup_target", "decay_steps"])
)
def test_slider_grid_always_holds_the_exact_current_value(value, name):
    spec = lrviz.SCHEDULES["CosineDecay"].param(name)
    if spec.kind == "steps":
        value = int(value)
    assert value in ss.slider_grid(spec, value)


def test_plain_markdown_escapes_every_markdown_character():
    assert ss.plain_markdown("**a** <b>c</b> :red[x] $y$") == (
        r"\*\*a\*\* \<b\>c\<\/b\> \:red\[x\] \$y\$"
    )
    assert ss.plain_markdown("two\nlines") == "two lines"


def test_inline_markdown_leaves_plain_punctuation_alone_and_escapes_what_starts_markup():
    assert ss.inline_markdown("Warmup + cosine (v2), lr 0.1 - try #3!") == (
        "Warmup + cosine (v2), lr 0.1 - try #3!"
    )
    # GitHub autolinks are broken by a word joiner (U+2060) inside their trigger.
    assert ss.inline_markdown("**a** <b> :red[x] $y$ ~z~ `c` http://x www.y a@b") == (
        "\\*\\*a\\*\\* \\<b\\> \\:red\\[x\\] \\$y\\$ \\~z\\~ \\`c\\` "
        "http\u2060\\://x www\u2060.y a\\@\u2060b"
    )
    # An underscore between letters or digits starts no emphasis, so it stays as written.
    assert ss.inline_markdown("warmup_cosine_2 _x_") == "warmup_cosine_2 \\_x\\_"
