"""Pairs of submissions whose code for an exercise is suspiciously alike (MOSS-style winnowing).

For each exercise, each submission's code for it is cut down to what the student wrote: the
exercise's function and the top-level helpers it calls (one file may hold all the exercises),
without the stub's own lines, comments, docstrings or whitespace. Its tokens are normalised:
names become ``V`` unless they are keywords, builtins, the usual module aliases (torch, np, pd,
...) or, after a dot, attributes of torch, numpy or pandas; numbers become ``N`` and strings
``S``. Renaming variables, moving comments or blank lines therefore changes nothing. The token
stream is fingerprinted by winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local
algorithms for document fingerprinting", SIGMOD 2003): hashes of all k-grams of tokens, and in
every window of ``w`` consecutive hashes the smallest (the rightmost on ties). Any match of at
least ``w + k - 1`` tokens is found. A pair's similarity is the share of each side's tokens that
lie in shared k-grams, averaged over both sides.

Alike is not copied: many students write the same short canonical code. So, as MOSS's ``-m`` and
copydetect's boilerplate do, fingerprints of the stub and fingerprints held by more than
``COMMON`` of the class never count; exercises too short to tell copies from canonical code
(``left_out``) are left out and said so; and pairs, not (pair, exercise) rows, are ranked, by the
evidence over all exercises of code that the two share and few others have (``Pair``).

Why not copydetect (the well-kept MOSS-like library; it installs, with numpy, matplotlib,
jinja2, pygments and tqdm): it lexes with pygments, turns every name into the one character
``V``, torch's and numpy's functions included, and takes k-grams of characters, so two
independent solutions of a short exercise (``torch.clip`` against ``torch.relu``) look the same;
it cannot drop the stub's lines or keep to one function of a file that holds all five; and it
hashes with Python's per-process salted ``hash``. What it would bring, the winnowing itself, is the
twenty lines below; tokenising is the standard library's ``tokenize``.

Nothing here runs submission code: sources are read as text and parsed with ``ast``. The work
is linear in a capped size (comparing, the fingerprints times at most ``COMMON`` of the class): each source text is parsed and tokenised once however many exercises
it holds, the helpers an exercise uses are gathered once each, and at most
``bounds.MAX_SIMILARITY_BYTES`` of a submission's source text is considered.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import keyword
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from grader import bounds
from grader.course import Exercise
from grader.reports.text import clean

K = 5                 # tokens per k-gram (the noise threshold)
WINDOW = 4            # hashes per window: every shared run of K + WINDOW - 1 = 8 tokens is caught
MIN_TOKENS = 30       # code shorter than this (after the stub is removed) is too short to tell
SHORT_TOKENS = 40     # an exercise whose reference and most submissions are shorter than this is left out
THRESHOLD = 0.8       # share of two codes covered by rare shared fingerprints for the exercise to count
COMMON = 0.3          # a fingerprint held by more than this share of the submissions is common: it never counts
MIN_EVIDENCE = 0.7    # a pair's evidence (see ``Pair``) from which it is listed
EXCERPT_LINES = 80    # lines of each side shown

MODULES = {"torch", "nn", "F", "np", "numpy", "pd", "pandas", "math", "functools", "itertools"}
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}


@cache
def api_names() -> frozenset[str]:
    """Attribute names of torch, numpy and pandas (and their tensors, arrays and frames)."""
    import numpy
    import pandas
    import torch
    import torch.nn.functional

    names: set[str] = set()
    for obj in (torch, torch.Tensor, torch.nn, torch.nn.functional, numpy, numpy.ndarray, pandas,
                pandas.DataFrame, pandas.Series):
        names.update(n for n in dir(obj) if not n.startswith("__"))
    return frozenset(names)


@dataclass(frozen=True)
class Code:
    """One submission's code for one exercise, normalised."""

    student: str
    exercise: str
    filename: str
    lines: tuple[tuple[int, str], ...]     # (line number, text) of the code that was kept, to show
    tokens: tuple[str, ...]
    token_lines: tuple[int, ...]           # the line each token starts on


