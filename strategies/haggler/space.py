"""A seat's whole hypothesis set as flat numpy arrays (the batched form of :mod:`.hypotheses`).

Think of the padded tables (H, S_max, A, O) of all hypotheses, with the padding dropped:
every (hypothesis, state) pair is one *row*. Hypothesis h's state s is row
``row_base[h] + s * row_stride[h]``; one int32 table ``next_rows`` of shape (A·O, R)
holds, per column c = a·O + o, the next row T(s, a, o) in the same hypothesis, or −1 where
o ∉ B(s, a). Tracking every hypothesis along a match is then one gather per round
(``next_rows[c].take(rows)``), and robust value iteration works on all rows at once
(:mod:`.value_iteration`).

Hypotheses of the same size are generated in blocks laid out *state-major* (row =
block start + s · block size + j, stride = block size): hypotheses in the same state sit
next to each other, so the per-round gather reads memory almost sequentially even at 10⁶
hypotheses. Classes are laid out in the order of :data:`.hypotheses.KINDS` (⊤ is
hypothesis 0). Password hypotheses are generated block by block (password length n ×
loop length m) straight into this layout, with no Python loop per hypothesis.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .hypotheses import KINDS, Hypothesis, SeatGame, automaton, constant, describe, password, resettable, top

KIND_CODE = {k: i for i, k in enumerate(KINDS)}
AUTOMATON_ENUMERATION_LIMIT = 500_000
"""Largest number of raw transition tables enumerated for the automaton class."""


# ------------------------------------------------------------------ counting (cheap, for check())
def _mobius(n: int) -> int:
    res, p, m = 1, 2, n
    while p * p <= m:
        if m % p == 0:
            m //= p
            if m % p == 0:
                return 0
            res = -res
        p += 1
    return -res if m > 1 else res


def count_loops(n_pairs: int, n_good: int, m: int) -> int:
    """Primitive words of length m over ``n_pairs`` letters that contain one of ``n_good`` letters.

    Words with a good letter: f(d) = P^d − (P−g)^d; every such word is a power of exactly one
    primitive word with a good letter, so Möbius inversion gives the primitive count.
    """
    return sum(_mobius(m // d) * (n_pairs**d - (n_pairs - n_good) ** d) for d in range(1, m + 1) if m % d == 0)


def count_passwords(n_actions: int, N: int) -> int:
    return sum(n_actions**n for n in range(N + 1))


def count_password_hypotheses(sg: SeatGame, N: int, M: int, prune: bool) -> int:
    P = sg.n_actions * sg.n_obs
    g = int(good_pairs(sg).sum()) if prune else P
    return count_passwords(sg.n_actions, N) * sum(count_loops(P, g, m) for m in range(1, M + 1))


def good_pairs(sg: SeatGame) -> np.ndarray:
    """(A·O,) bool: pairs whose reward exceeds ⊤'s value. A loop without one can never be
    worth more than ⊤ (every step then earns at most the maximin), so it is not generated
    when pruning is on."""
    return (sg.reward > sg.maximin + sg.tolerance).ravel()


# ------------------------------------------------------------------ enumeration helpers
def all_words(alphabet: int, length: int) -> np.ndarray:
    """All words of ``length`` over range(alphabet), shape (alphabet**length, length), lexicographic."""
    if length == 0:
        return np.zeros((1, 0), dtype=np.int64)
    return np.indices((alphabet,) * length).reshape(length, -1).T.astype(np.int64)


def primitive_loops(sg: SeatGame, m: int, prune: bool) -> np.ndarray:
    """Loops of length m as pair codes a·O + o, shape (K, m): primitive words (a loop that
    repeats a shorter one is that hypothesis already); with ``prune``, only loops containing
    a pair worth more than ⊤. Every rotation is a separate loop."""
    P = sg.n_actions * sg.n_obs
    words = all_words(P, m)
    keep = np.ones(len(words), dtype=bool)
    for d in range(1, m):
        if m % d == 0:  # a power of a word of length d equals its rotation by d
            keep &= ~np.all(words == np.roll(words, -d, axis=1), axis=1)
    if prune:
        keep &= good_pairs(sg)[words].any(axis=1)
    return words[keep]


def canonical_deltas(q: int, A: int) -> np.ndarray:
    """Transition tables (K, q, A) of accessible automata in canonical BFS numbering.

    Reading delta row by row, each new state must be the next unused number (a restricted
    growth string) and state j must be discovered before its own row is read. Every
    accessible automaton is isomorphic to exactly one such table.
    """
    flat = all_words(q, q * A)
    if q == 1:
        return flat.reshape(-1, 1, A)
    prev_max = np.maximum.accumulate(np.concatenate([np.zeros((len(flat), 1), np.int64), flat[:, :-1]], axis=1), axis=1)
    ok = np.all(flat <= prev_max + 1, axis=1)
    for j in range(1, q):  # state j appears before row j starts
        ok &= np.any(flat[:, : j * A] == j, axis=1)
    return flat[ok].reshape(-1, q, A)


def minimal_automata(sg: SeatGame, q: int) -> tuple[np.ndarray, np.ndarray]:
    """All distinct behaviours needing exactly q states: (out (K, q), delta (K, q, A)).

    Accessible (canonical numbering) and minimal (no two states with the same output on
    every own-action word of length ≤ q — enough to separate states of a q-state machine).
    """
    return _minimal_automata(sg.n_actions, sg.n_obs, q)


@functools.lru_cache(maxsize=32)
def _minimal_automata(A: int, O: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    deltas = canonical_deltas(q, A)
    n_raw = len(deltas) * O**q  # checked before the O^q output words are enumerated
    if n_raw > AUTOMATON_ENUMERATION_LIMIT:
        raise ValueError(
            f"automata with {q} states over {A} own actions and {O} observations would need "
            f"{n_raw:,} tables to enumerate (limit {AUTOMATON_ENUMERATION_LIMIT:,}); lower max_automaton"
        )
    outs = all_words(O, q)
    # small dtypes: q <= a few states, O < 2**15 observations
    D = np.repeat(deltas.astype(np.int8), len(outs), axis=0)  # (K, q, A)
    Out = np.tile(outs.astype(np.int16), (len(deltas), 1))  # (K, q)
    K = len(D)
    # outputs along every word of length <= q, from every state
    outputs: list[np.ndarray] = [Out]  # depth 0
    cur: np.ndarray = np.broadcast_to(np.arange(q), (K, q)).copy()[:, :, None]  # (K, q, words)
    rows = np.arange(K)[:, None, None, None]
    for _ in range(q):
        cur = D[rows, cur[:, :, :, None], np.arange(A)].reshape(K, q, -1)  # extend each word by every action
        outputs.append(Out[np.arange(K)[:, None, None], cur].reshape(K, q, -1))
    sig = np.concatenate([s.reshape(K, q, -1) for s in outputs], axis=2)
    minimal = np.ones(K, dtype=bool)
    for i, j in itertools.combinations(range(q), 2):
        minimal &= ~np.all(sig[:, i] == sig[:, j], axis=1)
    out, delta = Out[minimal].astype(np.int64), D[minimal].astype(np.int64)
    out.setflags(write=False)
    delta.setflags(write=False)
    return out, delta


# ------------------------------------------------------------------ the space
@dataclass
class SpaceSpec:
    """What hypotheses to generate (a hashable part of the haggler's configuration)."""

    classes: tuple[str, ...] = ("top", "constant", "automaton", "password")
    max_password: int = 3
    max_loop: int = 2
    max_automaton: int = 2
    prune: bool = True
    custom: tuple[Hypothesis, ...] = ()

    def key(self) -> tuple:
        return (
            self.classes,
            self.max_password,
            self.max_loop,
            self.max_automaton,
            self.prune,
            tuple(h.key() for h in self.custom),
        )


@dataclass
class HypothesisSpace:
    """The batched hypothesis set of one seat (see the module docstring for the layout).

    Per-hypothesis columns (length H): ``row_base``/``row_stride`` (where its states are),
    ``start_rows``, ``kind`` (code into :data:`KINDS`), ``n_states``,
    ``password_length`` / ``loop_length`` (−1 outside the password class),
    ``password_code`` / ``loop_code`` (the password in base |A|, the loop's pairs
    a·O + o in base |A||O|, most significant first), ``member`` (observation of a constant,
    index into ``automata_out``/``automata_delta``, or into ``custom``).
    """

    sg: SeatGame
    next_rows: np.ndarray  # (A*O, R) int32
    row_base: np.ndarray  # (H,) int64
    row_stride: np.ndarray  # (H,) int64
    start_rows: np.ndarray  # (H,) int32
    kind: np.ndarray  # (H,) int8
    n_states: np.ndarray  # (H,) int32
    password_length: np.ndarray  # (H,) int16
    loop_length: np.ndarray  # (H,) int16
    password_code: np.ndarray  # (H,) int64
    loop_code: np.ndarray  # (H,) int64
    member: np.ndarray  # (H,) int64
    automata_out: list = field(default_factory=list)  # per automaton: tuple out
    automata_delta: list = field(default_factory=list)
    custom: tuple[Hypothesis, ...] = ()
    hint: np.ndarray | None = None  # (R,) int8 "natural" action per row (−1: none), only to speed up solving

    @property
    def n_hypotheses(self) -> int:
        return len(self.kind)

    @property
    def n_rows(self) -> int:
        return self.next_rows.shape[1]

    def _all_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(hypothesis, row) of every row, hypothesis by hypothesis."""
        S = self.n_states.astype(np.int64)
        h = np.repeat(np.arange(self.n_hypotheses, dtype=np.int64), S)
        first = np.concatenate([[0], np.cumsum(S)[:-1]])
        local = np.arange(int(S.sum()), dtype=np.int64) - np.repeat(first, S)
        return h, self.row_base[h] + local * self.row_stride[h]

    @cached_property
    def owner(self) -> np.ndarray:
        """(R,) int32: the hypothesis owning each row."""
        h, rows = self._all_rows()
        out = np.empty(self.n_rows, dtype=np.int32)
        out[rows] = h
        out.setflags(write=False)
        return out

    def rows_of(self, h: int) -> np.ndarray:
        """The rows of hypothesis h's states, in local state order."""
        return int(self.row_base[h]) + np.arange(int(self.n_states[h]), dtype=np.int64) * int(self.row_stride[h])

    def local_state(self, h: int, row: int) -> int:
        return (int(row) - int(self.row_base[h])) // int(self.row_stride[h])

    def hypothesis_max(self, values: np.ndarray) -> np.ndarray:
        """(H,) the largest row value of every hypothesis."""
        out = np.full(self.n_hypotheses, -np.inf)
        np.maximum.at(out, self.owner, values)
        return out

    @property
    def nbytes(self) -> int:
        return sum(
            a.nbytes
            for a in (
                self.next_rows,
                self.row_base,
                self.row_stride,
                self.start_rows,
                self.kind,
                self.n_states,
                self.password_length,
                self.loop_length,
                self.password_code,
                self.loop_code,
                self.member,
            )
        )

    def kind_name(self, h: int) -> str:
        return KINDS[int(self.kind[h])]

    # ------------------------------------------------------------ single hypotheses
    def hypothesis(self, h: int) -> Hypothesis:
        """Hypothesis ``h`` as a :class:`Hypothesis` object (built from its class parameters)."""
        sg, kind = self.sg, self.kind_name(h)
        if kind == "top":
            return top(sg)
        if kind == "constant":
            return constant(sg, int(self.member[h]))
        if kind == "automaton":
            i = int(self.member[h])
            return automaton(sg, self.automata_out[i], self.automata_delta[i])
        if kind == "password":
            return password(sg, *self.password_parts(h))
        return self.custom[int(self.member[h])]

    def password_parts(self, h: int) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
        n, m = int(self.password_length[h]), int(self.loop_length[h])
        p = _digits(int(self.password_code[h]), self.sg.n_actions, n)
        codes = _digits(int(self.loop_code[h]), self.sg.n_actions * self.sg.n_obs, m)
        O = self.sg.n_obs
        return p, tuple((c // O, c % O) for c in codes)

    def describe(self, h: int) -> str:
        return describe(self.hypothesis(h), self.sg)

    def table(self, h: int) -> np.ndarray:
        """Hypothesis h's (S, A, O) table in local state numbering (−1 = excluded)."""
        rows = self.rows_of(h)
        t = self.next_rows[:, rows].T.reshape(len(rows), self.sg.n_actions, self.sg.n_obs).astype(np.int64)
        local = (t - int(self.row_base[h])) // int(self.row_stride[h])
        return np.where(t >= 0, local, -1)

    def resettable(self) -> np.ndarray:
        """(H,) bool: resettability of every hypothesis (seed 001's condition for Prop. 1)."""
        A = self.sg.n_actions
        out = np.ones(self.n_hypotheses, dtype=bool)
        pw = self.kind == KIND_CODE["password"]
        if A == 1:  # no deviation possible: only loops without password return to the start
            out[pw] = self.password_length[pw] == 0
        for kind in ("automaton", "custom"):
            idx = np.flatnonzero(self.kind == KIND_CODE[kind])
            if len(idx):
                S = int(self.n_states[idx].max())
                padded = np.full((len(idx), S, A, self.sg.n_obs), -1, dtype=np.int64)
                for i, h in enumerate(idx):
                    padded[i, : self.n_states[h]] = self.table(int(h))
                starts = (self.start_rows[idx] - self.row_base[idx]) // self.row_stride[idx]
                out[idx] = resettable(padded, starts)
        return out

    def catalog(self):
        """One row per hypothesis (pandas DataFrame): id, kind, n_states, password/loop lengths
        and codes (the password's actions in base |A|, the loop's pairs a·|O| + o in base
        |A||O|, most significant first; 0 outside the password class)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "id": np.arange(self.n_hypotheses),
                "kind": pd.Categorical.from_codes(self.kind.astype(np.int64), categories=list(KINDS)),
                "n_states": self.n_states,
                "password_length": self.password_length,
                "loop_length": self.loop_length,
                "password_code": self.password_code,
                "loop_code": self.loop_code,
            }
        )

    # ------------------------------------------------------------ subsets
    def subset(self, keep: np.ndarray) -> tuple[HypothesisSpace, np.ndarray]:
        """The space restricted to hypotheses where ``keep`` is True, and the kept row mask.

        Rows are renumbered in their old order, so a state-major block stays state-major
        (with the number of kept hypotheses as its new stride)."""
        keep = np.asarray(keep, dtype=bool)
        row_keep = keep[self.owner]
        new_index = np.cumsum(row_keep, dtype=np.int64) - 1
        R_new = int(row_keep.sum())
        nxt = np.empty((self.next_rows.shape[0], R_new), dtype=np.int32)
        for c in range(self.next_rows.shape[0]):
            col = self.next_rows[c][row_keep]
            nxt[c] = np.where(col >= 0, new_index[col], -1)
        base = new_index[self.row_base[keep]]
        multi = self.n_states[keep] > 1
        stride = np.ones(int(keep.sum()), dtype=np.int64)
        stride[multi] = new_index[self.row_base[keep][multi] + self.row_stride[keep][multi]] - base[multi]
        starts = new_index[self.start_rows[keep]].astype(np.int32)
        space = HypothesisSpace(
            self.sg,
            nxt,
            base,
            stride,
            starts,
            self.kind[keep],
            self.n_states[keep],
            self.password_length[keep],
            self.loop_length[keep],
            self.password_code[keep],
            self.loop_code[keep],
            self.member[keep],
            self.automata_out,
            self.automata_delta,
            self.custom,
        )
        return space, row_keep

    def freeze(self) -> None:
        for arr in (
            self.next_rows,
            self.row_base,
            self.row_stride,
            self.start_rows,
            self.kind,
            self.n_states,
            self.password_length,
            self.loop_length,
            self.password_code,
            self.loop_code,
            self.member,
        ):
            arr.setflags(write=False)


def _digits(code: int, base: int, length: int) -> tuple[int, ...]:
    out = []
    for _ in range(length):
        code, r = divmod(code, base)
        out.append(r)
    return tuple(reversed(out))


def _codes(words: np.ndarray, base: int) -> np.ndarray:
    """Integer code of each word (most significant symbol first)."""
    code = np.zeros(len(words), dtype=np.int64)
    for j in range(words.shape[1]):
        code = code * base + words[:, j]
    return code


# ------------------------------------------------------------------ building
class _Builder:
    """Accumulates blocks of hypotheses, then concatenates them into one space."""

    def __init__(self, sg: SeatGame):
        self.sg = sg
        self.blocks: list[dict] = []
        self.rows = 0
        self.automata_out: list = []
        self.automata_delta: list = []
        self.custom: list[Hypothesis] = []

    def add_tables(self, kind: str, tables: list[np.ndarray], starts, members, **cols) -> None:
        """Small classes: a list of local (S, A, O) tables (−1 = excluded). Tables of one size
        are laid out state-major, mixed sizes hypothesis by hypothesis."""
        if not tables:
            return
        H = len(tables)
        AO = self.sg.n_actions * self.sg.n_obs
        sizes = np.array([t.shape[0] for t in tables], dtype=np.int64)
        starts = np.asarray(starts, dtype=np.int64)
        if (sizes == sizes[0]).all():
            S = int(sizes[0])
            base = self.rows + np.arange(H, dtype=np.int64)
            stride = np.full(H, H, dtype=np.int64)
            local = np.stack([np.asarray(t, dtype=np.int64).reshape(S, AO) for t in tables])  # (H, S, AO)
            glob = np.where(local >= 0, base[:, None, None] + local * H, -1)
            nxt = glob.transpose(2, 1, 0).reshape(AO, S * H).astype(np.int32)  # row = s*H + j
        else:
            base = self.rows + np.concatenate([[0], np.cumsum(sizes)[:-1]])
            stride = np.ones(H, dtype=np.int64)
            stacked = np.concatenate([np.asarray(t, dtype=np.int64).reshape(t.shape[0], AO) for t in tables], axis=0)
            offs = np.repeat(base, sizes)[:, None]
            nxt = np.where(stacked >= 0, stacked + offs, -1).T.astype(np.int32)
        self._push(
            kind,
            nxt,
            sizes,
            base,
            stride,
            base + starts * stride,
            members,
            H,
            hint=np.full(nxt.shape[1], -1, np.int8),
            **cols,
        )

    def _push(self, kind, nxt, sizes, base, stride, start_rows, members, H, hint, **cols) -> None:
        self.blocks.append(
            dict(
                next=nxt,
                sizes=sizes,
                base=base,
                stride=stride,
                hint=hint,
                starts=start_rows,
                kind=np.full(H, KIND_CODE[kind], np.int8),
                member=np.asarray(members, dtype=np.int64),
                password_length=cols.get("password_length", np.full(H, -1, np.int16)),
                loop_length=cols.get("loop_length", np.full(H, -1, np.int16)),
                password_code=cols.get("password_code", np.zeros(H, np.int64)),
                loop_code=cols.get("loop_code", np.zeros(H, np.int64)),
            )
        )
        self.rows += int(np.sum(sizes))

    def add_passwords(self, N: int, M: int, prune: bool) -> None:
        sg = self.sg
        A, O = sg.n_actions, sg.n_obs
        for m in range(1, M + 1):
            loops = primitive_loops(sg, m, prune)  # (K, m) pair codes
            if not len(loops):
                continue
            la, lo = loops // O, loops % O
            lcode = _codes(loops, A * O)
            K = len(loops)
            for n in range(N + 1):
                pws = all_words(A, n)  # (Pn, n)
                Pn, S = len(pws), n + m
                H = Pn * K
                # state-major: hypothesis j = (password i, loop k) = i*K + k; state s is row s*H + j
                j = np.arange(H, dtype=np.int64).reshape(Pn, K)
                nxt = np.empty((A * O, S * H), dtype=np.int32)
                nxt4 = nxt.reshape(A * O, S, Pn, K)
                wrap = n + (np.arange(m) + 1) % m
                for a in range(A):
                    for o in range(O):
                        block = nxt4[a * O + o]
                        for k in range(n):  # password state s_k: p_{k+1} advances, else the start
                            target = np.where(pws[:, k] == a, k + 1, 0)  # (Pn,) local state
                            block[k] = self.rows + target[:, None] * H + j
                        for q in range(m):  # loop state l_{q+1}
                            target = np.where(la[:, q] == a, np.where(lo[:, q] == o, wrap[q], -1), 0)  # (K,)
                            block[n + q] = np.where(target[None, :] >= 0, self.rows + target[None, :] * H + j, -1)
                hint = np.empty((S, Pn, K), dtype=np.int8)  # follow the password, then the loop
                hint[:n] = pws.T[:, :, None]
                hint[n:] = la.T[:, None, :]
                base = self.rows + j.ravel()
                self._push(
                    "password",
                    nxt,
                    np.full(H, S, np.int64),
                    base,
                    np.full(H, H, np.int64),
                    base,
                    np.zeros(H),
                    H,
                    hint.ravel(),
                    password_length=np.full(H, n, np.int16),
                    loop_length=np.full(H, m, np.int16),
                    password_code=np.repeat(_codes(pws, A), K),
                    loop_code=np.tile(lcode, Pn),
                )

    def build(self) -> HypothesisSpace:
        B = self.blocks
        cat = lambda key, dtype: np.concatenate([b[key] for b in B]).astype(dtype)  # noqa: E731
        space = HypothesisSpace(
            self.sg,
            np.concatenate([b["next"] for b in B], axis=1),
            cat("base", np.int64),
            cat("stride", np.int64),
            cat("starts", np.int32),
            cat("kind", np.int8),
            cat("sizes", np.int32),
            cat("password_length", np.int16),
            cat("loop_length", np.int16),
            cat("password_code", np.int64),
            cat("loop_code", np.int64),
            cat("member", np.int64),
            self.automata_out,
            self.automata_delta,
            tuple(self.custom),
            np.concatenate([b["hint"] for b in B]),
        )
        return space


def build_space(sg: SeatGame, spec: SpaceSpec) -> HypothesisSpace:
    """Generate every hypothesis of the enabled classes (⊤ first, always present)."""
    b = _Builder(sg)
    A, O = sg.n_actions, sg.n_obs
    t = top(sg)
    b.add_tables("top", [t.table()], [0], [0])
    if "constant" in spec.classes:
        b.add_tables("constant", [constant(sg, o).table() for o in range(O)], [0] * O, list(range(O)))
    if "automaton" in spec.classes:
        for q in range(2, spec.max_automaton + 1):
            outs, deltas = minimal_automata(sg, q)
            if not len(outs):
                continue
            first = len(b.automata_out)
            b.automata_out.extend(tuple(int(x) for x in row) for row in outs)
            b.automata_delta.extend(tuple(tuple(int(x) for x in r) for r in d) for d in deltas)
            # tables: B(q, a) = {out(q)}, T = delta(q, a)
            K = len(outs)
            tables = np.full((K, q, A, O), -1, dtype=np.int64)
            kk, ss = np.meshgrid(np.arange(K), np.arange(q), indexing="ij")
            tables[kk, ss, :, outs] = deltas
            b.add_tables("automaton", list(tables), [0] * K, np.arange(first, first + K))
    if "password" in spec.classes:
        b.add_passwords(spec.max_password, spec.max_loop, spec.prune)
    if "custom" in spec.classes and spec.custom:
        b.custom.extend(spec.custom)
        b.add_tables(
            "custom", [h.table() for h in spec.custom], [h.start for h in spec.custom], list(range(len(spec.custom)))
        )
    return b.build()


def estimate_size(sg: SeatGame, spec: SpaceSpec) -> dict:
    """Hypothesis and row counts of a spec without building it (automata are enumerated, they are small)."""
    counts = {"top": 1, "constant": sg.n_obs if "constant" in spec.classes else 0}
    rows = 1 + counts["constant"]
    n_auto = 0
    if "automaton" in spec.classes:
        for q in range(2, spec.max_automaton + 1):
            k = len(minimal_automata(sg, q)[0])
            n_auto += k
            rows += k * q
    counts["automaton"] = n_auto
    pw = loops = 0
    if "password" in spec.classes:
        P = sg.n_actions * sg.n_obs
        g = int(good_pairs(sg).sum()) if spec.prune else P
        for m in range(1, spec.max_loop + 1):
            k = count_loops(P, g, m)
            loops += k
            for n in range(spec.max_password + 1):
                c = sg.n_actions**n * k
                pw += c
                rows += c * (n + m)
    counts["password"] = pw
    counts["custom"] = len(spec.custom) if "custom" in spec.classes else 0
    rows += sum(h.n_states for h in spec.custom) if "custom" in spec.classes else 0
    total = sum(counts.values())
    # the classes as the mechanism column names them: a password hypothesis with an empty
    # password is a loop
    by_class = {
        "top": 1,
        "constant": counts["constant"],
        "automaton": counts["automaton"],
        "loop": loops,
        "password": pw - loops,
        "custom": counts["custom"],
    }
    return {
        "hypotheses": total,
        "rows": rows,
        "by_kind": counts,
        "by_class": by_class,
        "bytes": rows * sg.n_actions * sg.n_obs * 4,
    }
