"""Activities and profiles as vectors in one space (fitted with scikit-learn).

Fitting builds two things, both plain numpy so that scoring needs nothing else:

:class:`TextSpace`
    TF-IDF over each activity's title, description, tags (counted twice) and
    prompts, L2-normalised, kept as postings (term -> items, CSC): scoring a
    profile's handful of interest terms never touches the rest of the matrix.
    (An activity's own vector, rarely needed, is re-encoded from its text.)
    How the postings are walked (the kernel) is chosen at fit time from their
    density, saved with the model, and never changes a score.
:class:`ItemTable`
    Compact typed columns (depth, minutes, cost, contact, relationships as
    bits, flags, ...) for the constraint masks, the intimacy weights, and a
    small dense "structure" block (intimacy mix + one-hot practice, energy,
    setting, novelty and frequent tags) used for diversity.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from itertools import chain, islice
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import CatalogError
from .schema import (
    CONTACT_LEVEL,
    ENERGY_LEVEL,
    Activity,
    IntimacyType,
    Practice,
    Presence,
    Relationship,
    Setting,
    Situation,
)
from .text import analyze, token_term

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
FLAG_LOW_MOOD = 128  # support suited to low mood or anxiety (tag "low-mood")

_TAG_FLAGS = {
    "individual": FLAG_INDIVIDUAL,
    "crisis": FLAG_CRISIS,
    "domestic-violence": FLAG_CRISIS,
    "couples-therapy": FLAG_JOINT_THERAPY,
    "family-therapy": FLAG_JOINT_THERAPY,
    "gentle": FLAG_GENTLE,
    "low-pressure": FLAG_LOW_PRESSURE,
    "clear-talk": FLAG_CLEAR_TALK,
    "low-mood": FLAG_LOW_MOOD,
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


#: A term's postings become a dense row of the kernel's block when it is used by
#: at least this share of the items: a dense float64 axpy (0.7 ns an item) then
#: beats scattering its postings (4.7 ns a posting; both measured on 100k items,
#: break-even 0.15, set higher for the noise of a shared machine).
DENSE_SHARE = 0.25
#: The dense block never takes more than this (the longest postings go first).
DENSE_BLOCK_BYTES = 64 * 2**20
#: Postings a query term touches on average (weighted by use) from which the
#: per-term kernel (about 5 us of Python a term, 4.7 ns a posting) beats one flat
#: walk over all the query's postings (no cost per term, about 14 ns a posting).
PER_TERM_POSTINGS = 512

_CACHE_LOCK = threading.Lock()  # inserts into the per-space caches, across threads
#: Texts whose term ids a space remembers at most (interest words recur pair to pair).
TEXTS_REMEMBERED = 100_000


@dataclass(frozen=True)
class TextSpace:
    """A fitted TF-IDF space, as postings and rows (numpy only).

    ``dense_terms`` is the scoring kernel chosen at fit time from the measured
    density (:func:`choose_dense_terms`): empty for the flat postings walk,
    else the terms whose postings are kept as dense float32 rows as well and
    the per-term kernel is used. Every kernel sums the same float64 products
    in the same order (query terms ascending), so scores are identical bit
    for bit whichever is chosen.
    """

    terms: npt.NDArray[np.str_]
    idf: F32
    col_ptr: I64
    col_items: I32
    col_weights: F32
    n_rows: npt.NDArray[np.int64]  # 0-d: how many items (some may have no terms)
    #: the kernel: -1 alone for the flat postings walk, else the dense block's terms
    dense_terms: I32 | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vocabulary", {t: i for i, t in enumerate(self.terms.tolist())})
        object.__setattr__(self, "_encoded", {})
        object.__setattr__(self, "_units", {})
        if self.dense_terms is None:
            object.__setattr__(self, "dense_terms", choose_dense_terms(self.col_ptr, self.n_items))
        chosen = np.asarray(self.dense_terms, np.int32)
        if chosen.ndim != 1 or not (
            (len(chosen) == 1 and chosen[0] == FLAT)
            or (
                np.all(chosen[1:] > chosen[:-1])
                and (len(chosen) == 0 or (chosen[0] >= 0 and chosen[-1] < len(self.terms)))
            )
        ):
            raise ValueError("dense_terms must be [-1] or ascending term ids of the space")
        object.__setattr__(self, "dense_terms", chosen)
        # The dense block, term -> row: built once here, read-only afterwards.
        row_of = np.full(len(self.terms), -1, np.int32)
        block = np.zeros((0, self.n_items), np.float32)
        if self.per_term:
            row_of[chosen] = np.arange(len(chosen), dtype=np.int32)
            block = np.zeros((len(chosen), self.n_items), np.float32)
            for row, term in enumerate(chosen.tolist()):
                start, end = self.col_ptr[term], self.col_ptr[term + 1]
                block[row, self.col_items[start:end]] = self.col_weights[start:end]
        object.__setattr__(self, "_dense_row", row_of)
        object.__setattr__(self, "_dense_block", block)

    @property
    def per_term(self) -> bool:
        """Whether the per-term kernel (with its dense block) scores this space."""
        chosen = np.asarray(self.dense_terms)
        return not (len(chosen) == 1 and chosen[0] == FLAT)

    @property
    def kernel(self) -> str:
        """The scoring kernel chosen at fit time, in words.

        Examples
        --------
        >>> space = fit_text(["Cook a dish together", "Cook dinner"])
        >>> space.kernel, space.with_kernel([0, 1]).kernel
        ('flat postings', 'per-term, dense block of 2 terms')
        """
        if not self.per_term:
            return "flat postings"
        return f"per-term, dense block of {np.asarray(self.dense_terms).size} terms"

    def with_kernel(self, dense_terms: Sequence[int] | None) -> TextSpace:
        """The same space scored by another kernel: ``[-1]`` for the flat walk,
        else the terms of the dense block (``None``: chosen from the density)."""
        chosen = None if dense_terms is None else np.asarray(dense_terms, np.int32)
        return replace(self, dense_terms=chosen)

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
        recur from pair to pair; treat the list as read-only).

        Safe from many threads: lists are never changed once stored, and
        inserts (and the occasional clearing) hold a lock.
        """
        cache: dict[str, list[int]] = self._encoded  # type: ignore[attr-defined]
        ids = cache.get(text)
        if ids is None:
            vocabulary = self.vocabulary
            ids = [vocabulary[t] for t in analyze(text) if t in vocabulary]
            with _CACHE_LOCK:
                if len(cache) >= TEXTS_REMEMBERED:
                    cache.clear()
                cache[text] = ids
        return ids

    def unit_vector(self, text: str) -> tuple[I32, F32, tuple[tuple[int, float], ...]]:
        """:meth:`vector` of ``text``'s words, also as (term, weight) pairs (remembered,
        like :meth:`term_ids`: one interest's vector recurs from person to person)."""
        cache: dict[str, tuple[I32, F32, tuple[tuple[int, float], ...]]]
        cache = self._units  # type: ignore[attr-defined]
        found = cache.get(text)
        if found is None:
            terms, weights = self.vector(self.term_ids(text))
            found = (terms, weights, tuple(zip(terms.tolist(), weights.tolist(), strict=True)))
            with _CACHE_LOCK:
                if len(cache) >= TEXTS_REMEMBERED:
                    cache.clear()
                cache[text] = found
        return found

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

    def cosine(
        self, queries: Sequence[tuple[I32, F32]], columns: npt.NDArray[np.intp] | None = None
    ) -> F32:
        """Cosine of each query with every item: a ``(len(queries), n_items)`` array.

        Walks only the postings of the queries' terms (an inverted index), so the
        cost grows with how many items use those terms, not with the catalogue.
        Which walk is the kernel chosen at fit time (see :class:`TextSpace`).
        With ``columns`` (ascending item rows), only those items, as
        ``cosine(queries)[:, columns]`` (the same sums, so the same bits).
        """
        n = self.n_items if columns is None else len(columns)
        sizes = [len(terms) for terms, _ in queries]
        if not any(sizes):
            return np.zeros((len(queries), n), np.float32)
        if self.per_term:
            return self._cosine_per_term(queries, columns)
        position = None if columns is None else self._positions(columns)
        terms = np.concatenate([t for t, _ in queries]).astype(np.int32, copy=False)
        weights = np.concatenate([w for _, w in queries]).astype(np.float64)
        owner = np.repeat(np.arange(len(queries), dtype=np.int64), sizes)
        flat, which = self.postings(terms)
        items = self.col_items[flat]
        if position is not None:  # only the postings of the wanted items, in the same order
            items = position[items]
            kept = np.flatnonzero(items >= 0)
            flat, which, items = flat[kept], which[kept], items[kept]
        # Exact float64 products of the float32 weights, summed per (query, item)
        # in the order of the query's terms: the same sums cosine_cells() makes.
        cells = owner[which] * n + items
        contrib = self.col_weights[flat].astype(np.float64) * weights[which]
        total = np.bincount(cells, weights=contrib, minlength=len(queries) * n)
        return total.astype(np.float32).reshape(len(queries), n)

    def _positions(self, columns: npt.NDArray[np.intp]) -> I32:
        """Item row -> its place in ``columns``, -1 for rows not in it."""
        position = np.full(self.n_items, -1, np.int32)
        position[columns] = np.arange(len(columns), dtype=np.int32)
        return position

    def _cosine_per_term(
        self,
        queries: Sequence[tuple[I32, F32]],
        columns: npt.NDArray[np.intp] | None = None,
    ) -> F32:
        """:meth:`cosine` one term at a time: a dense row's axpy, or a scatter of
        the term's postings (contiguous, distinct items) into the query's sums.

        The same float64 products added in the same order as the flat walk
        (0.0 first, then each term ascending), so the same bits.
        """
        n = self.n_items if columns is None else len(columns)
        out = np.empty((len(queries), n), np.float32)
        # Sums for every item; with ``columns``, a term's postings are added whole
        # (two passes over them, not six to find the wanted ones) and the wanted
        # items are read out at the end: each item's sum is the same either way.
        total = np.empty(self.n_items, np.float64)
        scratch = np.empty(n, np.float64)
        row_of: I32 = self._dense_row  # type: ignore[attr-defined]
        block: F32 = self._dense_block  # type: ignore[attr-defined]
        col_ptr, col_items, col_weights = self.col_ptr, self.col_items, self.col_weights
        for q, (terms, weights) in enumerate(queries):
            total.fill(0.0)
            for term, weight in zip(terms.tolist(), weights.astype(np.float64), strict=True):
                row = row_of[term]
                if row >= 0:
                    dense = block[row] if columns is None else block[row].take(columns)
                    np.multiply(dense, weight, out=scratch)
                    if columns is None:
                        total += scratch
                    else:  # only the wanted items of a dense row
                        np.add.at(total, columns, scratch)
                else:  # (a term's items are distinct: add.at is total[items] += ..., faster)
                    start, end = col_ptr[term], col_ptr[term + 1]
                    np.add.at(total, col_items[start:end], col_weights[start:end] * weight)
            out[q] = total if columns is None else total.take(columns)
        return out

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
            with _CACHE_LOCK:
                by_term = self.__dict__.get("_by_term")
                if by_term is None:
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
        # Each stored cell's row, then the kept ones' (a gather: searchsorted over the
        # kept cells took seven times as long on a block of 256 people).
        rows = np.repeat(np.arange(len(sizes), dtype=np.int64), np.diff(product.indptr))[kept]
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


