"""The intimacy-type inference model and its quality report (recommender.infer)."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender as rc
from recommender.infer import (
    INFERRED_PRACTICES,
    InferReport,
    IntimacyModel,
    drop_common_words,
    infer_report,
    inference_text,
    load_cues,
    parse_cues,
    schema_weights,
)


@pytest.fixture(scope="module")
def model() -> IntimacyModel:
    return IntimacyModel().fit(rc.default_catalog())


@pytest.fixture(scope="module")
def report() -> InferReport:
    return infer_report(rc.default_catalog(), folds=3)


def _valid_intimacy(weights: dict[rc.IntimacyType, float]) -> bool:
    """Whether the weights pass the Activity schema (0..1, one >= 0.5)."""
    activity = rc.Activity(
        id="probe",
        title="Probe",
        description="Probe.",
        intimacy=weights,
        practice="shared_experience",
        relationships={"friends"},
        depth=1,
        minutes=10,
    )
    return activity.intimacy == weights


def test_importing_the_package_does_not_import_scikit_learn() -> None:
    code = (
        "import sys, recommender, recommender.infer, recommender.importer; "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_predicted_weights_satisfy_the_schema_for_any_text(model: IntimacyModel) -> None:
    texts = [
        "",
        "Go",
        "Hold each other close and breathe",
        "Debate a big idea over coffee",
        "Pray together at sunrise",
        "zzz qqq",
        "Learn Kotlin " * 50,
    ]
    for guess in model.predict(texts):
        assert _valid_intimacy(guess.intimacy)
        assert all(0.0 < w <= 1.0 and round(w, 1) == w for w in guess.intimacy.values())
        assert 0.0 <= guess.confidence <= 1.0
        assert 1 <= guess.depth <= 5
        assert guess.practice in INFERRED_PRACTICES


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_predictions_are_valid_and_the_strongest_type_leads(
    model: IntimacyModel, texts: list[str]
) -> None:
    for guess in model.predict(texts):
        assert _valid_intimacy(guess.intimacy)
        top = max(guess.intimacy.values())
        assert [t for t, w in guess.intimacy.items() if w == top] == [guess.strongest_type]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(-2, 2, allow_nan=False), min_size=5, max_size=5), min_size=1, max_size=6
    ),
    st.data(),
)
def test_schema_weights_are_valid_and_led_by_the_chosen_type(
    raw: list[list[float]], data: st.DataObject
) -> None:
    strongest = np.array([data.draw(st.integers(0, 4)) for _ in raw])
    weights = schema_weights(np.array(raw), strongest)
    for row, lead in zip(weights, strongest, strict=True):
        assert ((row >= 0) & (row <= 1)).all()
        assert row[lead] >= 0.5
        assert (np.delete(row, lead) < row[lead]).all()


def test_obvious_activities_get_the_expected_strongest_type(model: IntimacyModel) -> None:
    texts = [
        inference_text(
            "Give each other a slow shoulder massage", "Take turns with gentle touch.", ["touch"]
        ),
        inference_text(
            "Debate a question neither of you can answer",
            "Argue both sides of an idea and learn how the other thinks.",
            ["ideas", "questions"],
        ),
    ]
    physical, intellectual = model.predict(texts)
    assert physical.strongest_type is rc.IntimacyType.physical
    assert intellectual.strongest_type is rc.IntimacyType.intellectual


def test_conversation_is_only_inferred_for_items_with_prompts(model: IntimacyModel) -> None:
    text = inference_text(
        "Ask each other deep questions",
        "Take turns answering questions about your childhood and your hopes.",
        ["questions"],
    )
    with_prompts, without = model.predict([text, text], can_converse=[True, False])
    assert with_prompts.practice is rc.Practice.conversation
    assert without.practice is not rc.Practice.conversation


def test_support_is_never_inferred(model: IntimacyModel) -> None:
    text = inference_text(
        "See a couples therapist",
        "Book a session with a licensed counsellor for professional help.",
        ["therapy", "counselling"],
    )
    (guess,) = model.predict([text])
    assert guess.practice is not rc.Practice.support


def test_predicting_before_fit_is_refused() -> None:
    with pytest.raises(rc.NotFittedError, match=r"not fitted yet; call fit\(catalog\)"):
        IntimacyModel().predict(["Walk"])


@pytest.mark.parametrize(("name", "value"), [("C", 0), ("alpha", -1.0), ("C", "big")])
def test_bad_hyperparameters_are_refused_at_fit(name: str, value: object) -> None:
    model = IntimacyModel(**{name: value})  # type: ignore[arg-type]
    assert getattr(model, name) == value  # stored as given
    with pytest.raises(rc.ConfigError, match=rf"IntimacyModel: {name} must be a number > 0"):
        model.fit(rc.default_catalog())


def test_too_small_a_catalogue_is_refused() -> None:
    few = list(rc.default_catalog())[:5]
    with pytest.raises(rc.CatalogError, match="at least 10 activities to learn from, got 5"):
        IntimacyModel().fit(few)


def test_a_catalogue_of_one_strongest_type_is_refused() -> None:
    emotional = [a for a in rc.default_catalog() if a.strongest_type is rc.IntimacyType.emotional][
        :12
    ]
    with pytest.raises(rc.CatalogError, match="at least 2 strongest intimacy types"):
        IntimacyModel().fit(emotional)


def test_a_catalogue_of_one_practice_still_fits_and_predicts_it() -> None:
    shared = [a for a in rc.default_catalog() if a.practice is rc.Practice.shared_experience][:30]
    model = IntimacyModel().fit(shared)
    assert {g.practice for g in model.predict(["Walk", "Sing"])} == {rc.Practice.shared_experience}


def test_can_converse_must_match_the_texts(model: IntimacyModel) -> None:
    with pytest.raises(rc.ConfigError, match=r"one entry per text \(2\), got 1"):
        model.predict(["a", "b"], can_converse=[True])


def test_predicting_nothing_returns_nothing(model: IntimacyModel) -> None:
    assert model.predict([]) == []


def test_fitting_twice_gives_the_same_predictions() -> None:
    texts = ["Cook a meal together", "Write each other a letter"]
    first = IntimacyModel().fit(rc.default_catalog()).predict(texts)
    second = IntimacyModel().fit(rc.default_catalog()).predict(texts)
    assert first == second


def test_words_shared_by_most_texts_are_dropped_from_ten_texts_on() -> None:
    texts = [f"{word} from the Bored list" for word in ["Cook", "Walk"] * 5]
    assert drop_common_words(texts) == ["cook", "walk"] * 5
    assert drop_common_words(texts[:4]) == texts[:4]


# --------------------------------------------------------------------------- cue lexicon


def _bundled_cue_words() -> dict[str, list[str]]:
    text = (resources.files("recommender") / "cues.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def test_the_bundled_lexicon_loads_safely_and_gives_every_type_its_own_cues() -> None:
    words = _bundled_cue_words()
    assert sorted(words) == sorted(t.value for t in rc.IntimacyType)
    assert all(30 <= len(w) <= 80 for w in words.values())
    cues = load_cues()
    assert all(len(cues[t]) >= 30 for t in rc.IntimacyType)
    # Stemmed on load, so inflected forms in a text still count.
    assert "massag" in cues[rc.IntimacyType.physical]


@pytest.mark.parametrize("kind", list(rc.IntimacyType))
def test_a_text_made_of_one_types_cues_is_predicted_as_that_type(
    model: IntimacyModel, kind: rc.IntimacyType
) -> None:
    words = _bundled_cue_words()[kind.value]
    whole, first, last = model.predict(
        [" ".join(words), " ".join(words[:10]), " ".join(words[-10:])]
    )
    assert {whole.strongest_type, first.strongest_type, last.strongest_type} == {kind}


@pytest.mark.parametrize(
    ("document", "pattern"),
    [
        (["touch"], "must map each intimacy type to a list of words, got list"),
        (
            {**{t.value: ["x"] for t in rc.IntimacyType}, "sexual": ["y"]},
            r"unknown intimacy type 'sexual'; allowed: physical, emotional",
        ),
        (
            {t.value: ["walk"] for t in rc.IntimacyType if t.value != "spiritual"},
            "type 'spiritual' needs a non-empty list of words, got None",
        ),
        (
            {t.value: [] if t.value == "physical" else ["walk"] for t in rc.IntimacyType},
            r"type 'physical' needs a non-empty list of words, got \[\]",
        ),
        (
            {t.value: [3] if t.value == "emotional" else ["walk"] for t in rc.IntimacyType},
            r"type 'emotional' needs a non-empty list of words, got \[3\]",
        ),
        (
            {
                t.value: ["the", "a"] if t.value == "intellectual" else ["walk"]
                for t in rc.IntimacyType
            },
            "type 'intellectual' has only stop words or single letters",
        ),
    ],
)
def test_a_malformed_lexicon_is_refused_naming_the_file_and_type(
    document: object, pattern: str
) -> None:
    with pytest.raises(rc.ConfigError, match=rf"^my-cues\.yaml: {pattern}"):
        parse_cues(document, source="my-cues.yaml")


@pytest.mark.parametrize("value", [-0.5, float("inf"), True])
def test_a_cue_weight_below_zero_or_not_finite_is_refused(value: float) -> None:
    with pytest.raises(rc.ConfigError, match=r"cue_weight must be a number >= 0, got"):
        IntimacyModel(cue_weight=value).fit(rc.default_catalog())


def test_a_zero_cue_weight_leaves_the_lexicon_out() -> None:
    plain = IntimacyModel(cue_weight=0).fit(rc.default_catalog())
    with_cues = IntimacyModel().fit(rc.default_catalog())
    texts = ["Pray together at sunrise"]
    for fitted, extra_columns in ((plain, 0), (with_cues, 5)):
        words = fitted.vectorizer_.transform(texts)
        assert fitted._features(texts, words).shape[1] == words.shape[1] + extra_columns


def test_the_cue_lexicon_lowers_weights_error_and_costs_no_macro_f1() -> None:
    # Why the lexicon ships: same folds, same seed, with and without it. On the
    # 405-item catalogue it lifted macro-F1 (0.65 against 0.59); on the reviewed
    # 564-item one it no longer does (0.692 against 0.693), so the claim is now
    # only that it costs no macro-F1 (within 0.01) and still lowers weights MAE.
    catalog = rc.default_catalog()
    with_cues = infer_report(catalog, folds=5)
    words_only = infer_report(catalog, folds=5, model=IntimacyModel(cue_weight=0))
    assert with_cues.macro_f1 > words_only.macro_f1 - 0.01
    assert with_cues.weights_mae < words_only.weights_mae


# --------------------------------------------------------------------------- report


def test_the_report_returns_numbers_in_range(report: InferReport) -> None:
    assert report.n_items == len(rc.default_catalog()) and report.folds == 3
    for value in (
        report.macro_f1,
        report.macro_f1_centroid,
        report.macro_f1_majority,
        report.top2_accuracy,
        report.practice_accuracy,
        report.practice_accuracy_majority,
        report.confident_share,
        report.confident_accuracy,
    ):
        assert 0.0 <= value <= 1.0
    for value in (report.weights_mae, report.weights_mae_mean):
        assert 0.0 <= value <= 1.0
    assert 0.0 <= report.depth_mae <= 4.0 and 0.0 <= report.depth_mae_median <= 4.0
    assert report.meets_target == (report.macro_f1 >= 0.75)
    assert [row[0] for row in report.rows()][:2] == ["strongest type macro-F1"] * 2


def test_the_model_beats_the_trivial_baselines(report: InferReport) -> None:
    assert report.macro_f1 > report.macro_f1_majority
    assert report.weights_mae < report.weights_mae_mean
    assert report.practice_accuracy > report.practice_accuracy_majority
    assert report.depth_mae < report.depth_mae_median


@pytest.mark.parametrize(
    ("folds", "pattern"),
    [(1, "folds must be an integer 2..20, got 1"), (True, "got True"), (21, "got 21")],
)
def test_bad_fold_counts_are_refused(folds: int, pattern: str) -> None:
    with pytest.raises(rc.ConfigError, match=pattern):
        infer_report(rc.default_catalog(), folds=folds)


def test_a_report_threshold_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(rc.ConfigError, match=r"threshold must be 0\.\.1, got 2"):
        infer_report(rc.default_catalog(), threshold=2)


def test_more_folds_than_items_of_a_type_is_refused() -> None:
    catalog = list(rc.default_catalog())
    spiritual = [a for a in catalog if a.strongest_type is rc.IntimacyType.spiritual][:3]
    # Ten of every other type, whatever order the catalogue files load in.
    others = [
        a
        for t in rc.IntimacyType
        if t is not rc.IntimacyType.spiritual
        for a in [a for a in catalog if a.strongest_type is t][:10]
    ]
    with pytest.raises(rc.ConfigError, match=r"too few: spiritual \(3\)"):
        infer_report(others + spiritual, folds=5)
