"""Activities and profiles as vectors in one space (fitted with scikit-learn).

Fitting builds two things, both plain numpy so that scoring needs nothing else:

:class:`TextSpace`
    TF-IDF over each activity's title, description, tags (counted twice) and
    prompts, L2-normalised, kept as postings (term -> items, CSC): scoring a
    profile's handful of interest terms never touches the rest of the matrix.
    (An activity's own vector, rarely needed, is re-encoded from its text.)
:class:`ItemTable`
    Compact typed columns (depth, minutes, cost, contact, relationships as
    bits, flags, ...) for the constraint masks, the intimacy weights, and a
    small dense "structure" block (intimacy mix + one-hot practice, energy,
    setting, novelty and frequent tags) used for diversity.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from .schema import (
    CONTACT_LEVEL,
    ENERGY_LEVEL,
    Activity,
    IntimacyType,
    Practice,
    Relationship,
    Setting,
)
from .text import analyze

__all__ = ["ItemTable", "TextSpace", "fit_features"]

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

TYPES = tuple(IntimacyType)
PRACTICES = tuple(Practice)
RELATIONSHIPS = tuple(Relationship)
SETTING_CODE = {Setting.indoor: 0, Setting.outdoor: 1, Setting.any: 2}
N_STRUCTURE_TAGS = 64
#: The structure block is stored as int8: each entry in [0, 1] times this. It only
#: feeds the similarity of a few dozen candidates, and a million activities' worth
#: is 86 MB this way (0.35 GB as float32).
STRUCTURE_SCALE = 127

# Bit flags in ItemTable.flags.
FLAG_SUPPORT = 1  # practice support: professional or peer help
FLAG_INDIVIDUAL = 2  # for one person alone (tag "individual")
FLAG_CRISIS = 4  # crisis or domestic-violence help
FLAG_JOINT_THERAPY = 8  # couples or family therapy
FLAG_GENTLE = 16  # warm, low-risk (tag "gentle")
FLAG_LOW_PRESSURE = 32  # predictable, ok to stop any time (tag "low-pressure")
FLAG_CLEAR_TALK = 64  # practising clear communication (tag "clear-talk")

_TAG_FLAGS = {
    "individual": FLAG_INDIVIDUAL,
    "crisis": FLAG_CRISIS,
    "domestic-violence": FLAG_CRISIS,
    "couples-therapy": FLAG_JOINT_THERAPY,
    "family-therapy": FLAG_JOINT_THERAPY,
    "gentle": FLAG_GENTLE,
    "low-pressure": FLAG_LOW_PRESSURE,
    "clear-talk": FLAG_CLEAR_TALK,
}

# Weights of the blocks in the structure vector used for diversity: the
# intimacy mix and the practice matter most to whether two ideas feel alike.
_STRUCTURE_WEIGHTS = {
    "intimacy": 1.0,
    "practice": 0.8,
    "energy": 0.3,
    "setting": 0.3,
    "novelty": 0.2,
    "tags": 0.6,
}


def activity_text(activity: Activity) -> str:
    """The words of an activity that its text vector is built from."""
    tags = " ".join(activity.tags)
    return " ".join([activity.title, activity.description, tags, tags, *activity.prompts])


@dataclass(frozen=True)
class TextSpace:
    """A fitted TF-IDF space, as postings and rows (numpy only)."""

    terms: npt.NDArray[np.str_]
    idf: F32
    col_ptr: I64
    col_items: I32
    col_weights: F32
    n_rows: npt.NDArray[np.int64]  # 0-d: how many items (some may have no terms)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vocabulary", {t: i for i, t in enumerate(self.terms.tolist())})
        object.__setattr__(self, "_encoded", {})

    @property
    def vocabulary(self) -> dict[str, int]:
        """Term -> column."""
        vocabulary: dict[str, int] = self._vocabulary  # type: ignore[attr-defined]
        return vocabulary

    @property
    def n_items(self) -> int:
        return int(self.n_rows)

    def encode(self, text: str) -> tuple[I32, F32]:
        """Sparse L2-normalised TF-IDF vector of ``text`` (sublinear tf), as (terms, weights).

        Words the catalogue never uses are dropped.
        """
        return self.vector(self.term_ids(text))

    def encode_words(self, words: Sequence[str]) -> tuple[I32, F32]:
        """:meth:`encode` of the words joined by spaces, from per-word cached terms."""
        return self.vector([i for word in words for i in self.term_ids(word)])

    def term_ids(self, text: str) -> list[int]:
        """Catalogue term ids of ``text``'s words, in order (remembered: interest words
        recur from pair to pair; treat the list as read-only)."""
        cache: dict[str, list[int]] = self._encoded  # type: ignore[attr-defined]
        ids = cache.get(text)
        if ids is None:
            if len(cache) >= 100_000:
                cache.clear()
            vocabulary = self.vocabulary
            ids = cache[text] = [vocabulary[t] for t in analyze(text) if t in vocabulary]
        return ids

    def vector(self, ids: Sequence[int]) -> tuple[I32, F32]:
        """The L2-normalised sublinear TF-IDF vector of a bag of term ids."""
        if not ids:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        counts: dict[int, int] = {}
        for i in ids:  # a profile has a handful of words: plain Python beats np.unique
            counts[i] = counts.get(i, 0) + 1
        ordered = sorted(counts)
        terms = np.array(ordered, np.int32)
        tf = np.array([1.0 + math.log(counts[t]) for t in ordered], np.float32)
        weights = tf * self.idf[terms]
        # np.linalg.norm's own formula for a vector, without its dispatch overhead.
        weights /= np.sqrt(np.dot(weights, weights))
        return terms, weights

    def postings(self, terms: I32) -> tuple[I64, I32]:
        """Positions (into ``col_items``) of every posting of ``terms``, and which term each is."""
        starts = self.col_ptr[terms]
        lengths = self.col_ptr[terms + 1] - starts
        which = np.repeat(np.arange(len(terms), dtype=np.int32), lengths)
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return np.arange(len(which), dtype=np.int64) + shift, which

    def cosine(self, queries: Sequence[tuple[I32, F32]]) -> F32:
        """Cosine of each query with every item: a ``(len(queries), n_items)`` array.

        Walks only the postings of the queries' terms (an inverted index), so the
        cost grows with how many items use those terms, not with the catalogue.
        """
        n = self.n_items
        sizes = [len(terms) for terms, _ in queries]
        if not any(sizes):
            return np.zeros((len(queries), n), np.float32)
        terms = np.concatenate([t for t, _ in queries]).astype(np.int32, copy=False)
        weights = np.concatenate([w for _, w in queries]).astype(np.float64)
        owner = np.repeat(np.arange(len(queries), dtype=np.int64), sizes)
        flat, which = self.postings(terms)
        # Exact float64 products of the float32 weights, summed per (query, item)
        # in the order of the query's terms: the same sums cosine_cells() makes.
        cells = owner[which] * n + self.col_items[flat]
        contrib = self.col_weights[flat].astype(np.float64) * weights[which]
        total = np.bincount(cells, weights=contrib, minlength=len(queries) * n)
        return total.astype(np.float32).reshape(len(queries), n)

    def cosine_cells(
        self, queries: Sequence[tuple[I32, F32]], above: float = 0.0
    ) -> tuple[I64, I64, F32]:
        """The cells of :meth:`cosine` above ``above``, as (query row, item, value).

        For a block of queries: a sparse product (scipy) that never builds the
        dense array. Values equal :meth:`cosine`'s bit for bit: the same exact
        float64 products summed in the same order (query terms ascending).
        Cells at or below ``above`` (compared in float32, like the values) are
        dropped before the row and item of each is worked out.
        """
        from scipy import sparse

        by_term = self.__dict__.get("_by_term")
        if by_term is None:  # the postings as a float64 term x item matrix, built once
            by_term = sparse.csr_matrix(
                (self.col_weights.astype(np.float64), self.col_items, self.col_ptr),
                shape=(len(self.terms), self.n_items),
            )
            object.__setattr__(self, "_by_term", by_term)
        sizes = [len(terms) for terms, _ in queries]
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        terms = np.concatenate([t for t, _ in queries]).astype(np.int32, copy=False)
        weights = np.concatenate([w for _, w in queries]).astype(np.float64)
        query = sparse.csr_matrix((weights, terms, indptr), shape=(len(sizes), len(self.terms)))
        product = (query @ by_term).tocsr()
        values = product.data.astype(np.float32)
        kept = np.flatnonzero(values > np.float32(above))
        rows = np.searchsorted(product.indptr, kept, side="right") - 1
        return rows, product.indices[kept].astype(np.int64), values[kept]

    def items_with_all(self, terms: I32) -> I32:
        """Items whose text contains every one of ``terms`` (for phrase filters)."""
        result: I32 | None = None
        for term in terms.tolist():
            items = self.col_items[self.col_ptr[term] : self.col_ptr[term + 1]]
            result = items if result is None else np.intersect1d(result, items, assume_unique=True)
            if len(result) == 0:
                break
        return np.empty(0, np.int32) if result is None else result


@dataclass(frozen=True)
class ItemTable:
    """Typed columns over the catalogue, one row per activity (in id order)."""

    intimacy: F32  # (n, 5) raw weights
    share: F32  # (n, 5) weights / their sum: how an item's closeness splits by type
    structure: npt.NDArray[np.int8]  # (n, d) L2-normalised structure vector x 127, for diversity
    practice: npt.NDArray[np.int8]
    energy: npt.NDArray[np.int8]
    setting: npt.NDArray[np.int8]
    novelty: npt.NDArray[np.int8]
    depth: npt.NDArray[np.int8]
    minutes: npt.NDArray[np.int16]
    cost: npt.NDArray[np.int8]
    contact: npt.NDArray[np.int8]
    accessible: npt.NDArray[np.bool_]
    remote: npt.NDArray[np.bool_]
    relationships: npt.NDArray[np.uint8]  # bit r set when it suits RELATIONSHIPS[r]
    flags: npt.NDArray[np.uint8]  # FLAG_* bits
    tag_names: npt.NDArray[np.str_]
    tag_ptr: I64
    tag_items: I32

    def __len__(self) -> int:
        return len(self.depth)

    def has_flag(self, flag: int) -> npt.NDArray[np.bool_]:
        """Boolean column: items with ``flag`` set."""
        return np.asarray((self.flags & np.uint8(flag)) != 0)

    def items_tagged(self, tag: str) -> I32:
        """Items that carry ``tag`` exactly."""
        hit = np.searchsorted(self.tag_names, tag)
        if hit < len(self.tag_names) and self.tag_names[hit] == tag:
            return self.tag_items[self.tag_ptr[hit] : self.tag_ptr[hit + 1]]
        return np.empty(0, np.int32)


def arrays_of(obj: TextSpace | ItemTable, prefix: str) -> dict[str, npt.NDArray[Any]]:
    """The arrays of a fitted space or table, keyed ``prefix.field`` (for .npz files)."""
    return {f"{prefix}.{f.name}": getattr(obj, f.name) for f in fields(obj)}


def from_arrays(
    cls: type[TextSpace] | type[ItemTable], prefix: str, arrays: dict[str, npt.NDArray[Any]]
) -> Any:
    """Rebuild a space or table from :func:`arrays_of` output."""
    return cls(**{f.name: arrays[f"{prefix}.{f.name}"] for f in fields(cls)})


def _one_hot(codes: npt.NDArray[Any], n_values: int) -> F32:
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder(
        categories=[list(range(n_values))],
        sparse_output=False,
        dtype=np.float32,
        handle_unknown="ignore",
    )
    return np.asarray(encoder.fit_transform(codes.reshape(-1, 1)), dtype=np.float32)


def fit_features(activities: Sequence[Activity]) -> tuple[TextSpace, ItemTable]:
    """Fit the text space and typed table on ``activities`` (already in id order)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32)
    # A generator, not a list: at a million activities the texts alone are ~0.5 GB.
    matrix = vectorizer.fit_transform(activity_text(a) for a in activities)
    n_rows = matrix.shape[0]
    csc = matrix.tocsc()
    del matrix  # only the postings are kept
    csc.sort_indices()
    text = TextSpace(
        terms=np.asarray(vectorizer.get_feature_names_out(), dtype=np.str_),
        idf=np.asarray(vectorizer.idf_, dtype=np.float32),
        col_ptr=csc.indptr.astype(np.int64),
        col_items=csc.indices.astype(np.int32, copy=False),
        col_weights=csc.data.astype(np.float32, copy=False),
        n_rows=np.array(n_rows, np.int64),
    )
    del vectorizer, csc
    return text, _item_table(activities)


