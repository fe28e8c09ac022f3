"""The formula panel's core: phases match the curve, formulas match the engine, worked values end
at the chart's exact number, and both languages say all of it."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import json
import re
import string
from pathlib import Path

import numpy as np
import pytest
from config_factory import CLASSES, random_config, steps_to_check
from hypothesis import given, settings
from hypothesis import strategies as st

import lrviz
from lrviz import engine
from lrviz import teaching as formulas
from lrviz.engine import spec as schedules
from lrviz.i18n import LANGUAGES, t
from lrviz.teaching.numbers import computed

LOCALES = Path(lrviz.__file__).parent / "locales"
SEEDS = st.integers(0, 2**32 - 1)
CLASS_INDEX = st.integers(0, len(CLASSES) - 1)


def _schedule(class_name, **config):
    return lrviz.from_keras({"class_name": class_name, "config": config})


def _random(class_name, seed):
    return lrviz.from_keras(random_config(class_name, np.random.default_rng(seed)))


def _bits(value):
    return np.asarray(value, dtype=np.float32).view(np.uint32)


def _with_integer_rate(config, rng):
    """The same config with an integer learning rate, which makes Keras compute in int32."""
    inner = config["config"]
    if config["class_name"] == "PiecewiseConstantDecay":
        # Keras needs every value of the same type.
        inner["values"] = [int(rng.integers(0, 4)) for _ in inner["values"]]
    else:
        inner["initial_learning_rate"] = int(rng.integers(0, 4))
    return config


def _steps(schedule, rng):
    """Breakpoint neighbours, random steps, steps around 2^24, and every phase's first step."""
    picked = rng.choice(steps_to_check(schedule, rng, extra=4), 10)
    starts = [p.start for p in formulas.phases(schedule, 3 * schedule.settles_at())[:20]]
    return np.unique(np.concatenate([picked, starts])).astype(np.int64)


def _scale(schedule):
    cfg = schedule.config
    rates = [
        cfg.get(k) or 0.0 for k in ("initial_learning_rate", "warmup_target", "end_learning_rate")
    ]
    return max(abs(float(v)) for v in [*rates, *cfg.get("values", [])])


# ---------------------------------------------------------------------------------------------
# Worked values
# ---------------------------------------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_worked_value_is_bit_equal_to_the_engine(class_index, seed):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], rng))
    for step in _steps(schedule, rng):
        worked = formulas.worked_value(schedule, int(step))
        assert _bits(worked.value) == _bits(schedule(step)), (schedule, int(step))