#: ``dense_terms`` of the flat postings kernel.
FLAT = -1


def choose_dense_terms(col_ptr: I64, n_items: int) -> I32:
    """The scoring kernel for postings ``col_ptr`` over ``n_items``, from their density.

    A query term is drawn about as often as the catalogue uses it, so the
    postings it walks are, on average, ``sum(L**2) / sum(L)`` long (``L``: each
    term's postings). Under :data:`PER_TERM_POSTINGS` the flat walk wins (few
    postings: the cost per term would dominate): returns ``[-1]``. From there
    on, the per-term kernel, with the terms used by at least
    :data:`DENSE_SHARE` of the items as dense rows (longest first, at most
    :data:`DENSE_BLOCK_BYTES`): returns their ids, ascending.

    Examples
    --------
    >>> choose_dense_terms(np.array([0, 1, 2, 3]), 1000).tolist()  # sparse: flat walk
    [-1]
    >>> choose_dense_terms(np.array([0, 900, 1000, 1800]), 1000).tolist()  # 0 and 2 dense
    [0, 2]
    """
    lengths = np.diff(col_ptr).astype(np.float64)
    used = float(lengths.sum())
    if used == 0 or float(lengths @ lengths) / used < PER_TERM_POSTINGS:
        return np.array([FLAT], np.int32)
    longest = np.argsort(-lengths, kind="stable")
    fits = DENSE_BLOCK_BYTES // max(4 * n_items, 1)
    chosen = longest[:fits][lengths[longest[:fits]] >= DENSE_SHARE * n_items]
    return np.sort(chosen).astype(np.int32)


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
    # --- safety and relationship kinds (added by the safety work; see audience_columns) ---
    audience: npt.NDArray[np.uint8]  # AUDIENCE_* bits: adults_only, safety_gated, opt_in
    situation: npt.NDArray[np.int8]  # index into SITUATIONS, -1 when not situational
    presence: npt.NDArray[np.int8]  # index into PRESENCES

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
    """Rebuild a space or table from :func:`arrays_of` output.

    A field with a default may be missing (files written before it existed):
    then it takes its default (the text space's kernel is chosen again).
    """
    return cls(
        **{
            f.name: arrays[f"{prefix}.{f.name}"]
            for f in fields(cls)
            if f"{prefix}.{f.name}" in arrays or f.default is dataclasses.MISSING
        }
    )


