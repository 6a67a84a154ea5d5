"""The order of the vertices within each layer of a layered drawing: few crossings, quickly.

This is step 3 of `core.layout`, after Graphviz dot's "mincross" (Gansner, Koutsofios, North and
Vo, "A technique for drawing directed graphs", 1993), which refines Sugiyama's barycenter method:

- each iteration sweeps once over the layers, alternately left-to-right and right-to-left, and
  sorts every layer by the weighted median (two iterations) or the barycenter (the next two) of
  its neighbours' slots in the layer just fixed;
- then *transpose* swaps neighbours in a layer while that removes crossings. Like dot, it also
  swaps pairs whose crossings stay equal: on the long, thin graphs of expressions that drift across
  plateaus is what finds the good orders (without it the result is ~15% worse);
- the best orders seen are kept, and a start stops after IDLE_ITERATIONS without a better one.

The first sweep overwrites every layer but the first one, so the starts mostly differ in the order
of their first layer. Several starts are tried, the first one being the caller's (crossing-free
for trees), as long as a work budget lasts: it grows with the graph but has a floor, so small
graphs get a thorough search and large ones stay fast. Work is counted, not timed, so the result
is deterministic.

Crossings are counted per gap between two layers and cached: a sweep recounts only the gaps next
to a layer it changed, and a transpose adds each swap's difference. A last pass puts a vertex's
arguments in argument order where that costs no crossing, so the first argument is drawn above.
"""

from __future__ import annotations

from collections.abc import Sequence

# At most this many iterations (sweep + transpose) per start, as in dot.
MAX_ITERATIONS = 24
# A start stops after this many iterations in a row without fewer crossings.
IDLE_ITERATIONS = 6
# Work budget: units are vertices looked at by a sweep or a transpose pass (~0.6 us each).
WORK_PER_VERTEX = 10
MIN_WORK = 60_000


def reduce_crossings(
    ups: list[list[int]],
    downs: list[list[int]],
    starts: Sequence[list[list[int]]],
    iterations: int = MAX_ITERATIONS,
) -> tuple[list[list[int]], int]:
    """The best orders found from the starts, and their number of crossings.

    `ups[v]` / `downs[v]` are the neighbours of vertex v in the layer to the left / right, in the
    order of v's arguments / users; `starts` are initial orders (lists of layers, each a list of
    vertices). The result is never worse than the first start, and equal to it when it has no
    crossing. `iterations=0` only counts the first start.
    """
    budget = max(MIN_WORK, WORK_PER_VERTEX * len(ups))
    best: list[list[int]] = []
    best_crossings = -1
    for start in starts:
        state = _OrderState(ups, downs, [list(layer) for layer in start], budget)
        if best_crossings < 0 or state.total() < best_crossings:
            best, best_crossings = state.copy_orders(), state.total()
        if best_crossings == 0 or iterations == 0:
            break
        orders, crossings = state.mincross(iterations)
        if crossings < best_crossings:
            best, best_crossings = orders, crossings
        budget -= state.work
        if budget <= 0:
            break
    _put_arguments_in_order(ups, downs, best)
    return best, best_crossings