@dataclass(frozen=True)
class Match:
    """One exercise of a pair: how much of both codes the rare shared fingerprints cover."""

    exercise: str
    similarity: float
    a: Code
    b: Code
    a_ranges: tuple[tuple[int, int], ...]  # matched line ranges (first, last), inclusive
    b_ranges: tuple[tuple[int, int], ...]
    shared: int = 0                        # fingerprints the two share beyond the common ones and the stub's
    evidence: float = 0.0                  # 0-1: how much of the code they share that few others have (``Pair``)


@dataclass(frozen=True)
class Pair:
    """Two submissions and the exercises whose code they share beyond what the class has in common.

    An exercise counts when the two codes are alike (their shared fingerprints, the stub's aside,
    cover ``THRESHOLD`` of both) and they share fingerprints beyond the common ones. Its evidence,
    from 0 to 1, is the share of both codes those rare fingerprints cover times their mean weight,
    a fingerprint held by h submissions weighing 1 / (h - 1): code only these two wrote counts 1,
    code five wrote alike 1/4, code more than ``COMMON`` of the class wrote nothing. ``evidence`` is
    the sum over the exercises: about how many exercises' worth of code the two alone share. A copy
    of a few exercises therefore outweighs canonical code that a handful wrote independently."""

    a: str
    b: str
    matches: tuple[Match, ...]             # the exercises that count, most evidence first
    evidence: float

    @property
    def shared(self) -> int:
        return sum(m.shared for m in self.matches)


@dataclass(frozen=True)
class Similarity:
    """The outcome of comparing a class: the pairs listed, most evidence first, and what was left out."""

    pairs: tuple[Pair, ...]
    left_out: tuple[str, ...]              # exercises too short to tell copies from canonical code
    submissions: int
    common: float

    @property
    def matches(self) -> tuple[Match, ...]:
        """Every listed pair's exercises, the pairs in rank order (what the report shows)."""
        return tuple(m for pair in self.pairs for m in pair.matches)

    def left_out_line(self) -> str:
        """One line naming the exercises left out, or "" when none was."""
        if not self.left_out:
            return ""
        return f"left out: {', '.join(self.left_out)} (too short to tell copies from canonical code)"


def _node_lines(node: ast.stmt) -> range:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return range(first, (node.end_lineno or node.lineno) + 1)


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {t.id for t in targets if isinstance(t, ast.Name)}
    return set()


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        for child in getattr(node, "body", []) if isinstance(getattr(node, "body", None), list) else []:
            if isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant) \
                    and isinstance(child.value.value, str):
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _free_names(node: ast.stmt) -> set[str]:
    """Names ``node`` reads but does not bind itself (its parameters and local variables are not
    the module's: ``df`` in ``def f(df)`` is not a top-level ``df = ...``)."""
    read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {a.arg for n in ast.walk(node) if isinstance(n, ast.arguments)
              for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a is not None}
    return read - bound


