"""Where Chinese text may break between lines without cutting a word (no Qt).

Titles and table labels break only between words (GB/T 9704 §7.3.1: 回行时词意完整):
jieba finds the words; names the caller knows (issuing office, unit) stay whole where
the line allows; a 大写 amount such as （人民币壹佰元整） never breaks anywhere.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Iterable

from platformdirs import user_cache_dir

# The 大写 part that amounts.format_amount_wan writes after the 万元 figure.
_AMOUNT_IN_WORDS = re.compile(r"（人民币[^（）\n]*）")

_LOCK = threading.Lock()
_tokenizer = None


def _jieba():
    """One tokenizer, loaded on first use (its dictionary takes about a second)."""
    global _tokenizer
    with _LOCK:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # else it reports its dictionary load on stderr
            tokenizer = jieba.Tokenizer()
            # its parsed dictionary is cached for the next start: in the user's cache folder, not in the
            # shared temp folder (GOVIS_CACHE_DIR overrides, for tests and the self-test)
            cache = os.environ.get("GOVIS_CACHE_DIR") or user_cache_dir("govis", appauthor=False)
            try:
                os.makedirs(cache, exist_ok=True)
                tokenizer.tmp_dir = cache
            except OSError:
                pass  # no cache folder: jieba falls back to the temp folder
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


@functools.lru_cache(maxsize=4096)
def _word_starts(text: str) -> frozenset[int]:
    starts, pos = set(), 0
    for word in _jieba().cut(text, HMM=False):
        starts.add(pos)
        pos += len(word)
    return frozenset(starts)


def _inside(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    return {i for start, end in spans for i in range(start + 1, end)}


def amount_glue(text: str) -> set[int]:
    """Indices i whose character must stay on the line of character i-1: inside a 大写 amount."""
    return _inside(text, (m.span() for m in _AMOUNT_IN_WORDS.finditer(text)))


def word_glue(text: str, keep: Iterable[str] = ()) -> set[int]:
    """Indices i that are not a word start (a break before them would cut a word),
    and every index inside one of the `keep` names."""
    starts = _word_starts(text)
    glued = {i for i in range(1, len(text)) if i not in starts}
    spans = []
    for name in keep:
        if len(name) > 1:
            spans += [(m.start(), m.start() + len(name)) for m in re.finditer(re.escape(name), text)]
    return glued | _inside(text, spans)
