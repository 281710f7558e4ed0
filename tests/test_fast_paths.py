"""The fast paths give what the straightforward computation gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender as rc
from recommender.emphasis import GOAL_BONUS, OBSTACLE_BONUS
from recommender.features import activity_text
from recommender.relevance import INTEREST_FLOOR, INTEREST_SATURATION, encode_person
from recommender.text import analyze, related_words

WORDS = [
    "cooking",
    "music",
    "hiking",
    "board games",
    "science",
    "faith",
    "stars",
    "dance",
    "gardening",
    "nonsenseword",
    "reading aloud",
    "art",
]


@pytest.fixture(scope="module")
def fitted() -> tuple[rc.Recommender, object]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # strategy="fair": the formula test below writes out the mean of the two fits
    # (fair's aggregation; the default became "product" when closer evaluate chose it).
    model = rc.Recommender(strategy="fair").fit(rc.default_catalog())
    reference = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32)
    reference.fit([activity_text(a) for a in model.activities_])
    return model, reference


@settings(max_examples=40, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), max_size=5))
def test_encoding_interests_matches_scikit_learns_transform(fitted, words):
    model, reference = fitted
    text = " ".join(related_words(w) for w in words)
    terms, weights = model.text_.encode_words([related_words(w) for w in words])
    expected = reference.transform([text]).toarray()[0]
    got = np.zeros_like(expected)
    got[terms] = weights
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def _dense_items(model: rc.Recommender) -> np.ndarray:
    text = model.text_
    dense = np.zeros((text.n_items, len(text.terms)), np.float64)
    for term in range(len(text.terms)):
        start, end = text.col_ptr[term], text.col_ptr[term + 1]
        dense[text.col_items[start:end], term] = text.col_weights[start:end]
    return dense


def test_an_activity_re_encoded_from_its_text_equals_its_fitted_vector(fitted):
    model, _ = fitted
    dense = _dense_items(model)
    for item in range(0, len(model.activity_ids_), 7):
        terms, weights = model._item_vector(item)
        again = np.zeros(dense.shape[1])
        again[terms] = weights
        np.testing.assert_allclose(again, dense[item], atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(groups=st.lists(st.lists(st.sampled_from(WORDS), max_size=4), min_size=1, max_size=20))
def test_cosine_through_postings_equals_a_dense_product(fitted, groups):
    model, _ = fitted
    dense = _dense_items(model)
    queries = [model.text_.encode_words([related_words(w) for w in g]) for g in groups]
    expected = np.zeros((len(queries), model.text_.n_items))
    for row, (terms, weights) in enumerate(queries):
        expected[row] = dense[:, terms] @ weights.astype(np.float64)
    np.testing.assert_allclose(model.text_.cosine(queries), expected, atol=1e-6)
    flat = model.text_.with_kernel([-1]).cosine(queries)
    columns = np.flatnonzero(np.random.default_rng(len(groups)).random(len(flat[0])) < 0.3)
    for name, space in _kernels(model.text_).items():  # every kernel: the same bits
        assert np.array_equal(space.cosine(queries), flat), name
        # and on some activities alone, as a pair's few allowed ones are scored
        assert np.array_equal(space.cosine(queries, columns), flat[:, columns]), name
    if any(len(t) for t, _ in queries):
        dense = model.text_.cosine(queries)
        rows, items, values = model.text_.cosine_cells(queries)
        assert np.array_equal(dense[rows, items], values)  # the same sums, bit for bit
        assert np.count_nonzero(dense) == len(values)
        rows, items, values = model.text_.cosine_cells(queries, above=0.1)
        assert np.array_equal(dense[rows, items], values)
        assert np.count_nonzero(dense > np.float32(0.1)) == len(values)


@settings(max_examples=30, deadline=None)
@given(
    weights=st.dictionaries(
        st.sampled_from([t.value for t in rc.IntimacyType]), st.floats(0, 1), max_size=5
    ),
    interests=st.lists(st.sampled_from(WORDS), max_size=3),
    energy=st.sampled_from([None, "low", "medium", "high"]),
    obstacles=st.frozensets(st.sampled_from([o.value for o in rc.Obstacle]), max_size=3),
    goals=st.frozensets(st.sampled_from([t.value for t in rc.IntimacyType]), max_size=2),
)
def test_pair_scores_equal_the_formula_written_out(
    fitted, weights, interests, energy, obstacles, goals
):
    model, _ = fitted
    person = rc.PersonProfile(name="P", intimacy=weights, interests=interests, energy=energy)
    other = rc.PersonProfile(name="Q")
    ctx = rc.PairContext(obstacles=obstacles, goals=goals)
    pair, fits = model.pair_scores(person, other, ctx)

    dense = _dense_items(model)
    vector = encode_person(person, model.text_)
    cosine = dense[:, vector.terms] @ vector.term_weights.astype(np.float64)
    interest = np.clip((cosine - INTEREST_FLOOR) / (INTEREST_SATURATION - INTEREST_FLOOR), 0, 1)
    w_interest = model.interest_weight if len(vector.terms) else 0.0
    w_energy = model.energy_weight if energy else 0.0
    w_type = 1 - model.interest_weight - model.energy_weight
    total = w_type + w_interest + w_energy
    values = np.array([person.weight(t) for t in rc.IntimacyType])
    type_fit = np.array(
        [
            sum(values[j] * a.intimacy.get(t, 0.0) for j, t in enumerate(rc.IntimacyType))
            / sum(a.intimacy.values())
            for a in model.activities_
        ]
    )
    levels = {"low": 0, "medium": 1, "high": 2}
    energy_fit = np.array(
        [
            1 - abs(levels[energy] - levels[a.energy.value]) / 2 if energy else 0.0
            for a in model.activities_
        ]
    )
    expected = np.clip(
        (w_type * type_fit + w_interest * interest + w_energy * energy_fit) / total, 0, 1
    )
    # The fast path rounds weights to 1/2048 so its sums are exact (see _linalg).
    np.testing.assert_allclose(fits[0], expected, atol=3e-3)

    matches = model.obstacle_matches_
    rows = [i for i, o in enumerate(rc.Obstacle) if o in ctx.obstacles]
    bonus = OBSTACLE_BONUS * matches[rows].sum(axis=0) if rows else 0.0
    if goals:
        bonus = bonus + GOAL_BONUS * np.mean(
            [[a.intimacy.get(rc.IntimacyType(g), 0.0) for a in model.activities_] for g in goals],
            axis=0,
        )
    novelty = np.array([(a.novelty - 1) / 2 for a in model.activities_])
    expected_pair = np.clip((fits[0] + fits[1]) / 2 + bonus + model.novelty_weight * novelty, 0, 1)
    np.testing.assert_allclose(pair, expected_pair, atol=3e-3)


def test_ranking_equals_a_plain_sort_when_reranking_is_off(fitted, ana, ben):
    model = rc.Recommender(strategy="average", diversity=0.0).fit(rc.default_catalog())
    ctx = rc.PairContext(minutes=60)
    pair, _ = model.pair_scores(ana, ben, ctx)
    masks = model.diagnose(ana, ben, ctx)
    result = model.recommend(ana, ben, ctx, k=15)
    allowed = [
        i
        for i, a in enumerate(model.activities_)
        if a.minutes <= 60
        and a.practice is not rc.Practice.support
        and rc.Relationship.romantic in a.relationships
        and a.depth <= min(ana.max_depth, ben.max_depth)
        and a.cost <= min(ana.budget, ben.budget)
        and (a.accessible or not (ana.limited_mobility or ben.limited_mobility))
        # Rules added with the safety work: nothing situational or opt-in unless named,
        # nothing apart-only for a pair that is not --remote.
        and a.situational is None
        and a.opt_in is None
        and a.presence is not rc.Presence.apart
    ]
    expected = sorted(allowed, key=lambda i: (-pair[i], model.activity_ids_[i]))[:15]
    assert masks.remaining == len(allowed)
    assert [s.activity.id for s in result] == [model.activity_ids_[i] for i in expected]


@pytest.mark.parametrize("constrained", [False, True])
def test_synthetic_catalogues_rank_like_the_straightforward_computation(constrained):
    """Hard limits rechecked field by field, scores by the formula, a plain sort with
    re-ranking off, and batch equal to one by one, on a synthetic catalogue."""
    from benchmarks.check import check_model
    from benchmarks.synth import random_pairs, synthetic_catalog

    activities = synthetic_catalog(400, seed=2)
    pairs = random_pairs(activities, 300, seed=3, constrained=constrained)
    assert check_model(activities, pairs) == []


def test_the_one_pass_item_table_equals_reading_each_field(fitted):
    import functools
    import operator

    from recommender.features import (
        _TAG_FLAGS,
        FLAG_SUPPORT,
        RELATIONSHIPS,
        SETTING_CODE,
        TYPES,
    )
    from recommender.schema import CONTACT_LEVEL, ENERGY_LEVEL

    model, _ = fitted
    items, acts = model.items_, model.activities_
    expected = {
        "intimacy": [[a.intimacy.get(t, 0.0) for t in TYPES] for a in acts],
        "energy": [ENERGY_LEVEL[a.energy] for a in acts],
        "setting": [SETTING_CODE[a.setting] for a in acts],
        "novelty": [a.novelty for a in acts],
        "depth": [a.depth for a in acts],
        "minutes": [a.minutes for a in acts],
        "cost": [a.cost for a in acts],
        "contact": [CONTACT_LEVEL[a.contact] for a in acts],
        "accessible": [a.accessible for a in acts],
        "remote": [a.remote for a in acts],
        "relationships": [
            sum(1 << bit for bit, r in enumerate(RELATIONSHIPS) if r in a.relationships)
            for a in acts
        ],
    }
    for name, values in expected.items():
        column = getattr(items, name)
        np.testing.assert_array_equal(column, np.array(values, column.dtype), err_msg=name)
    flags = [
        functools.reduce(operator.or_, (_TAG_FLAGS.get(t, 0) for t in a.tags), 0)
        | (FLAG_SUPPORT if a.practice is rc.Practice.support else 0)
        for a in acts
    ]
    np.testing.assert_array_equal(items.flags, np.array(flags))
    assert any(f & FLAG_SUPPORT for f in flags) and any(f & ~FLAG_SUPPORT for f in flags)


@settings(max_examples=60, deadline=None)
@given(
    n_items=st.integers(1, 3000),
    size=st.integers(1, 80),
    infeasible=st.floats(0.0, 1.0),
    levels=st.integers(2, 1000),
    seed=st.integers(0, 2**32 - 1),
)
def test_top_items_are_the_largest_values_smallest_ids_first_like_a_full_sort(
    n_items, size, infeasible, levels, seed
):
    from recommender.rerank import top_items

    size = min(size, n_items)
    rng = np.random.default_rng(seed)
    # Few distinct levels make ties; -inf marks infeasible items.
    pair = (rng.integers(0, levels, (3, n_items)) / levels).astype(np.float32)
    pair[rng.random((3, n_items)) < infeasible] = -np.inf
    top = top_items(pair, size)
    assert top.shape == (3, size)
    for row in range(3):
        finite = int(np.isfinite(pair[row]).sum())
        # By value, then the smaller column first (-inf: infeasible, any will do).
        expected = np.lexsort((np.arange(n_items), -pair[row]))[: min(size, finite)]
        assert set(expected.tolist()) <= set(top[row].tolist())
        assert len(set(top[row].tolist())) == size  # distinct columns


@settings(max_examples=60, deadline=None)
@given(
    n_items=st.integers(1, 400),
    k=st.integers(1, 12),
    pool=st.integers(1, 80),
    diversity=st.sampled_from([0.0, 0.3, 0.7]),
    fairness=st.sampled_from([0.0, 0.5, 2.0]),
    infeasible=st.floats(0.0, 1.0),
    levels=st.integers(2, 50),
    seed=st.integers(0, 2**32 - 1),
)
def test_reranking_one_pair_alone_picks_what_it_picks_in_a_batch(
    n_items, k, pool, diversity, fairness, infeasible, levels, seed
):
    from recommender.features import STRUCTURE_SCALE
    from recommender.rerank import select

    rng = np.random.default_rng(seed)
    # Few levels make ties in scores, fit differences and similarities alike.
    person = (rng.integers(0, levels, (2, 4, n_items)) / levels).astype(np.float32)
    pair = np.sqrt(person[0] * person[1]).astype(np.float32)
    pair[rng.random((4, n_items)) < infeasible] = -np.inf
    structure = rng.integers(-2, 3, (n_items, 6)).astype(np.float64)
    norms = np.linalg.norm(structure, axis=1, keepdims=True)
    structure = np.round(structure / np.where(norms > 0, norms, 1) * STRUCTURE_SCALE)
    structure = structure.astype(np.int8)
    options = {"k": k, "diversity": diversity, "fairness": fairness, "pool": pool}
    chosen, score = select(pair, person, structure, **options)
    for row in range(4):
        alone, alone_score = select(
            pair[row : row + 1], person[:, row : row + 1], structure, **options
        )
        assert alone[0].tolist() == chosen[row].tolist()
        np.testing.assert_array_equal(alone_score[0], score[row])


# Words and pieces that stress the tokenizer: stop words, single letters, digits,
# punctuation, the boundary byte, and characters whose lower case is odd (Kelvin
# sign -> "k", dotted I -> "i" + combining dot, final sigma).
_TEXT = st.lists(
    st.sampled_from(
        ["Cook", "cooking", "the", "and", "a", "x", "3D", "42", " ", "-", "_", ".", "!\n"]
        + ["\t", "\x00", "café", "İstanbul", "ΣΑΣ", "\u212aelvin", "Naïve", "games", "GAME"]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_TEXT, min_size=1, max_size=12), block=st.integers(1, 5))
def test_fitting_the_text_space_equals_scikit_learns_vectorizer(texts, block):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from recommender import features
    from recommender.errors import CatalogError

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features, "TEXT_BLOCK", block)  # several blocks, boundaries inside
        if not any(analyze(t) for t in texts):
            with pytest.raises(CatalogError, match="no words to learn from"):
                features.fit_text(texts)
            return
        space = features.fit_text(texts)
    reference = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32)
    expected = reference.fit_transform(texts).toarray()
    assert space.terms.tolist() == reference.get_feature_names_out().tolist()
    np.testing.assert_array_equal(space.idf, reference.idf_)
    got = np.zeros_like(expected)
    for term in range(len(space.terms)):
        start, end = space.col_ptr[term], space.col_ptr[term + 1]
        got[space.col_items[start:end], term] = space.col_weights[start:end]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_the_structure_block_is_the_same_normalised_in_slices(fitted, monkeypatch):
    from recommender import features

    model, _ = fitted
    whole = features._item_table(model.activities_).structure
    monkeypatch.setattr(features, "_ROWS_AT_ONCE", 7)
    sliced = features._item_table(model.activities_).structure
    assert sliced.dtype == np.int8
    np.testing.assert_array_equal(sliced, whole)
    norms = np.linalg.norm(whole.astype(np.float64) / features.STRUCTURE_SCALE, axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=0.05)  # unit rows, up to int8 rounding


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), block=st.integers(1, 60))
def test_a_catalogue_fits_to_the_same_arrays_in_any_order(seed, block):
    """Fit reads the activities in the order given and moves the rows to id order
    afterwards; the result is the fit of the catalogue sorted by id."""
    import random

    from benchmarks.synth import synthetic_catalog
    from recommender import features

    activities = synthetic_catalog(150, seed=4)
    shuffled = random.Random(seed).sample(activities, len(activities))
    by_id = sorted(activities, key=lambda a: a.id)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features, "TEXT_BLOCK", block)  # rows move across blocks
        got = rc.Recommender().fit(shuffled)
        expected = rc.Recommender().fit(by_id)
    assert got.activity_ids_ == tuple(a.id for a in by_id)
    assert got.activities_ == tuple(by_id)
    for prefix, mine, theirs in (
        ("text", got.text_, expected.text_),
        ("items", got.items_, expected.items_),
    ):
        arrays, reference = features.arrays_of(mine, prefix), features.arrays_of(theirs, prefix)
        assert arrays.keys() == reference.keys()
        for name, array in arrays.items():
            assert array.dtype == reference[name].dtype, name
            np.testing.assert_array_equal(array, reference[name], err_msg=name)
    # The straightforward text matrix: the id-ordered texts, one by one.
    plain = features.fit_text([activity_text(a) for a in by_id])
    np.testing.assert_array_equal(got.text_.col_items, plain.col_items)
    np.testing.assert_array_equal(got.text_.col_weights, plain.col_weights)


def _kernels(space):
    """The text space under every kernel: the flat walk, per term without a dense
    block, per term with every used term dense, and the one fit chose."""
    used = np.flatnonzero(np.diff(space.col_ptr)).astype(np.int32)
    return {
        "flat": space.with_kernel([-1]),
        "per term": space.with_kernel([]),
        "all dense": space.with_kernel(used),
        "chosen": space.with_kernel(None),
    }


@settings(max_examples=20, deadline=None)
@given(
    style=st.sampled_from(["dense", "zipf", "titles"]),
    n=st.integers(20, 160),
    seed=st.integers(0, 2**16),
)
def test_every_scoring_kernel_gives_the_same_scores_and_lists(style, n, seed):
    """Dense and sparse catalogues alike: each kernel sums the same products in the
    same order, so scores agree bit for bit and the lists are the same."""
    from benchmarks.synth import STYLES, random_pairs, synthetic_catalog

    activities = synthetic_catalog(n, seed=seed, style=style)
    triples = random_pairs(activities, 6, seed=seed + 1, interests=STYLES[style].interests)
    model = rc.Recommender().fit(activities)
    reference = None
    for name, space in _kernels(model.text_).items():
        model.text_ = space
        got = [
            (
                model.pair_scores(a, b, ctx),
                [s.activity.id for s in model.recommend(a, b, ctx, k=5)],
            )
            for a, b, ctx in triples
        ]
        batch = [[s.activity.id for s in r] for r in model.recommend_many(triples, k=5)]
        assert batch == [ids for _, ids in got], name
        if reference is None:
            reference = got
            continue
        for ((pair, person), ids), ((pair0, person0), ids0) in zip(got, reference, strict=True):
            assert np.array_equal(pair, pair0), name
            assert np.array_equal(person, person0), name
            assert ids == ids0, name


def test_a_dense_vocabulary_gets_the_per_term_kernel_and_a_sparse_one_the_flat_walk():
    from recommender.features import fit_text

    rng = np.random.default_rng(5)
    words = [f"word{i}" for i in range(40)]
    dense = fit_text([" ".join(rng.choice(words, 25)) for _ in range(3000)])
    sparse = fit_text([f"only{i} once{i} here{i}" for i in range(3000)])
    assert dense.per_term and len(dense.dense_terms) > 0
    assert not sparse.per_term
    assert dense.kernel.startswith("per-term") and sparse.kernel == "flat postings"


def test_the_kernel_is_saved_with_the_model_and_chosen_again_for_older_files(tmp_path):
    from benchmarks.synth import synthetic_catalog

    model = rc.Recommender().fit(synthetic_catalog(300, seed=3, style="dense"))
    model.text_ = model.text_.with_kernel([0, 2])  # not what fit would choose
    loaded = rc.Recommender.load(model.save(tmp_path / "m.npz"))
    assert loaded.text_.dense_terms.tolist() == [0, 2]
    assert loaded.kernel_ == "per-term, dense block of 2 terms"

    # A file written before the kernel was saved: it is chosen again on load.
    _rewrite_model(
        tmp_path / "old.npz", tmp_path / "m.npz", lambda arrays: arrays.pop("text.dense_terms")
    )
    old = rc.Recommender.load(tmp_path / "old.npz")
    fresh = rc.Recommender().fit(model.activities_)
    assert old.text_.dense_terms.tolist() == fresh.text_.dense_terms.tolist()


def _rewrite_model(path, source, change):
    """Copy the model file ``source`` to ``path`` with ``change`` applied to its
    arrays, and its digest made to match again."""
    import io
    import json

    from recommender.model import _arrays_digest

    with np.load(source, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("meta").tobytes().decode())
    change(arrays)
    meta["arrays_sha256"] = _arrays_digest(arrays)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_model_file_with_a_bad_kernel_is_refused_with_a_clear_error(tmp_path):
    from benchmarks.synth import synthetic_catalog

    saved = rc.Recommender().fit(synthetic_catalog(100, seed=3)).save(tmp_path / "m.npz")

    def unsorted(arrays):
        arrays["text.dense_terms"] = np.array([3, 1], np.int32)

    with pytest.raises(rc.ModelFileError, match=r"contents are invalid.*dense_terms"):
        rc.Recommender.load(_rewrite_model(tmp_path / "bad.npz", saved, unsorted))


def test_term_caches_stay_right_under_many_threads_while_they_are_cleared(monkeypatch):
    """8 threads encode new words at once while the caches fill and start again."""
    from concurrent.futures import ThreadPoolExecutor

    from recommender import features, text

    monkeypatch.setattr(text, "TERMS_REMEMBERED", 5)
    monkeypatch.setattr(features, "TEXTS_REMEMBERED", 5)
    space = features.fit_text([f"cooking{i} walking{i} stories{i}" for i in range(200)])
    words = [f"cooking{i} walking{i} stories{i} dancing{i}" for i in range(200)]
    expected = [[text.token_term(t) for t in w.split()][:3] for w in words]

    def encode(start: int) -> list[list[str]]:
        out = []
        for w in words[start:] + words[:start]:
            out.append([str(space.terms[i]) for i in space.term_ids(w)])
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(encode, range(0, 200, 25)))
    for start, got in zip(range(0, 200, 25), results, strict=True):
        assert got == expected[start:] + expected[:start]


@settings(max_examples=15, deadline=None)
@given(
    style=st.sampled_from(["dense", "zipf", "titles"]),
    strategy=st.sampled_from(sorted(rc.STRATEGIES)),
    seed=st.integers(0, 2**16),
)
def test_a_pair_scored_on_its_allowed_activities_alone_gets_the_full_scorings_list(
    style, strategy, seed
):
    """One pair whose limits leave few activities scores only those: the same
    suggestions (ids, scores, fits, reasons) as scoring the whole catalogue."""
    from benchmarks.synth import STYLES, random_pairs, synthetic_catalog
    from recommender import model as model_module

    activities = synthetic_catalog(150, seed=seed, style=style)
    triples = random_pairs(
        activities, 8, seed=seed + 1, constrained=True, interests=STYLES[style].interests
    )
    model = rc.Recommender(strategy=strategy).fit(activities)
    got = {}
    for share in (0.0, 1.0):  # never, and whenever something is allowed
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(model_module, "SUBSET_SHARE", share)
            got[share] = [model.recommend(a, b, ctx, k=6) for a, b, ctx in triples]
    assert got[1.0] == got[0.0]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), constrained=st.booleans())
def test_the_packed_hard_limits_allow_exactly_what_every_named_limit_allows(
    fitted, seed, constrained
):
    """feasible() packs the typed-column rules into one code per item: it must allow
    what the AND of every named constraint mask (diagnose's view) allows, on the
    bundled catalogue (situational, opt-in, gated and apart-only items)."""
    from benchmarks.synth import random_pairs
    from recommender.constraints import HARD, PairLimits, constraint_masks, feasible

    model = fitted[0]
    triples = random_pairs(model.activities_, 40, seed=seed, constrained=constrained)
    rng = np.random.default_rng(seed)
    both = {"opt_in": frozenset(rc.OptIn)}
    triples = [  # now and then a minor, both opted in, a safety concern, situations
        (
            a.model_copy(update={"age": 15} if rng.random() < 0.2 else both),
            b.model_copy(update=both if rng.random() < 0.5 else {}),
            ctx.model_copy(
                update={
                    "safety_concern": bool(rng.random() < 0.1),
                    "situations": frozenset(
                        list(rc.Situation)[i] for i in rng.choice(len(rc.Situation), 2)
                    ),
                }
            )
            if rng.random() < 0.3
            else ctx,
        )
        for a, b, ctx in triples
    ]
    limits = PairLimits.of(triples, model.items_, model.text_, model.index_)
    masks = constraint_masks(limits, model.items_)
    expected = np.logical_and.reduce([masks[name] for name in HARD])
    np.testing.assert_array_equal(feasible(limits, model.items_), expected)