class _Text:
    """What the similarity needs of one source text, worked out once however many exercises it
    holds: its lines, its syntax tree's top-level definitions and docstrings, and its tokens.
    Everything here is linear in the text's size (``_analysed`` keeps the last few)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self._tree: ast.Module | None | bool = False       # False: not parsed yet; None: does not parse
        self._top: dict[str, ast.stmt] = {}
        self._docstrings: set[int] = set()
        self._free: dict[int, set[str]] = {}                # id(node) -> its free names
        self._tokens: list[tuple[int, str, int]] | None | bool = False   # (type, string, line)
        self._by_line: dict[int, tuple[int, int]] = {}      # line -> the slice of its tokens

    def tree(self) -> ast.Module | None:
        if self._tree is False:
            try:
                self._tree = ast.parse(self.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._tree = None
            if self._tree is not None:
                for node in self._tree.body:
                    for name in _defined(node):
                        self._top[name] = node          # the last definition wins, as when the module runs
                self._docstrings = _docstring_lines(self._tree)
        return self._tree  # type: ignore[return-value]

    def exercise_lines(self, function: str) -> set[int]:
        if self.tree() is None or function not in self._top:
            return set()
        top = self._top
        chosen: dict[int, ast.stmt] = {}    # by id: one node may define several names
        todo = [top[function]]
        while todo:
            node = todo.pop()
            if id(node) in chosen:
                continue
            chosen[id(node)] = node
            if id(node) not in self._free:
                self._free[id(node)] = _free_names(node)
            todo.extend(top[name] for name in self._free[id(node)] if name in top and id(top[name]) not in chosen)
        lines = set().union(*(_node_lines(n) for n in chosen.values()))
        return lines - self._docstrings

    def tokens(self) -> list[tuple[int, str, int]] | None:
        """The text's tokens as (type, string, line), without the ones normalising always skips; an
        f-string (Python 3.12 splits it) is one STRING token on the line it starts on."""
        if self._tokens is False:
            self._tokens = self._tokenise()
            if self._tokens is not None:
                for position, (_, _, line) in enumerate(self._tokens):
                    first, _ = self._by_line.get(line, (position, position))
                    self._by_line[line] = (first, position + 1)
        return self._tokens  # type: ignore[return-value]

    def _tokenise(self) -> list[tuple[int, str, int]] | None:
        fstring_start = getattr(tokenize, "FSTRING_START", None)
        fstring_end = getattr(tokenize, "FSTRING_END", None)
        kept: list[tuple[int, str, int]] = []
        depth = 0
        try:
            for token in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if fstring_start is not None and token.type == fstring_start:
                    depth += 1
                    if depth == 1:
                        kept.append((tokenize.STRING, "", token.start[0]))
                    continue
                if depth:
                    depth -= token.type == fstring_end
                    continue
                if token.type not in _SKIP:
                    kept.append((token.type, token.string, token.start[0]))
        except (tokenize.TokenError, SyntaxError):
            return None
        return kept

    def tokens_on(self, keep: set[int]) -> Iterable[tuple[int, str, int]]:
        """The tokens that start on the lines in ``keep``, in order: only those lines are visited."""
        tokens = self.tokens() or []
        for line in sorted(keep):
            first, end = self._by_line.get(line, (0, 0))
            yield from tokens[first:end]


@lru_cache(maxsize=4)
def _analysed(text: str) -> _Text:
    """``text``'s analysis; a submission's exercises share their file's, so it is made once."""
    return _Text(text)


def exercise_lines(text: str, function: str) -> set[int]:
    """The lines of ``text`` that make up ``function`` and the top-level helpers it uses,
    without docstrings; empty when ``text`` does not define it at the top level."""
    return _analysed(text).exercise_lines(function)


def normalise(text: str, keep: set[int]) -> tuple[list[str], list[int]]:
    """The normalised tokens of ``text`` that start on a line in ``keep``, and their lines."""
    analysed = _analysed(text)
    if analysed.tokens() is None:
        return [], []
    tokens: list[str] = []
    lines: list[int] = []
    api = api_names()
    previous = ""
    for kind, string, line in analysed.tokens_on(keep):
        if kind == tokenize.NAME:
            if keyword.iskeyword(string) or keyword.issoftkeyword(string) and string != "_":
                value = string
            elif previous == ".":
                value = string if string in api else "V"
            elif string in MODULES or hasattr(builtins, string):
                value = string
            else:
                value = "V"
        elif kind == tokenize.NUMBER:
            value = "N"
        elif kind == tokenize.STRING:
            value = "S"
        else:
            value = string
        tokens.append(value)
        lines.append(line)
        previous = value
    return tokens, lines


