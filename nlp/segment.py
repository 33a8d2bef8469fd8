"""Word segmentation: jieba, initialised once per process with the community dictionary."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba

_USERDICT = Path(__file__).parent / "data" / "userdict.txt"
_lock = threading.Lock()
_ready = False
_added: set[str] = set()

# jieba announces its dictionary loading at DEBUG/INFO; replay's stdout must stay pure JSON.
jieba.setLogLevel(logging.WARNING)
logging.getLogger("jieba").setLevel(logging.WARNING)


def ensure_jieba(extra_words: Iterable[str] = ()) -> None:
    """Initialise jieba and the user dictionary once; add extra words idempotently."""
    global _ready
    with _lock:
        if not _ready:
            jieba.initialize()
            jieba.load_userdict(str(_USERDICT))
            _ready = True
        for word in extra_words:
            word = word.strip()
            if word and word not in _added:
                jieba.add_word(word, freq=50)
                _added.add(word)


def tokenize(text: str) -> list[str]:
    """Words of `text` (already normalised), whitespace dropped. HMM off: faster, and
    unknown words fall back to single characters, which the char n-grams cover."""
    ensure_jieba()
    return [w for w in jieba.lcut(text, HMM=False) if not w.isspace()]