class _OrderState:
    """Orders, the slot of every vertex, the cached crossings of every gap, and the work done."""

    def __init__(self, ups: list[list[int]], downs: list[list[int]], orders: list[list[int]], budget: int) -> None:
        self.ups, self.downs, self.orders = ups, downs, orders
        # The only neighbour on that side, or -1 when there are none or several: most vertices
        # are virtual with exactly one on each side, and transpose takes a shortcut for them.
        self.up1 = [ns[0] if len(ns) == 1 else -1 for ns in ups]
        self.down1 = [ns[0] if len(ns) == 1 else -1 for ns in downs]
        self.slot = [0] * len(ups)
        for order in orders:
            self._renumber(order)
        self.gap = [0] * max(0, len(orders) - 1)  # gap[r]: crossings between layers r and r+1
        self._recount(range(len(orders)))
        self.work, self.budget = 0, budget

    def copy_orders(self) -> list[list[int]]:
        return [list(order) for order in self.orders]

    def total(self) -> int:
        return sum(self.gap)

    def _renumber(self, order: list[int]) -> None:
        slot = self.slot
        for i, v in enumerate(order):
            slot[v] = i

    def _recount(self, layers: Sequence[int] | set[int]) -> None:
        """Recount the gaps on both sides of each of `layers`."""
        gaps = {g for r in layers for g in (r - 1, r) if 0 <= g < len(self.gap)}
        slot, downs = self.slot, self.downs
        for g in gaps:
            # Crossings of a gap = inversions among the right ends, read left to right.
            ends: list[int] = []
            for v in self.orders[g]:
                ds = downs[v]
                if len(ds) == 1:
                    ends.append(slot[ds[0]])
                elif ds:
                    ends.extend(sorted([slot[w] for w in ds]))
            self.gap[g] = _inversions(ends)

    def mincross(self, iterations: int) -> tuple[list[list[int]], int]:
        """Iterate sweep + transpose; return the best orders seen and their crossings."""
        best, best_crossings = self.copy_orders(), self.total()
        idle = 0
        for it in range(iterations):
            if best_crossings == 0 or idle >= IDLE_ITERATIONS or self.work > self.budget:
                break
            changed = self._sweep(downwards=it % 2 == 0, median=it % 4 < 2)
            # The first transpose looks at every layer, later ones where the sweep changed things.
            self._transpose(allow_equal=True, layers=None if it == 0 else changed)
            crossings = self.total()
            idle += 1
            # Ties are kept too: the newest of equally good orders is the one still moving.
            if crossings <= best_crossings:
                if crossings < best_crossings:
                    idle = 0
                best, best_crossings = self.copy_orders(), crossings
        self.orders = best
        for order in best:
            self._renumber(order)
        self._recount(range(len(best)))
        # A last strict clean-up can only remove crossings.
        self._transpose(allow_equal=False, layers=None, budgeted=False)
        return self.copy_orders(), self.total()

    def _sweep(self, downwards: bool, median: bool) -> set[int]:
        """Sort every layer by its neighbours in the layer before; return the changed layers."""
        orders = self.orders
        if downwards:
            layers, side = range(1, len(orders)), self.ups
        else:
            layers, side = range(len(orders) - 2, -1, -1), self.downs
        self.work += len(self.ups)
        changed = {r for r in layers if self._reorder(orders[r], side, median)}
        self._recount(changed)
        return changed

    def _reorder(self, order: list[int], side: list[list[int]], median: bool) -> bool:
        """Sort one layer by median or barycenter; vertices without neighbours keep their slot."""
        slot = self.slot
        keyed: list[tuple[float, int, int]] = []
        lonely: list[int] = []
        add = keyed.append
        for i, v in enumerate(order):
            ns = side[v]
            if len(ns) == 1:  # most vertices (virtual ones): no call, no list
                add((slot[ns[0]], i, v))
            elif ns:
                slots = [slot[u] for u in ns]
                key = _weighted_median(sorted(slots)) if median else sum(slots) / len(slots)
                add((key, i, v))
            else:
                lonely.append(i)
        keyed.sort()  # ties keep their current order
        new = [item[2] for item in keyed]
        for i in lonely:
            new.insert(i, order[i])
        if new == order:
            return False
        order[:] = new
        self._renumber(order)
        return True

    def _transpose(self, allow_equal: bool, layers: set[int] | None, budgeted: bool = True) -> None:
        """Swap neighbours in a layer while that removes crossings (or keeps them, if allowed).

        As in dot, a layer is looked at again only when it or a layer next to it changed; at first
        only `layers` and their neighbours (None: all). Gap counts follow each swap's difference.
        """
        orders, ups, downs, slot, gap = self.orders, self.ups, self.downs, self.slot, self.gap
        up1, down1 = self.up1, self.down1
        n = len(orders)
        if layers is None:
            candidate = [True] * n
        else:
            candidate = [False] * n
            for r in layers:
                for q in range(max(0, r - 1), min(n, r + 2)):
                    candidate[q] = True
        improved = True
        while improved and not (budgeted and self.work > self.budget):
            improved = False
            for r in range(n):
                if not candidate[r]:
                    continue
                candidate[r] = False
                order = orders[r]
                self.work += len(order)
                # The hottest loop of the layout: each slot read once, comparisons kept as bools
                # (they add up as ints), no call for the vertices with one neighbour a side.
                c0: int
                c1: int
                d0: int
                d1: int
                for i in range(len(order) - 1):
                    v, w = order[i], order[i + 1]
                    a, b = up1[v], up1[w]
                    if a >= 0 and b >= 0:
                        sa, sb = slot[a], slot[b]
                        c0, c1 = sa > sb, sa < sb
                    else:
                        c0, c1 = _pair_crossings(ups[v], ups[w], slot)
                    a, b = down1[v], down1[w]
                    if a >= 0 and b >= 0:
                        sa, sb = slot[a], slot[b]
                        d0, d1 = sa > sb, sa < sb
                    else:
                        d0, d1 = _pair_crossings(downs[v], downs[w], slot)
                    before, after = c0 + d0, c1 + d1
                    if after < before or (allow_equal and after == before > 0):
                        order[i], order[i + 1] = w, v
                        slot[v], slot[w] = i + 1, i
                        improved = improved or after < before
                        candidate[r] = True
                        if r > 0:
                            gap[r - 1] += c1 - c0
                            candidate[r - 1] = True
                        if r + 1 < n:
                            gap[r] += d1 - d0
                            candidate[r + 1] = True