def code_for(student: str, exercise: Exercise, text: str, filename: str, stub: str) -> Code | None:
    """``student``'s code for ``exercise`` from the source ``text``, without the lines of the ``stub``;
    None when the source does not define the exercise's function."""
    analysed = _analysed(text)
    keep = analysed.exercise_lines(exercise.function)
    if not keep:
        return None
    stub_lines = {line.strip() for line in stub.splitlines() if line.strip()}
    source_lines = analysed.lines
    keep = {n for n in keep if n <= len(source_lines) and source_lines[n - 1].strip()
            and source_lines[n - 1].strip() not in stub_lines}
    tokens, token_lines = normalise(text, keep)
    shown = tuple((n, source_lines[n - 1]) for n in sorted(keep))
    return Code(student, exercise.id, filename, shown, tuple(tokens), tuple(token_lines))


def _hash(gram: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(gram).encode(), digest_size=8).digest(), "big")


def fingerprints(tokens: tuple[str, ...], k: int = K, window: int = WINDOW) -> dict[int, list[int]]:
    """Winnowing: hash -> the token positions of the k-grams it was selected at."""
    hashes = [_hash(tokens[i:i + k]) for i in range(len(tokens) - k + 1)]
    selected: dict[int, list[int]] = {}
    last = -1
    for start in range(max(1, len(hashes) - window + 1)):
        frame = hashes[start:start + window]
        if not frame:
            break
        low = min(frame)
        position = start + max(i for i, h in enumerate(frame) if h == low)   # the rightmost minimum
        if position != last:
            selected.setdefault(hashes[position], []).append(position)
            last = position
    return selected


def _ranges(lines: Iterable[int], kept: list[int]) -> tuple[tuple[int, int], ...]:
    """Covered line numbers as (first, last) ranges; ``kept`` are the lines that hold tokens, so a
    gap of lines without any (comments, the stub's lines) does not split a range."""
    covered = sorted(set(lines))
    if not covered:
        return ()
    index = {n: i for i, n in enumerate(kept)}
    ranges = [[covered[0], covered[0]]]
    for line in covered[1:]:
        if index.get(line, -2) - index.get(ranges[-1][1], -9) <= 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    return tuple((a, b) for a, b in ranges)


def _covered(code: Code, found: dict[int, list[int]], shared: Iterable[int], k: int) -> set[int]:
    return {p + i for h in shared for p in found[h] for i in range(k)}


def _share(a: Code, b: Code, fa: dict[int, list[int]], fb: dict[int, list[int]], shared: Iterable[int],
           k: int = K) -> float:
    """The share of both codes (averaged) that the ``shared`` fingerprints cover."""
    shared = list(shared)
    if not shared or not a.tokens or not b.tokens:
        return 0.0
    return (len(_covered(a, fa, shared, k)) / len(a.tokens) + len(_covered(b, fb, shared, k)) / len(b.tokens)) / 2


def _match(exercise: str, a: Code, b: Code, fa: dict[int, list[int]], fb: dict[int, list[int]],
           shared: Iterable[int], k: int = K) -> tuple[float, tuple, tuple]:
    """The share of both codes the ``shared`` fingerprints cover (averaged) and their line ranges."""
    shared = list(shared)
    if not shared or not a.tokens or not b.tokens:
        return 0.0, (), ()
    covered = [_covered(a, fa, shared, k), _covered(b, fb, shared, k)]
    similarity = (len(covered[0]) / len(a.tokens) + len(covered[1]) / len(b.tokens)) / 2
    ranges = [_ranges((code.token_lines[p] for p in positions), sorted(set(code.token_lines)))
              for code, positions in zip((a, b), covered)]
    return similarity, ranges[0], ranges[1]


def compare(a: Code, b: Code, k: int = K, window: int = WINDOW,
            prints: tuple[dict[int, list[int]], dict[int, list[int]]] | None = None) -> tuple[float, tuple, tuple]:
    """Similarity of two codes (0-1) and the matched line ranges in each (``prints``: their
    fingerprints, when already computed); every shared fingerprint counts."""
    fa, fb = prints or (fingerprints(a.tokens, k, window), fingerprints(b.tokens, k, window))
    return _match(a.exercise, a, b, fa, fb, fa.keys() & fb.keys(), k)




