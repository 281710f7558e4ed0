"""A fitted model of a catalogue, cached on disk so the quick path skips fitting.

The cache key hashes the catalogue files' bytes, the hyperparameters and the
library and model-format versions, so an edited catalogue or a new release
never reads a stale model. Models are stored with :meth:`Recommender.save`
(``.npz`` + JSON, no pickle) and re-validated on load; an unreadable cache
entry is rebuilt, never trusted. Loading a cached model needs numpy and
pydantic only, not scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from ._io import MAX_FILE_BYTES
from .catalog import _catalog_files, default_catalog_path, load_catalog
from .errors import ModelFileError
from .model import MODEL_VERSION, Recommender

__all__ = ["cache_dir", "fitted"]

logger = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where cached models live: ``$CLOSER_CACHE_DIR`` or the user's cache folder."""
    override = os.environ.get("CLOSER_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("closer", appauthor=False))


def _key(catalog_path: Path, params: dict[str, Any]) -> str:
    from . import __version__

    digest = hashlib.sha256()
    digest.update(json.dumps([__version__, MODEL_VERSION, params], sort_keys=True).encode())
    files = _catalog_files(catalog_path) if catalog_path.is_dir() else [catalog_path]
    for file in files:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            raise OSError("not hashed")  # fitted() lets the loader report it
        digest.update(
            str(file.relative_to(catalog_path) if file != catalog_path else file.name).encode()
        )
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def fitted(catalog_path: str | os.PathLike[str] | None = None, **params: Any) -> Recommender:
    """A :class:`Recommender` fitted on a catalogue, from the cache when possible.

    Parameters
    ----------
    catalog_path : path, optional
        Catalogue file or folder; the bundled catalogue when omitted.
    **params
        Recommender hyperparameters.

    Examples
    --------
    >>> model = fitted(strategy="average")
    >>> model.strategy, len(model.activity_ids_) > 300
    ('average', True)
    """
    path = Path(catalog_path) if catalog_path is not None else default_catalog_path()
    model = Recommender(**params)
    model._validate_params()
    try:
        entry = cache_dir() / f"model-{_key(path, model.get_params())}.npz"
    except OSError:  # unreadable catalogue: let the loader raise the real error
        return model.fit(load_catalog(path))
    try:
        cached = entry.is_file()
    except OSError as exc:  # an unreadable cache folder (chmod 000): work without it
        logger.warning(
            "the model cache %s cannot be read (%s); working without it",
            entry.parent,
            exc.strerror or exc,
        )
        return model.fit(load_catalog(path))
    if cached:
        try:
            return Recommender.load(entry)
        except ModelFileError:
            logger.warning("cached model %s is unreadable; rebuilding it", entry)
    model.fit(load_catalog(path))
    try:
        model.save(entry)
    except OSError as exc:  # WriteError too: a read-only cache only costs speed
        logger.debug("could not cache the model in %s: %s", entry, exc)
    return model