def _put_arguments_in_order(
    ups: list[list[int]], downs: list[list[int]], orders: list[list[int]], passes: int = 4
) -> None:
    """Swap neighbours that are arguments of one user in the wrong order, when that is free.

    The GUI draws a gate's first argument above its second; swapping two neighbours changes only
    the crossings between their own edges, so an equal count on both sides means a free swap.
    """
    slot = [0] * len(ups)
    for order in orders:
        for i, v in enumerate(order):
            slot[v] = i
    for _ in range(passes):
        swapped = False
        for order in orders:
            for i in range(len(order) - 1):
                v, w = order[i], order[i + 1]
                if not _argument_before(w, v, ups, downs):
                    continue
                c0, c1 = _pair_crossings(ups[v], ups[w], slot)
                d0, d1 = _pair_crossings(downs[v], downs[w], slot)
                if c0 + d0 == c1 + d1:
                    order[i], order[i + 1] = w, v
                    slot[v], slot[w] = i + 1, i
                    swapped = True
        if not swapped:
            return


def _argument_before(w: int, v: int, ups: list[list[int]], downs: list[list[int]]) -> bool:
    """Whether w comes before v among the arguments of a user they share (and never after)."""
    before = False
    for user in downs[w]:
        if user in downs[v]:
            args = ups[user]
            if args.index(w) > args.index(v):
                return False
            before = True
    return before


def _weighted_median(p: list[int]) -> float:
    """dot's median of sorted slots: between the middle two, nearer the side packed closer."""
    m = len(p)
    half = m // 2
    if m % 2:
        return p[half]
    if m == 2:
        return (p[0] + p[1]) / 2
    left = p[half - 1] - p[0]
    right = p[-1] - p[half]
    if left + right == 0:
        return (p[half - 1] + p[half]) / 2
    return (p[half - 1] * right + p[half] * left) / (left + right)


def _pair_crossings(first: list[int], second: list[int], slot: list[int]) -> tuple[int, int]:
    """Crossings between the edges of two neighbouring vertices, as they are and if swapped."""
    keep = swap = 0
    for a in first:
        sa = slot[a]
        for b in second:
            sb = slot[b]
            if sa > sb:
                keep += 1
            elif sa < sb:
                swap += 1
    return keep, swap


def _inversions(seq: list[int]) -> int:
    """Pairs i < j with seq[i] > seq[j]: pairwise for short lists, else an accumulator tree.

    The tree is Barth, Juenger and Mutzel's (2002): O(n log m) for values below m.
    """
    n = len(seq)
    if n < 2:
        return 0
    if n <= 32:
        return sum([1 for i in range(n - 1) for b in seq[i + 1 :] if seq[i] > b])
    size = 1
    while size <= max(seq):
        size *= 2
    tree = [0] * (2 * size - 1)  # node k has children 2k+1, 2k+2; leaves from size-1
    count = 0
    for value in seq:
        k = value + size - 1
        tree[k] += 1
        while k > 0:
            if k % 2:  # a left child: everything counted in its right sibling is larger
                count += tree[k + 1]
            k = (k - 1) // 2
            tree[k] += 1
    return count