def left_out(codes: list[Code], references: dict[str, Code], short: int = SHORT_TOKENS) -> list[str]:
    """The exercises too short to tell copies from canonical code: the reference solution and
    most of the submissions that wrote something have fewer than ``short`` normalised tokens."""
    lengths: dict[str, list[int]] = {}
    for code in codes:
        if code.tokens:
            lengths.setdefault(code.exercise, []).append(len(code.tokens))
    out = []
    for exercise, found in lengths.items():
        reference = references.get(exercise)
        if (reference is None or len(reference.tokens) < short) and 2 * sum(n < short for n in found) > len(found):
            out.append(exercise)
    return out


def compare_class(codes: list[Code], *, stubs: dict[str, Code] | None = None,
                  references: dict[str, Code] | None = None, common: float = COMMON,
                  threshold: float = THRESHOLD, min_evidence: float = MIN_EVIDENCE,
                  short: int = SHORT_TOKENS, min_tokens: int = MIN_TOKENS) -> Similarity:
    """The pairs of submissions whose code is alike beyond what the class has in common.

    Per exercise (unless ``left_out``): each code's fingerprints are computed once; a fingerprint
    of the stub's code (``stubs``), or held by more than ``common`` of the submissions (and by more
    than two), never counts (MOSS's ``-m``). Pairs are found through an inverted index of the
    remaining fingerprints, so the work is the fingerprints times at most ``common`` of the class.
    An exercise counts for a pair when their shared fingerprints cover ``threshold`` of both codes
    and some are not common; a pair is listed when its evidence (``Pair``) reaches ``min_evidence``."""
    stubs, references = stubs or {}, references or {}
    submissions = len({code.student for code in codes})
    limit = max(2, int(common * submissions))         # held by more submissions than this: common
    skipped = left_out(codes, references, short)
    by_exercise: dict[str, list[Code]] = {}
    for code in codes:
        if len(code.tokens) >= min_tokens and code.exercise not in skipped:
            by_exercise.setdefault(code.exercise, []).append(code)
    # First the cheap bound: an exercise's evidence is at most the mean weight of the rare
    # fingerprints a pair shares there; only pairs whose bound reaches min_evidence are compared.
    found: list[tuple[str, list[Code], list[dict[int, list[int]]], dict[int, list[int]], set[int],
                      dict[tuple[int, int], list[int]]]] = []
    bound: dict[tuple[str, str], float] = {}
    for exercise, group in by_exercise.items():
        stub = stubs.get(exercise)
        boilerplate = set(fingerprints(stub.tokens)) if stub is not None and stub.tokens else set()
        prints = [fingerprints(code.tokens) for code in group]
        holders: dict[int, list[int]] = {}
        for index, held in enumerate(prints):
            for h in held:
                holders.setdefault(h, []).append(index)
        shared: dict[tuple[int, int], list[int]] = {}
        for h, indices in holders.items():
            if len(indices) < 2 or len(indices) > limit or h in boilerplate:
                continue
            for n, i in enumerate(indices):
                for j in indices[n + 1:]:
                    shared.setdefault((i, j), []).append(h)
        for (i, j), hashes in shared.items():
            key = tuple(sorted((group[i].student, group[j].student)))
            bound[key] = bound.get(key, 0.0) + sum(1 / (len(holders[h]) - 1) for h in hashes) / len(hashes)
        found.append((exercise, group, prints, holders, boilerplate, shared))
    per_pair: dict[tuple[str, str], list[tuple]] = {}
    for exercise, group, prints, holders, boilerplate, shared in found:
        for (i, j), hashes in shared.items():
            a, b = group[i], group[j]
            if bound[tuple(sorted((a.student, b.student)))] < min_evidence:
                continue
            alike = (prints[i].keys() & prints[j].keys()) - boilerplate
            if _share(a, b, prints[i], prints[j], alike) < threshold:
                continue
            weight = sum(1 / (len(holders[h]) - 1) for h in hashes) / len(hashes)
            evidence = _share(a, b, prints[i], prints[j], hashes) * weight
            if a.student > b.student:
                i, j, a, b = j, i, b, a
            per_pair.setdefault((a.student, b.student), []).append((exercise, a, b, prints[i], prints[j], alike,
                                                                    len(hashes), evidence))
    pairs = []
    for (a_name, b_name), found_matches in per_pair.items():
        evidence = round(sum(m[-1] for m in found_matches), 3)
        if evidence < min_evidence:
            continue
        matches = []
        for exercise, a, b, fa, fb, alike, count, weight in found_matches:   # the line ranges, for the listed only
            similarity, a_ranges, b_ranges = _match(exercise, a, b, fa, fb, alike)
            matches.append(Match(exercise, similarity, a, b, a_ranges, b_ranges, count, round(weight, 3)))
        matches.sort(key=lambda m: (-m.evidence, m.exercise))
        pairs.append(Pair(a_name, b_name, tuple(matches), evidence))
    pairs.sort(key=lambda p: (-p.evidence, -len(p.matches), p.a, p.b))
    return Similarity(tuple(pairs), tuple(sorted(skipped)), submissions, common)


