"""Word segmentation: jieba's dictionary, initialised once per process with the community words.

`tokenize` returns exactly what `jieba.lcut(text, HMM=False)` returns (whitespace dropped), but
runs jieba's dictionary segmentation itself: jieba builds a DAG dict, then a route dict through a
generator per character, then yields words one by one; here one backward pass over each block
finds the best route directly. Same dictionary (jieba.dt.FREQ, read at call time so words added
later count), same scores computed with the same float operations, same tie-breaking: identical
words, roughly twice as fast (tests/test_nlp_analyze.py checks it against jieba).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from math import log
from pathlib import Path

import jieba

_USERDICT = Path(__file__).parent / "data" / "userdict.txt"
_lock = threading.Lock()
_ready = False
_added: set[str] = set()

# jieba's own block patterns, so that blocks split exactly as in jieba.cut.
_HAN = jieba.re_han_default  # runs of CJK, ASCII letters/digits and +#&._%-: segmented
_SKIP = jieba.re_skip_default  # whitespace inside the other runs
# What jieba's re_eng ([a-zA-Z0-9]) matches in a one-character word: glued to its neighbours.
_ENG_CHARS = frozenset(ch for ch in map(chr, range(128)) if jieba.re_eng.match(ch))
# Below any score a word can have (scores are finite): the first candidate always wins.
_NO_WORD = float("-inf")

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


def _cut_block(block: str, freq: dict[str, int], logtotal: float, out: list[str]) -> None:
    """Append jieba's dictionary-only (HMM=False) words of one CJK/ASCII block to `out`.

    jieba: route[k] = max((log(FREQ[w] or 1) - logtotal + route[end+1], end) for each dictionary
    word w = block[k:end+1]), the single character when there is none; ties go to the longer
    word (tuple comparison), hence `>=` below while ends grow.
    """
    n = len(block)
    get = freq.get
    alone = 0.0 - logtotal  # log(1) - logtotal: a character that is no word
    score = [0.0] * (n + 1)
    route = [0] * n
    for k in range(n - 1, -1, -1):
        best = _NO_WORD
        end = k
        # Every prefix of a dictionary word is a key of FREQ (count 0 if not a word itself),
        # so the extension stops at the first fragment that is not a key.
        count = get(block[k])
        while count is not None:
            if count:
                s = log(count) - logtotal + score[end + 1]
                if s >= best:
                    best = s
                    route[k] = end
            end += 1
            if end == n:
                break
            count = get(block[k : end + 1])
        if best is _NO_WORD:  # no word starts here: the character alone
            best = alone + score[k + 1]
            route[k] = k
        score[k] = best
    k = 0
    glued = ""
    while k < n:
        end = route[k] + 1
        word = block[k:end]
        if word in _ENG_CHARS:  # single ASCII letters/digits (jieba's re_eng) run together
            glued += word
        else:
            if glued:
                out.append(glued)
                glued = ""
            out.append(word)
        k = end
    if glued:
        out.append(glued)


def tokenize(text: str) -> list[str]:
    """Words of `text` (already normalised), whitespace dropped. HMM off: faster, and
    unknown words fall back to single characters, which the char n-grams cover."""
    if not _ready:
        ensure_jieba()
    dt = jieba.dt
    if not dt.initialized:  # jieba.set_dictionary() since: reload, as jieba.lcut would
        dt.initialize()
    freq = dt.FREQ
    logtotal = log(dt.total)
    out: list[str] = []
    for block in _HAN.split(text):
        if not block:
            continue
        if _HAN.match(block):
            _cut_block(block, freq, logtotal, out)
        else:
            for piece in _SKIP.split(block):
                if _SKIP.match(piece):
                    continue  # whitespace: dropped
                out.extend(ch for ch in piece if not ch.isspace())
    return out