@settings(max_examples=120, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_worked_value_is_bit_equal_to_the_engine_for_integer_learning_rates(class_index, seed):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(_with_integer_rate(random_config(CLASSES[class_index], rng), rng))
    assert schedule.uses_integer_dtype
    for step in _steps(schedule, rng):
        worked = formulas.worked_value(schedule, int(step))
        assert _bits(worked.value) == _bits(schedule(step)), (schedule, int(step))


def test_worked_value_of_the_default_cosine_at_5000_shows_each_float32_operation():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    worked = formulas.worked_value(schedule, 5000)
    assert worked.phase.key == "phase.decay"
    assert worked.lines == (
        r"s = \min\left(\text{step},\ D + W\right) = \min\left(5{,}000,\ 10{,}000\right) = 5{,}000",
        r"5{,}000 \ge 1{,}000 \Rightarrow \text{decay}",
        r"\begin{aligned} f &= \frac{s - W}{D} \\ &= \frac{5{,}000 - 1{,}000}{9{,}000}"
        r" = \frac{4{,}000}{9{,}000} = 0.44444445 \end{aligned}",
        r"\pi f = 3.1415927 \cdot 0.44444445 = 1.3962635",
        r"\cos\left(\pi f\right) = 0.1736481",
        r"c = \tfrac{1}{2}\left(1 + \cos\left(\pi f\right)\right) = 0.5 \cdot 1.1736481"
        r" = 0.58682406",
        r"1 - \alpha = 1 - 0.1 = 0.9",
        r"\begin{aligned} d &= \left(1 - \alpha\right)\,c + \alpha \\ &= 0.9 \cdot 0.58682406"
        r" + 0.1 = 0.5281416 + 0.1 = 0.62814164 \end{aligned}",
        r"\eta = \eta_T\,d = 0.001 \cdot 0.62814164 = 0.0006281417",
    )
    assert worked.value == schedule(5000)


def test_a_long_worked_line_puts_its_numbers_on_a_second_row_so_the_result_stays_in_view():
    schedule = lrviz.from_keras(lrviz.default_config("PolynomialDecay"))
    worked = formulas.worked_value(schedule, 1500)
    formula_row, numbers_row = worked.lines[-1].split(r" \\ ")
    assert formula_row == (
        r"\begin{aligned} \eta &= \left(\eta_0 - \eta_e\right)\left(1 - f\right)^{p} + \eta_e"
    )
    assert numbers_row.startswith("&= 0.0009900001")
    assert numbers_row.endswith(rf"= {computed(worked.value)} \end{{aligned}}")


def test_worked_value_says_when_a_step_beyond_2_24_is_rounded():
    schedule = _schedule(
        "ExponentialDecay", initial_learning_rate=0.1, decay_steps=10**8, decay_rate=0.5
    )
    (note,) = formulas.worked_value(schedule, 2**24 + 1).notes
    assert "16,777,217" in note and "s = 16,777,216" in note


def test_worked_value_says_warmup_steps_are_ignored_without_a_target():
    schedule = _schedule(
        "CosineDecay", initial_learning_rate=0.1, decay_steps=1000, warmup_steps=500
    )
    (note,) = formulas.worked_value(schedule, 200).notes
    assert "500" in note and "None" in note


def test_worked_value_in_the_nan_phase_explains_the_nan():
    schedule = _schedule(
        "CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=1000, t_mul=0.5
    )
    worked = formulas.worked_value(schedule, 2500)
    assert np.isnan(worked.value) and worked.phase.key == "phase.nan"
    assert any("2,000" in note and "NaN" in note for note in worked.notes)


def test_worked_value_of_an_integer_config_shows_the_truncation():
    schedule = _schedule(
        "CosineDecay", initial_learning_rate=1, decay_steps=1000, warmup_target=0.5, warmup_steps=10
    )
    worked = formulas.worked_value(schedule, 3)
    assert r"\eta_T = \mathrm{int32}\left(0.5\right) = 0" in worked.lines
    assert any("int32" in note for note in worked.notes)


def test_worked_value_words_follow_the_language():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    worked = formulas.worked_value(schedule, 500, "zh-TW")
    assert r"\text{預熱}" in "".join(worked.lines) and r"\text{步數}" in worked.lines[0]


# ---------------------------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS, fraction=st.floats(0.0, 3.0))
def test_phases_tile_zero_to_stop_without_gaps_or_overlaps(class_index, seed, fraction):
    schedule = _random(CLASSES[class_index], seed)
    stop = max(1, int(fraction * schedule.settles_at()))
    found = formulas.phases(schedule, stop)
    assert found[0].start == 0
    for before, after in itertools.pairwise(found):
        assert before.end == after.start
    assert all(p.end is None or p.end > p.start for p in found)
    assert all(p.start < stop for p in found)
    assert found[-1].end is None or found[-1].end >= stop


@settings(max_examples=150, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_phase_at_returns_the_listed_phase_that_contains_the_step(class_index, seed):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], rng))
    for step in _steps(schedule, rng):
        phase = formulas.phase_at(schedule, int(step))
        assert phase.contains(int(step))
        assert phase in formulas.phases(schedule, int(step) + 1)