def _one_hot(codes: npt.NDArray[Any], n_values: int) -> F32:
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder(
        categories=[list(range(n_values))],
        sparse_output=False,
        dtype=np.float32,
        handle_unknown="ignore",
    )
    return np.asarray(encoder.fit_transform(codes.reshape(-1, 1)), dtype=np.float32)


def fit_features(
    activities: Sequence[Activity], order: Sequence[int] | None = None
) -> tuple[TextSpace, ItemTable]:
    """Fit the text space and typed table on ``activities``; row ``r`` of both is
    ``activities[order[r]]`` (by default, the activities' own order).

    The activities are read in the order given and the rows moved afterwards:
    a million activities take 2.3 GB, and reading their texts in the order they
    were created (usually how they lie in memory) took half the time of
    reading them in id order (1.2 against 2.4 us each; about 2% of the fit).
    """
    rows = None if order is None else np.asarray(order, np.int64)
    return fit_text(map(activity_text, activities), rows), _item_table(activities, rows)


#: Texts counted per block in :func:`fit_text` (bounds its temporary memory).
TEXT_BLOCK = 4096


def fit_text(texts: Iterable[str], order: I64 | None = None) -> TextSpace:
    """The TF-IDF space of ``texts``: what ``TfidfVectorizer(analyzer=analyze,
    sublinear_tf=True, dtype=np.float32)`` fits, counted faster. Row ``r`` is
    the text ``order[r]`` (by default, text ``r``).

    The vectorizer runs a regular expression over each text, turns every token
    into a term string and counts terms in Python dictionaries, text by text.
    Here a block of texts is lower-cased and split in one go (bytes
    ``translate`` and ``split``), each distinct token is mapped to its term's
    column once, every token becomes a column at C speed (``fromiter`` over a
    dictionary lookup), and scipy's COO -> CSR conversion sums the repeated
    (text, column) cells into counts. Weighting is scikit-learn's own
    ``TfidfTransformer`` on the same counts, so the result is the vectorizer's
    (a test compares them on awkward texts); it is about twice as fast, and
    its temporary memory is bounded by :data:`TEXT_BLOCK`.

    Raises
    ------
    CatalogError
        When the texts have no words besides stop words and single letters.

    Examples
    --------
    >>> space = fit_text(["Cook a dish together", "Cook dinner"])
    >>> space.terms.tolist(), space.n_items
    (['cook', 'dinner', 'dish', 'together'], 2)
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    column_of_term: dict[str, int] = {}
    column_of_token = _TokenColumns(column_of_term)

    blocks: list[Any] = []
    for block in _batched(texts, TEXT_BLOCK):
        tokens = _block_tokens(block)
        cols = np.fromiter(map(column_of_token.__getitem__, tokens), np.int32, len(tokens))
        del tokens
        boundary = cols == _BOUNDARY_COLUMN
        rows = np.cumsum(boundary, dtype=np.int32)  # text i follows the i-th boundary
        kept = cols >= 0
        # COO -> CSR sums the repeated (text, term) cells: the counts.
        blocks.append(
            sparse.coo_matrix(
                (np.ones(int(kept.sum()), np.float32), (rows[kept], cols[kept])),
                shape=(len(block), len(column_of_term)),
            ).tocsr()
        )
    if not column_of_term:
        raise CatalogError(
            "the catalogue's texts have no words to learn from, only stop words and single letters"
        )
    width = len(column_of_term)
    counts = _stack_rows(blocks, width, order)
    # Columns in alphabetical order of their terms, as the vectorizer has them.
    terms = np.array(list(column_of_term), dtype=np.str_)
    alphabetical = np.argsort(terms, kind="stable")
    rank = np.empty(width, np.int32)
    rank[alphabetical] = np.arange(width, dtype=np.int32)
    counts.indices = rank[counts.indices]
    counts.has_sorted_indices = False
    counts.sort_indices()
    matrix = TfidfTransformer(sublinear_tf=True).fit(counts)
    idf = np.asarray(matrix.idf_, dtype=np.float32)
    weighted = matrix.transform(counts, copy=False)  # in place, as the vectorizer does
    del counts
    n_rows = weighted.shape[0]
    csc = weighted.tocsc()
    del weighted  # only the postings are kept
    csc.sort_indices()
    return TextSpace(
        terms=terms[alphabetical],
        idf=idf,
        col_ptr=csc.indptr.astype(np.int64),
        col_items=csc.indices.astype(np.int32, copy=False),
        col_weights=csc.data.astype(np.float32, copy=False),
        n_rows=np.array(n_rows, np.int64),
    )


def _stack_rows(blocks: list[Any], width: int, order: I64 | None) -> Any:
    """The rows of the CSR ``blocks`` (emptied as they are used) stacked into one
    CSR matrix ``width`` columns wide, row ``r`` being input row ``order[r]``.

    Each block's rows are copied straight to where they go, so moving rows
    costs no second copy of the matrix (what ``vstack`` and then indexing the
    rows would take: half a gigabyte at a million activities).
    """
    from scipy import sparse

    lengths = np.concatenate([np.diff(b.indptr) for b in blocks]).astype(np.int64)
    n = len(lengths)
    indptr = np.zeros(n + 1, np.int64)
    if order is None:
        np.cumsum(lengths, out=indptr[1:])
        start_of = indptr[:-1]
    else:
        np.cumsum(lengths[order], out=indptr[1:])
        start_of = np.empty(n, np.int64)
        start_of[order] = indptr[:-1]  # where input row i starts in the result
    indices = np.empty(indptr[-1], np.int32)
    data = np.empty(indptr[-1], np.float32)
    first = 0
    blocks.reverse()  # popped from the end, in input order
    while blocks:
        block = blocks.pop()
        m = block.shape[0]
        # Entry k of input row i moves from block.indptr[i] + k to start_of[i] + k.
        shift = start_of[first : first + m] - block.indptr[:-1]
        target = np.repeat(shift, lengths[first : first + m])
        target += np.arange(block.nnz, dtype=np.int64)
        indices[target] = block.indices
        data[target] = block.data
        first += m
    return sparse.csr_matrix((data, indices, indptr), shape=(n, width))


#: Bytes that make up tokens (the [a-z0-9] of ``text.tokens_of``, after lower-casing); every
#: other byte becomes a space, except the boundary marker between texts.
_TOKEN_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_BOUNDARY = b"\x00"
_BOUNDARY_COLUMN = -2
_SEPARATE = bytes(c if c in _TOKEN_BYTES or c == 0 else 32 for c in range(256))


def _block_tokens(block: Sequence[str]) -> list[bytes]:
    """The tokens of every text in ``block``, with ``_BOUNDARY`` before each text
    after the first: one lower-casing and one split for the whole block.

    The same tokens as :func:`~recommender.text.tokens_of` text by text (a
    test compares them): lower-case, then runs of ASCII letters and digits.
    Non-ASCII characters become "?" and then spaces, like any other separator.
    """
    # The marker must not occur inside a text (a catalogue refuses control
    # characters, but this function takes any text).
    if any("\x00" in text for text in block):
        block = [text.replace("\x00", " ") for text in block]
    joined = " \x00 ".join(block).lower()
    return joined.encode("ascii", "replace").translate(_SEPARATE).split()


class _TokenColumns(dict[bytes, int]):
    """Token -> its term's column in ``columns`` (-1 for stop words and single
    letters, -2 for the boundary between texts), filled in as tokens appear.

    ``__missing__`` runs only for a token not seen before, so the hot loop is
    a plain dictionary lookup at C speed.
    """

    def __init__(self, columns: dict[str, int]) -> None:
        super().__init__({_BOUNDARY: _BOUNDARY_COLUMN})
        self.columns = columns

    def __missing__(self, token: bytes) -> int:
        term = token_term(token.decode("ascii"))
        column = self.columns.setdefault(term, len(self.columns)) if term else -1
        self[token] = column
        return column


def _batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """Lists of up to ``size`` consecutive items (``itertools.batched`` is 3.12+)."""
    iterator = iter(items)
    while block := list(islice(iterator, size)):
        yield block


def _scalar_columns(
    activities: Sequence[Activity],
) -> tuple[F32, npt.NDArray[np.int32], list[tuple[str, ...]]]:
    """Intimacy mixes, the integer columns and the tag tuples of every activity,
    read in one pass over the activities.

    One pass, not one per field: at 100k+ activities the objects no longer fit
    in the CPU caches, and touching each of them a dozen times made the table
    cost per activity double from 10k to 100k. Values that activities share
    (intimacy mixes, relationship sets and tag tuples are interned by
    ``Activity``) are converted once per distinct object.
    """
    mixes: dict[int, tuple[float, ...]] = {}
    rel_codes: dict[frozenset[Relationship], int] = {}
    tag_codes: dict[tuple[str, ...], int] = {}
    support = Practice.support
    intimacy: list[tuple[float, ...]] = []
    rows: list[tuple[int, ...]] = []
    tag_lists: list[tuple[str, ...]] = []
    for a in activities:
        d = a.__dict__  # the validated fields, read directly
        mapping = d["intimacy"]
        mix = mixes.get(id(mapping))  # alive as long as ``activities``: ids are stable
        if mix is None:
            mix = mixes[id(mapping)] = tuple(mapping.get(t, 0.0) for t in TYPES)
        intimacy.append(mix)
        relationships = d["relationships"]
        rel = rel_codes.get(relationships)
        if rel is None:
            rel = rel_codes[relationships] = sum(
                1 << bit for bit, r in enumerate(RELATIONSHIPS) if r in relationships
            )
        tags = d["tags"]
        tag_lists.append(tags)
        flag = tag_codes.get(tags)
        if flag is None:
            flag = tag_codes[tags] = sum({_TAG_FLAGS[t] for t in tags if t in _TAG_FLAGS})
        practice = d["practice"]
        rows.append(
            (
                _PRACTICE_CODE[practice],
                ENERGY_LEVEL[d["energy"]],
                SETTING_CODE[d["setting"]],
                d["novelty"],
                d["depth"],
                d["minutes"],
                d["cost"],
                CONTACT_LEVEL[d["contact"]],
                d["accessible"],
                d["remote"],
                rel,
                flag | (FLAG_SUPPORT if practice is support else 0),
            )
        )
    mixes_array = np.array(intimacy, dtype=np.float32).reshape(len(activities), len(TYPES))
    block = np.array(rows, dtype=np.int32).reshape(len(activities), len(_SCALARS))
    return mixes_array, block, tag_lists


#: The columns of :func:`_scalar_columns`'s integer block, in order.
_SCALARS = (
    "practice",
    "energy",
    "setting",
    "novelty",
    "depth",
    "minutes",
    "cost",
    "contact",
    "accessible",
    "remote",
    "relationships",
    "flags",
)
_PRACTICE_CODE = {p: i for i, p in enumerate(PRACTICES)}


#: Rows of the structure block normalised at once in :func:`_item_table`.
_ROWS_AT_ONCE = 65_536


def _item_table(activities: Sequence[Activity], order: I64 | None = None) -> ItemTable:
    n = len(activities)
    audience = audience_columns(activities, order)  # before ``order`` is reused below
    intimacy, block, tag_lists = _scalar_columns(activities)
    if order is not None:  # read in the given order, stored in row order
        intimacy, block = intimacy[order], block[order]
        tag_lists = [tag_lists[i] for i in order.tolist()]
    column = {name: block[:, i] for i, name in enumerate(_SCALARS)}
    share = intimacy / np.maximum(intimacy.sum(axis=1, keepdims=True), np.float32(1e-9))
    practice = column["practice"].astype(np.int8)
    energy = column["energy"].astype(np.int8)
    setting = column["setting"].astype(np.int8)
    novelty = column["novelty"].astype(np.int8)

    tags = _TagPostings.of(tag_lists, n)
    structure = _structure_block(share, (practice, energy, setting, novelty), tags, n)
    compact = _rounded_structure(structure)
    del structure

    return ItemTable(
        intimacy=intimacy,
        share=share.astype(np.float32),
        structure=compact,
        practice=practice,
        energy=energy,
        setting=setting,
        novelty=novelty,
        depth=column["depth"].astype(np.int8),
        minutes=column["minutes"].astype(np.int16),
        cost=column["cost"].astype(np.int8),
        contact=column["contact"].astype(np.int8),
        accessible=column["accessible"].astype(bool),
        remote=column["remote"].astype(bool),
        relationships=column["relationships"].astype(np.uint8),
        flags=column["flags"].astype(np.uint8),
        tag_names=tags.names,
        tag_ptr=tags.ptr,
        tag_items=tags.items,
        **audience,
    )


@dataclass(frozen=True)
class _TagPostings:
    """Every (item, tag) occurrence as flat arrays, and the postings sorted by tag then item."""

    counts: Counter[str]
    names: npt.NDArray[np.str_]
    column: dict[str, int]
    tag_of: I64
    item_of: npt.NDArray[np.int32]
    ptr: I64
    items: npt.NDArray[np.int32]

    @classmethod
    def of(cls, tag_lists: Sequence[Sequence[str]], n: int) -> _TagPostings:
        # Mapped at C speed, no list of (item, tag) tuples: at a million activities
        # that alone would be a quarter of a gigabyte.
        flat_tags = list(chain.from_iterable(tag_lists))
        lengths = np.fromiter(map(len, tag_lists), np.int64, n)
        item_of = np.repeat(np.arange(n, dtype=np.int32), lengths)
        counts = Counter(flat_tags)
        names = np.array(sorted(counts), dtype=np.str_)
        column = {t: i for i, t in enumerate(names.tolist())}
        tag_of = np.fromiter(map(column.__getitem__, flat_tags), np.int64, len(flat_tags))
        del flat_tags
        order = np.lexsort((item_of, tag_of))
        ptr = np.searchsorted(tag_of[order], np.arange(len(names) + 1)).astype(np.int64)
        return cls(counts, names, column, tag_of, item_of, ptr, item_of[order])


def _structure_block(
    share: npt.NDArray[np.float32],
    code_columns: tuple[npt.NDArray[np.int8], ...],
    tags: _TagPostings,
    n: int,
) -> npt.NDArray[np.float32]:
    """The weighted structure vectors (intimacy mix, one-hot codes, frequent tags), as float32.

    Built in place, block by block; :func:`_rounded_structure` then stores them as int8.
    """
    practice, energy, setting, novelty = code_columns
    tag_counts, tag_col, tag_of, item_of = tags.counts, tags.column, tags.tag_of, tags.item_of
    tag_names = tags.names
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
    # Each tag's column in the structure block, -1 when it is not among the frequent.
    tag_column = np.full(len(tag_names), -1, np.int64)
    tag_column[[tag_col[t] for t in frequent_col]] = starts["tags"] + np.arange(len(frequent_col))
    cols = tag_column[tag_of]
    rows = item_of[cols >= 0].astype(np.int64)
    cols = cols[cols >= 0]
    structure[rows, cols] = w["tags"]
    tag_count = np.zeros(n, np.float32)
    np.add.at(tag_count, rows, 1.0)
    structure[:, starts["tags"] :] /= np.sqrt(np.maximum(tag_count, 1.0))[:, None]
    return structure


def _rounded_structure(structure: npt.NDArray[np.float32]) -> npt.NDArray[np.int8]:
    """Normalised, scaled and rounded to int8 a slice of rows at a time (in place).

    The norm's temporary is then a slice, not a second copy of a block that takes
    344 MB at a million activities. Each row's arithmetic is the same either way.
    """
    compact = np.empty(structure.shape, np.int8)
    for start in range(0, len(structure), _ROWS_AT_ONCE):
        rows_now = structure[start : start + _ROWS_AT_ONCE]
        rows_now /= np.maximum(np.linalg.norm(rows_now, axis=1, keepdims=True), 1e-9)
        rows_now *= STRUCTURE_SCALE
        compact[start : start + _ROWS_AT_ONCE] = np.round(rows_now, out=rows_now)
    return compact


# --- safety and relationship kinds: the columns the content constraints read ---------

SITUATIONS = tuple(Situation)
PRESENCES = tuple(Presence)
AUDIENCE_ADULTS_ONLY = 1  # never for a pair with a minor in it
AUDIENCE_SAFETY_GATED = 2  # never when trust is an obstacle or someone reports fear
AUDIENCE_OPT_IN = 4  # only when both people opted in to its topic (never minors)


def audience_columns(
    activities: Sequence[Activity], order: I64 | None = None
) -> dict[str, npt.NDArray[Any]]:
    """The ``audience``, ``situation`` and ``presence`` columns, in row order.

    Examples
    --------
    >>> import recommender as rc
    >>> columns = audience_columns(rc.default_catalog().activities[:3])
    >>> sorted(columns), len(columns["presence"])
    (['audience', 'presence', 'situation'], 3)
    """
    situation_code = {s: i for i, s in enumerate(SITUATIONS)}
    presence_code = {p: i for i, p in enumerate(PRESENCES)}
    rows = np.array(
        [
            (
                (AUDIENCE_ADULTS_ONLY if a.adults_only else 0)
                | (AUDIENCE_SAFETY_GATED if a.safety_gated else 0)
                | (AUDIENCE_OPT_IN if a.opt_in is not None else 0),
                -1 if a.situational is None else situation_code[a.situational],
                presence_code[a.presence or Presence.together],
            )
            for a in activities
        ],
        np.int16,
    ).reshape(len(activities), 3)
    if order is not None:
        rows = rows[order]
    return {
        "audience": rows[:, 0].astype(np.uint8),
        "situation": rows[:, 1].astype(np.int8),
        "presence": rows[:, 2].astype(np.int8),
    }