def similar_pairs(codes: list[Code], threshold: float = THRESHOLD, min_tokens: int = MIN_TOKENS) -> list[Match]:
    """The (pair, exercise) matches of ``compare_class`` with its defaults, the pairs in rank order."""
    return list(compare_class(codes, threshold=threshold, min_tokens=min_tokens).matches)


def course_codes(course: Path, exercises: list[Exercise]) -> tuple[dict[str, Code], dict[str, Code]]:
    """The stubs' code and the reference solutions' code, per exercise (missing files are left out)."""
    stubs, references = {}, {}
    for exercise in exercises:
        for folder, into in (("exercises", stubs), ("solutions", references)):
            path = Path(course) / folder / exercise.path
            if path.is_file():
                code = code_for(folder, exercise, path.read_text(encoding="utf-8"), exercise.path, "")
                if code is not None:
                    into[exercise.id] = code
    _analysed.cache_clear()
    return stubs, references


def read_codes(course: Path, paths: list[Path], exercises: list[Exercise]) -> list[Code]:
    """Every submission's code for every exercise it defines (read as text, never run)."""
    from grader.submission import read_submission

    stubs = {}
    for exercise in exercises:
        stub = Path(course) / "exercises" / exercise.path
        stubs[exercise.id] = stub.read_text(encoding="utf-8") if stub.is_file() else ""
    codes = []
    for path in paths:
        try:
            submission = read_submission(Path(path), exercises)
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - an unreadable submission has no code
            del exc
            continue
        # At most bounds.MAX_SIMILARITY_BYTES of each submission's source text is parsed and
        # tokenised (its files in the course's order); a file past that is not compared.
        room, taken = bounds.MAX_SIMILARITY_BYTES, set()
        for exercise in exercises:
            source = submission.sources.get(exercise.id)
            if source is None:
                continue
            if source.filename not in taken:
                size = len(source.text.encode("utf-8", "surrogatepass"))
                if size > room:
                    continue
                room -= size
                taken.add(source.filename)
            code = code_for(submission.name, exercise, source.text, source.filename, stubs[exercise.id])
            if code is not None:
                codes.append(code)
    _analysed.cache_clear()   # the last few files' trees and tokens are not kept past the comparison
    return codes


def compare_submissions(course: Path, paths: list[Path], exercises: list[Exercise], *,
                        threshold: float = THRESHOLD, common: float = COMMON,
                        min_evidence: float = MIN_EVIDENCE) -> Similarity:
    """Compare the submissions at ``paths`` (read as text, never run): ``compare_class`` with the
    course's stubs and reference solutions."""
    stubs, references = course_codes(course, exercises)
    return compare_class(read_codes(course, paths, exercises), stubs=stubs, references=references,
                         common=common, threshold=threshold, min_evidence=min_evidence)