@settings(max_examples=100, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_phases_to_a_nearer_stop_are_a_prefix_of_those_to_a_farther_one(class_index, seed):
    schedule = _random(CLASSES[class_index], seed)
    near = formulas.phases(schedule, schedule.settles_at())
    far = formulas.phases(schedule, 3 * schedule.settles_at())
    assert far[: len(near)] == near


@pytest.mark.parametrize("warmup_steps", [1, 7, 1000, 123_457, 2**24])
def test_warmup_phase_ends_exactly_at_warmup_steps(warmup_steps):
    schedule = _schedule(
        "CosineDecay",
        initial_learning_rate=0.0,
        decay_steps=5000,
        warmup_target=0.1,
        warmup_steps=warmup_steps,
    )
    warmup = formulas.phase_at(schedule, 0)
    assert (warmup.key, warmup.start, warmup.end) == ("phase.warmup", 0, warmup_steps)
    assert formulas.phase_at(schedule, warmup_steps).key == "phase.decay"


def test_warmup_phase_above_2_24_ends_where_keras_float32_step_reaches_warmup_steps():
    # float32(2^24 + 1) == 2^24, so Keras is already decaying at step 2^24.
    schedule = _schedule(
        "CosineDecay",
        initial_learning_rate=0.0,
        decay_steps=5000,
        warmup_target=0.1,
        warmup_steps=2**24 + 1,
    )
    assert formulas.phase_at(schedule, 0).end == 2**24
    assert schedule(2**24) == np.float32(0.1)  # the decay's first value: the peak


def test_ignored_warmup_has_no_warmup_phase():
    schedule = _schedule(
        "CosineDecay", initial_learning_rate=0.1, decay_steps=1000, warmup_steps=500
    )
    found = formulas.phases(schedule, 5000)
    assert [(p.key, p.start, p.end) for p in found] == [
        ("phase.decay", 0, 1000),
        ("phase.floor", 1000, None),
    ]


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(1, 20_000),
    t_mul=st.floats(0.05, 0.99),
    # m_mul > 1 overflows m_mul^i to inf after enough periods, and inf * 0 is a lone NaN before
    # the horizon: another story (growing restarts), not the t_mul < 1 NaN phase.
    m_mul=st.floats(0.0, 1.0),
)
def test_nan_phase_starts_where_the_engine_first_returns_nan(first, t_mul, m_mul):
    schedule = _schedule(
        "CosineDecayRestarts",
        initial_learning_rate=0.01,
        first_decay_steps=first,
        t_mul=t_mul,
        m_mul=m_mul,
    )
    last = formulas.phases(schedule, 10**9)[-1]
    assert last.key == "phase.nan"
    values = schedule(np.arange(last.start + 50, dtype=np.int64))
    assert int(np.flatnonzero(np.isnan(values))[0]) == last.start


def test_restarts_with_t_mul_at_least_one_have_no_nan_phase():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecayRestarts"))
    assert all(p.key != "phase.nan" for p in formulas.phases(schedule, 10**12))


def test_each_restart_period_starts_where_the_curve_jumps_back_to_its_peak():
    schedule = _schedule("CosineDecayRestarts", initial_learning_rate=1.0, first_decay_steps=1000)
    for period in formulas.phases(schedule, 10**6)[1:]:
        assert schedule(period.start) == np.float32(1.0)
        assert schedule(period.start - 1) < 1e-5


def test_restart_periods_are_listed_up_to_the_cap_then_one_later_phase():
    schedule = _schedule(
        "CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=10, t_mul=1.0
    )
    found = formulas.phases(schedule, 10**6)
    assert [p.params["index"] for p in found[:-1]] == list(range(formulas.PHASE_CAP))
    assert (found[-1].key, found[-1].start, found[-1].end) == ("phase.later_periods", 500, None)


def test_polynomial_cycles_start_one_step_after_each_multiple_of_decay_steps():
    schedule = _schedule("PolynomialDecay", initial_learning_rate=0.1, decay_steps=100, cycle=True)
    found = formulas.phases(schedule, 350)
    assert [(p.params["index"], p.start, p.end) for p in found] == [
        (1, 0, 101),
        (2, 101, 201),
        (3, 201, 301),
        (4, 301, 401),
    ]


def test_a_staircase_is_one_phase_not_one_per_stair():
    schedule = _schedule(
        "ExponentialDecay",
        initial_learning_rate=0.1,
        decay_steps=10,
        decay_rate=0.5,
        staircase=True,
    )
    assert [(p.key, p.start, p.end) for p in formulas.phases(schedule, 1000)] == [
        ("phase.decay", 0, None)
    ]