def _item_table(activities: Sequence[Activity]) -> ItemTable:
    n = len(activities)
    intimacy = np.array(
        [[a.intimacy.get(t, 0.0) for t in TYPES] for a in activities], dtype=np.float32
    ).reshape(n, len(TYPES))
    share = intimacy / np.maximum(intimacy.sum(axis=1, keepdims=True), np.float32(1e-9))
    practice = np.array([PRACTICES.index(a.practice) for a in activities], np.int8)
    energy = np.array([ENERGY_LEVEL[a.energy] for a in activities], np.int8)
    setting = np.array([SETTING_CODE[a.setting] for a in activities], np.int8)
    novelty = np.array([a.novelty for a in activities], np.int8)

    rel_bits = np.zeros(n, np.uint8)
    for bit, rel in enumerate(RELATIONSHIPS):
        rel_bits |= np.array([rel in a.relationships for a in activities], bool).astype(
            np.uint8
        ) << np.uint8(bit)
    flags = np.array(
        [
            sum({*(_TAG_FLAGS[t] for t in a.tags if t in _TAG_FLAGS)})
            | (FLAG_SUPPORT if a.practice is Practice.support else 0)
            for a in activities
        ],
        np.uint8,
    )

    tag_lists = [a.tags for a in activities]
    tag_counts = Counter(t for tags in tag_lists for t in tags)
    tag_names = np.array(sorted(tag_counts), dtype=np.str_)
    tag_col = {t: i for i, t in enumerate(tag_names.tolist())}
    # (tag, item) postings as arrays, sorted by tag then item (no list of tuples:
    # at a million activities that list alone would be a quarter of a gigabyte).
    tag_of = np.fromiter((tag_col[t] for tags in tag_lists for t in tags), np.int64)
    item_of = np.fromiter((i for i, tags in enumerate(tag_lists) for _ in tags), np.int32)
    order = np.lexsort((item_of, tag_of))
    tag_of, tag_items = tag_of[order], item_of[order]
    tag_ptr = np.searchsorted(tag_of, np.arange(len(tag_names) + 1)).astype(np.int64)

    frequent = [t for t, _ in sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    frequent_col = {t: i for i, t in enumerate(frequent[:N_STRUCTURE_TAGS])}

    # Built in place, block by block, then stored as int8 (see STRUCTURE_SCALE).
    w = _STRUCTURE_WEIGHTS
    widths = {
        "intimacy": len(TYPES),
        "practice": len(PRACTICES),
        "energy": 3,
        "setting": 3,
        "novelty": 3,
        "tags": len(frequent_col),
    }
    starts = dict(zip(widths, np.cumsum([0, *widths.values()])[:-1].tolist(), strict=True))
    structure = np.zeros((n, sum(widths.values())), np.float32)
    share_norm = share / np.maximum(np.linalg.norm(share, axis=1, keepdims=True), 1e-9)
    structure[:, : len(TYPES)] = w["intimacy"] * share_norm
    for name, codes in (
        ("practice", practice),
        ("energy", energy),
        ("setting", setting),
        ("novelty", novelty - 1),
    ):
        structure[:, starts[name] : starts[name] + widths[name]] = w[name] * _one_hot(
            codes, widths[name]
        )
    rows = np.fromiter(
        (i for i, tags in enumerate(tag_lists) for t in tags if t in frequent_col), np.int64
    )
    cols = np.fromiter(
        (starts["tags"] + frequent_col[t] for tags in tag_lists for t in tags if t in frequent_col),
        np.int64,
    )
    structure[rows, cols] = w["tags"]
    tag_count = np.zeros(n, np.float32)
    np.add.at(tag_count, rows, 1.0)
    structure[:, starts["tags"] :] /= np.sqrt(np.maximum(tag_count, 1.0))[:, None]
    structure /= np.maximum(np.linalg.norm(structure, axis=1, keepdims=True), 1e-9)
    structure *= STRUCTURE_SCALE  # in place: no second float copy of the block
    np.round(structure, out=structure)

    return ItemTable(
        intimacy=intimacy,
        share=share.astype(np.float32),
        structure=structure.astype(np.int8),
        practice=practice,
        energy=energy,
        setting=setting,
        novelty=novelty,
        depth=np.array([a.depth for a in activities], np.int8),
        minutes=np.array([a.minutes for a in activities], np.int16),
        cost=np.array([a.cost for a in activities], np.int8),
        contact=np.array([CONTACT_LEVEL[a.contact] for a in activities], np.int8),
        accessible=np.array([a.accessible for a in activities], bool),
        remote=np.array([a.remote for a in activities], bool),
        relationships=rel_bits,
        flags=flags,
        tag_names=tag_names,
        tag_ptr=tag_ptr,
        tag_items=tag_items,
    )