def find_similar(course: Path, paths: list[Path], exercises: list[Exercise],
                 threshold: float = THRESHOLD, common: float = COMMON,
                 min_evidence: float = MIN_EVIDENCE) -> list[Match]:
    """The listed pairs' exercises among the submissions at ``paths``, the pairs most alike first."""
    return list(compare_submissions(course, paths, exercises, threshold=threshold, common=common,
                                    min_evidence=min_evidence).matches)


def describe_ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """'3-7, 12' for ranges ((3, 7), (12, 12))."""
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)


def _who(student: str, filename: str | None, students: dict[str, str]) -> str:
    owner = students.get(student)
    shown = f"{student}{f' [{owner}]' if owner and owner != student else ''}"
    return shown + (f" ({filename})" if filename else "")


def terminal_table(matches: list[Match], students: dict[str, str] | None = None):
    """A rich table of (pair, exercise) rows: exercise, the two submissions (with the student each
    belongs to, from ``students``: submission name -> student id), similarity and matched lines."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Suspiciously alike code", header_style="bold")
    for column in ("exercise", "submission A", "lines", "submission B", "lines", "similar"):
        table.add_column(column, justify="right" if column == "similar" else "left")
    students = students or {}
    for m in matches:
        table.add_row(m.exercise, Text(clean(_who(m.a.student, m.a.filename, students), 80)),
                      describe_ranges(m.a_ranges), Text(clean(_who(m.b.student, m.b.filename, students), 80)),
                      describe_ranges(m.b_ranges), f"{m.similarity:.0%}")
    return table


def pairs_table(result: Similarity, students: dict[str, str] | None = None):
    """A rich table of the listed pairs, most evidence first: the pair, its evidence, and per
    exercise the shared fingerprints beyond the common ones and the matched lines on each side."""
    from rich.table import Table
    from rich.text import Text

    students = students or {}
    table = Table(title=f"Pairs with code few others share ({len(result.pairs)} of "
                        f"{result.submissions * (result.submissions - 1) // 2} pairs)", header_style="bold")
    for column in ("#", "submission A", "submission B", "evidence", "exercise", "shared", "lines A", "lines B",
                   "alike"):
        table.add_column(column, justify="right" if column in ("#", "evidence", "shared", "alike") else "left")
    for rank, pair in enumerate(result.pairs, 1):
        for n, m in enumerate(pair.matches):
            first = n == 0
            table.add_row(str(rank) if first else "",
                          Text(clean(_who(pair.a, None, students), 60)) if first else "",
                          Text(clean(_who(pair.b, None, students), 60)) if first else "",
                          f"{pair.evidence:.2f}" if first else "", m.exercise, str(m.shared),
                          describe_ranges(m.a_ranges), describe_ranges(m.b_ranges), f"{m.similarity:.0%}",
                          end_section=n == len(pair.matches) - 1)
    return table


def side_by_side(pair: Pair, lines: int = EXCERPT_LINES) -> list:
    """Rich renderables showing each exercise of ``pair``: both codes side by side, the matched
    lines marked (the code is text from a submission: cleaned, and never read as markup)."""
    from rich.columns import Columns
    from rich.panel import Panel
    from rich.text import Text

    def side(code: Code, ranges: tuple[tuple[int, int], ...]) -> Panel:
        hit = {n for first, last in ranges for n in range(first, last + 1)}
        text = Text()
        for number, line in code.lines[:lines]:
            text.append(f"{number:>4} ", style="dim")
            text.append(clean(line, 200).replace("\n", " ") + "\n", style="bold yellow" if number in hit else "")
        if len(code.lines) > lines:
            text.append(f"… {len(code.lines) - lines} more lines\n", style="dim")
        return Panel(text, title=Text(clean(f"{code.student} · {code.filename}", 80)), expand=True)

    shown = []
    for m in pair.matches:
        shown.append(Text(f"{m.exercise}: {m.similarity:.0%} alike, {m.shared} fingerprints beyond the common ones",
                          style="bold"))
        shown.append(Columns([side(m.a, m.a_ranges), side(m.b, m.b_ranges)], equal=True, expand=True))
    return shown