def test_piecewise_intervals_start_one_step_after_each_boundary():
    schedule = lrviz.from_keras(lrviz.default_config("PiecewiseConstantDecay"))
    found = formulas.phases(schedule, 10_000)
    assert [(p.params["index"], p.start, p.end) for p in found] == [
        (0, 0, 3001),
        (1, 3001, 6001),
        (2, 6001, 8001),
        (3, 8001, None),
    ]


# ---------------------------------------------------------------------------------------------
# Formulas
# ---------------------------------------------------------------------------------------------


def _formula_steps(schedule, phase):
    """Steps inside a phase where float32 resolves the formula's argument well.

    A restart period shorter than 1% of its start step is not one of them: Keras's float32
    fraction of that period is only good to eps * start / length.
    """
    if phase.end is None:
        if phase.key == "phase.later_periods":
            return [phase.start + schedule.config["first_decay_steps"] // 2]
        if phase.key == "phase.later_cycles":
            return [phase.start + schedule.config["decay_steps"] // 2]
        # Within the span the curve is drawn over: further on, a growing ExponentialDecay leaves
        # float32's range (inf) long before float64's.
        span = max(schedule.settles_at() - phase.start, 16)
        return [phase.start, phase.start + 1, phase.start + span // 2, phase.start + span]
    length = phase.end - phase.start
    if length < 16 or length * 100 < phase.start:
        return []
    return [phase.start, phase.start + length // 2]


def _on_another_stair_in_float32(schedule, step):
    """Above 2^24 Keras's float32 s / D can round across a whole number, moving a stair edge."""
    cfg = schedule.config
    if not cfg.get("staircase"):
        return False
    return np.floor(np.float32(step) / np.float32(cfg["decay_steps"])) != step // cfg["decay_steps"]


@settings(max_examples=250, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_substituted_formula_agrees_with_the_engine_in_every_phase(class_index, seed):
    schedule = _random(CLASSES[class_index], seed)
    found = formulas.phases(schedule, 3 * schedule.settles_at())
    scale = _scale(schedule)
    for phase in [*found[:8], found[-1]]:
        for step in _formula_steps(schedule, phase):
            if _on_another_stair_in_float32(schedule, step):
                continue
            shown = formulas.evaluate_formula(schedule, phase, step)
            keras = float(schedule(step))
            if np.isnan(keras) or np.isnan(shown):
                assert np.isnan(keras) and np.isnan(shown), (phase, step)
                continue
            assert shown == pytest.approx(keras, rel=1e-4, abs=1e-5 * scale), (phase, step)


def test_warmup_formula_adds_the_initial_learning_rate():
    schedule = _schedule(
        "CosineDecay",
        initial_learning_rate=1e-4,
        decay_steps=1000,
        warmup_target=1e-3,
        warmup_steps=100,
    )
    warmup = formulas.phase_at(schedule, 0)
    assert r"0.0001 + \left(0.001 - 0.0001\right)\,\frac{s}{100}" in formulas.formula(
        schedule, warmup
    )
    assert formulas.evaluate_formula(schedule, warmup, 50) == pytest.approx(5.5e-4)


def test_formula_shows_the_general_form_then_the_configuration_numbers():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    latex = formulas.formula(schedule, formulas.phase_at(schedule, 0))
    assert latex.splitlines()[1:4] == [
        r"\eta(s) &= \eta_0 + \left(\eta_T - \eta_0\right)\,\frac{s}{W} \\",
        r"&= 0 + \left(0.001 - 0\right)\,\frac{s}{1{,}000} \\",
        r"& 0 \le \text{step} < 1{,}000",
    ]


def test_formula_numbers_keep_every_digit():
    schedule = _schedule(
        "ExponentialDecay",
        initial_learning_rate=0.00012345678901234,
        decay_steps=1_234_567,
        decay_rate=0.987654321,
    )
    latex = formulas.formula(schedule, formulas.phase_at(schedule, 0))
    assert r"0.00012345678901234 \cdot 0.987654321^{\frac{s}{1{,}234{,}567}}" in latex


def test_restart_period_formula_computes_its_start_and_length():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecayRestarts"))
    latex = formulas.formula(schedule, formulas.phase_at(schedule, 7500))
    assert "i &= 3" in latex
    assert r"= 1{,}000\,\frac{1 - 2^{3}}{1 - 2} = 7{,}000" in latex
    assert r"L_i &= D_0\,t^{i} = 1{,}000 \cdot 2^{3} = 8{,}000" in latex


def test_integer_config_formula_uses_keras_truncated_numbers_and_pi_3():
    schedule = _schedule("CosineDecay", initial_learning_rate=1, decay_steps=1000)
    latex = formulas.formula(schedule, formulas.phase_at(schedule, 10))
    assert r"\cos\left(3\,\frac{s}{1{,}000}\right)" in latex
    assert "int32" in latex
    assert formulas.evaluate_formula(schedule, formulas.phase_at(schedule, 10), 500) == (
        pytest.approx(float(schedule(500)), rel=1e-6)
    )


def test_legend_names_each_symbol_of_the_formula_once():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    legend = formulas.legend(schedule, formulas.phase_at(schedule, 5000))
    assert [symbol for symbol, _ in legend] == [r"\eta_T", r"\alpha", "s", "W", "D"]
    assert dict(legend)["W"] == "`warmup_steps` = 1000"


def _groups_after(latex, index):
    """How many {...} groups follow position `index` (spaces skipped), braces matched."""
    count = 0
    while True:
        while index < len(latex) and latex[index] == " ":
            index += 1
        if index >= len(latex) or latex[index] != "{":
            return count
        depth = 0
        for end in range(index, len(latex)):
            depth += {"{": 1, "}": -1}.get(latex[end], 0) if latex[end - 1] != "\\" else 0
            if depth == 0:
                break
        count += 1
        index = end + 1


def _assert_well_formed(latex):
    unescaped = re.sub(r"\\[{}]", "", latex)
    depth = 0
    for char in unescaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, latex
    assert depth == 0, latex
    assert latex.count(r"\left") == latex.count(r"\right"), latex
    for match in re.finditer(r"\\[dt]?frac", latex):
        assert _groups_after(latex, match.end()) >= 2, latex


@settings(max_examples=150, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS, lang=st.sampled_from(sorted(LANGUAGES)))
def test_latex_has_balanced_braces_and_every_frac_has_two_groups(class_index, seed, lang):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], rng))
    for phase in formulas.phases(schedule, 3 * schedule.settles_at())[:5]:
        _assert_well_formed(formulas.formula(schedule, phase, lang))
    for step in _steps(schedule, rng)[:5]:
        for line in formulas.worked_value(schedule, int(step), lang).lines:
            _assert_well_formed(line)


def test_the_well_formedness_check_rejects_a_frac_with_one_group():
    with pytest.raises(AssertionError):
        _assert_well_formed(r"\frac{s} W")


# ---------------------------------------------------------------------------------------------
# Docs notes and locales
# ---------------------------------------------------------------------------------------------


def test_warmup_target_docs_note_says_the_docstring_omits_initial_learning_rate():
    assert "+ initial_learning_rate" in schedules.docs_note("CosineDecay", "warmup_target")


def test_alpha_docs_note_cites_the_keras_fix():
    assert "keras-team/keras#21827" in schedules.docs_note("CosineDecay", "alpha")


def test_parameters_the_docs_describe_well_have_no_docs_note():
    assert schedules.docs_note("ExponentialDecay", "decay_rate") is None


def test_every_docs_note_belongs_to_a_real_parameter():
    for class_name, param in schedules.PARAM_NOTES:
        assert param in lrviz.SCHEDULES[class_name].param_names


def _catalog(lang):
    """The formula panel's templates: phases, formulas and the notes on Keras's docs."""
    every = json.loads((LOCALES / f"{lang}.json").read_text("utf-8"))
    return {
        key: text
        for key, text in every.items()
        if key.startswith(("formula.", "phase.")) or key.endswith(".docs_note")
    }


def _placeholders(template):
    return sorted(
        (name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None
    )


def test_formula_locales_have_the_same_keys():
    assert _catalog("zh-TW").keys() == _catalog("en").keys()


def test_formula_locales_have_the_same_placeholders_per_key():
    english, chinese = _catalog("en"), _catalog("zh-TW")
    for key, template in english.items():
        assert _placeholders(chinese[key]) == _placeholders(template), key


def test_every_formula_text_is_translated_into_traditional_chinese():
    same_in_both = {"phase.nan", "formula.symbol.param"}
    english, chinese = _catalog("en"), _catalog("zh-TW")
    untranslated = [k for k in english if k not in same_in_both and chinese[k] == english[k]]
    assert untranslated == []


@settings(max_examples=100, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_every_phase_and_formula_key_in_use_has_text(class_index, seed):
    english = _catalog("en")
    schedule = _random(CLASSES[class_index], seed)
    for phase in formulas.phases(schedule, 3 * schedule.settles_at()):
        assert phase.key in english and phase.formula_key in english
    assert set(schedules.PARAM_NOTES.values()) <= english.keys()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_help_of_a_parameter_the_docs_get_wrong_ends_with_that_note(lang):
    for class_name, param in schedules.PARAM_NOTES:
        help_text = schedules.param_help(class_name, param, lang)
        note = schedules.docs_note(class_name, param, lang)
        assert help_text.startswith(t(f"param.{class_name}.{param}.help", lang))
        assert help_text.endswith(f"{t('param.docs_label', lang)} {note}")


def test_the_help_of_a_parameter_the_docs_describe_well_has_no_note():
    assert schedules.param_help("ExponentialDecay", "decay_rate") == t(
        "param.ExponentialDecay.decay_rate.help"
    )


def test_the_warmup_target_help_in_the_editor_says_the_docstring_omits_initial_learning_rate():
    spec = lrviz.SCHEDULES["CosineDecay"].param("warmup_target")
    assert "+ initial_learning_rate" in spec.help


@pytest.fixture
def untaught(monkeypatch):
    """A seventh class, registered without teaching data (ExponentialDecay's engine)."""
    spec = dataclasses.replace(
        lrviz.SCHEDULES["ExponentialDecay"], class_name="ThrowawayDecay", teaching=None
    )
    monkeypatch.setitem(lrviz.SCHEDULES, spec.class_name, spec)
    config = lrviz.from_keras(lrviz.default_config("ExponentialDecay")).config
    return lrviz.Schedule(spec, config)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_class_without_teaching_data_gets_one_phase_and_a_panel_that_says_so(lang, untaught):
    schedule = untaught
    (phase,) = formulas.phases(schedule, 10**6)
    assert (phase.start, phase.end, phase.label(lang)) == (0, None, t("phase.all", lang))
    assert formulas.phase_at(schedule, 12_345) == phase
    said = t("formula.none", lang, class_name="ThrowawayDecay")
    assert said in formulas.formula(schedule, phase, lang)
    assert formulas.legend(schedule, phase, lang) == []
    assert np.isnan(formulas.evaluate_formula(schedule, phase, 10))
    worked = formulas.worked_value(schedule, 2500, lang)
    assert worked.lines == (rf"\eta = {computed(schedule(2500))}",)
    assert _bits(worked.value) == _bits(schedule(2500))
    compiled = formulas.compiled_worked(schedule.compiled(), 2500, lang)
    assert _bits(compiled.value) == _bits(schedule.compiled()(2500))


@settings(max_examples=30, deadline=None)
@given(class_index=CLASS_INDEX, seed=SEEDS)
def test_every_phase_of_the_six_classes_has_its_formula_and_worked_value(class_index, seed):
    schedule = _random(CLASSES[class_index], seed)
    for phase in formulas.phases(schedule, 3 * schedule.settles_at())[:4]:
        assert "no formula" not in formulas.formula(schedule, phase)
        assert len(formulas.worked_value(schedule, phase.start).lines) > 1


def _imported(path):
    """(module, name) of every `from module import name` in `path`."""
    return [
        (node.module, alias.name)
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


TEACHING = sorted((Path(lrviz.__file__).parent / "teaching").glob("*.py"))


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: p.name)
def test_teaching_imports_only_the_engines_public_names(path):
    for module, name in _imported(path):
        if module == "lrviz.engine":
            assert name in engine.__all__, name
        elif module.startswith("lrviz.engine."):
            assert not name.startswith("_"), (module, name)
