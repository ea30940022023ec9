"""Small-cell suppression: which person counts of a table of totals are held back.

A count of persons from 1 to k-1 is held back and shown "<k". A table's rows and columns are sums
(its last column and last row are their totals), and a reader who knows that can work a held-back
count out again: alone in its row, by subtraction; beside a "≥k" in a row of 11, by the labels
(1 and 10); nine "<10" under a total of 9, one each. So further cells are held back ("≥k", which
stays true) until no small count can be pinned to one value by what the table shows.

"Pinned" is judged over every row and column together, twice: first by interval propagation
(each held-back cell starts with what its label says, 1..k-1 or k and more, and each sum narrows
its cells' ranges until nothing changes), which is cheap and catches most; then by the exact
linear-programming bound per small cell, for what propagation misses. A pinned cell gets a
neighbour held back: the smallest shown non-zero cell in its row or column, else a shown total.
Nothing here guards against subtracting two differently filtered tables; the README's privacy
section says so.
"""

from __future__ import annotations

import math

Count = int | str  # a person count after suppression: an int, "<k", "≥k" or HELD_BACK
# A whole column of counts withheld, zeros included: its rows alone would give a count away.
HELD_BACK = "held back"
Cell = tuple[int, int]
Line = tuple[list[Cell], Cell]  # the cells of a row or column, and its total
_ROUNDS = 200  # propagation rounds at most (a table settles in a handful)


def suppress_grid(grid: list[list[int]], k: int, *, rows_add_up: bool = True,
                  columns_add_up: bool = True) -> list[list[Count]]:
    """Hide person counts 1..k-1, and what would give them away, in a grid whose last row and
    last column are totals. Rows (or columns) that do not add up to their total (a listing
    counted under several circumstances) are not taken as sums in the pinning check, as a
    reader could not take them as sums either."""
    return suppress_table(grid, k, rows_add_up=rows_add_up, columns_add_up=columns_add_up)[0]


def suppress_table(grid: list[list[int]], k: int, *, rows_add_up: bool = True,
                   columns_add_up: bool = True, hidden: frozenset[Cell] = frozenset(),
                   known: frozenset[Cell] = frozenset()) -> tuple[list[list[Count]], bool]:
    """`suppress_grid`, and whether a small cell is still pinned once everything beside it is
    held back: nine non-zero rows under a total below ten are one each, whatever is hidden.
    Such a table must not show its rows at all (the caller keeps only its totals).

    `hidden` and `known` are (row, column) cells another view shows the same count of: held
    back there, so held back here too (else this table tells what that one hides); shown
    there, so never held back here as a partner (that would protect nothing)."""
    cells = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row)}
    nrows, ncols = len(grid), max((len(row) for row in grid), default=0)
    rows = [[(r, c) for c in range(ncols) if (r, c) in cells] for r in range(nrows)]
    columns = [[(r, c) for r in range(nrows) if (r, c) in cells] for c in range(ncols)]
    summed = (rows if rows_add_up else []) + (columns if columns_add_up else [])
    sums: list[Line] = [(line[:-1], line[-1]) for line in summed if len(line) >= 2]
    held, pinned = _suppress(cells, rows + columns, sums, k, known, hidden)
    return [[(f"<{k}" if 0 < v < k else f"≥{k}") if (r, c) in held else v
             for c, v in enumerate(row)] for r, row in enumerate(grid)], pinned


def suppress_sums(values: list[int], sums: list[tuple[list[int], int]], k: int, *,
                  known: frozenset[int] = frozenset(), hidden: frozenset[int] = frozenset(),
                  unshown: frozenset[int] = frozenset()) -> tuple[list[Count], bool]:
    """Counts that are not one grid: `values`, and which of them add up to which (the indices
    of the parts, and of their total), as one page shows them. A count a page tells some other
    way (`known`: the audit's listings less its companies) is never held back to protect
    another, as that would protect nothing; a small one is still shown "<k". `hidden` counts
    are held back from the start (another view holds the same counts back). `unshown` counts
    are terms of the sums that no page shows (a court's persons in each of its provinces): a
    reader knows of them only that they are at least 0, so they are neither protected nor
    given partners, only solved for. Returns the counts as shown (an unshown one as held
    back) and whether a small one is pinned whatever is held back."""
    cells = {(i, 0): v for i, v in enumerate(values)}
    lines = [([(p, 0) for p in parts], (total, 0)) for parts, total in sums]
    held, pinned = _suppress(cells, [[*parts, total] for parts, total in lines], lines, k,
                             frozenset((i, 0) for i in known), frozenset((i, 0) for i in hidden),
                             frozenset((i, 0) for i in unshown))
    return [(f"<{k}" if 0 < v < k else f"≥{k}") if (i, 0) in held else v
            for i, v in enumerate(values)], pinned


def _suppress(cells: dict[Cell, int], lines: list[list[Cell]], sums: list[Line], k: int,
              known: frozenset[Cell], forced: frozenset[Cell] = frozenset(),
              unshown: frozenset[Cell] = frozenset()) -> tuple[set[Cell], bool]:
    """The cells to hold back (`forced` and `unshown` ones among them), and whether a small
    one is pinned whatever is held back."""
    primary = {cell for cell, v in cells.items() if 0 < v < k and cell not in unshown}
    # A zero is no count to protect, and the bounds below take a held-back cell as at least 1.
    hidden = primary | {cell for cell in forced if cells.get(cell, 0) > 0} | set(unshown)
    # Propagation first (cheap, catches most), then the exact bound for what it misses; each
    # round holds back a neighbour of every pinned cell that has one, then looks again.
    pinned: list[Cell] = []
    for find_pinned in (_pinned_by_propagation, _pinned_by_linear_programming):
        while True:
            _hide_partners_of_lone_cells(lines, cells, hidden, known, unshown)
            pinned = find_pinned(sums, cells, primary, hidden, k, unshown)
            extra = {n for cell in pinned
                     if (n := _neighbour_to_hide(cell, sums, cells, hidden | known)) is not None}
            if not extra:
                break
            hidden |= extra
    return hidden, bool(pinned)


def _hide_partners_of_lone_cells(lines: list[list[Cell]], cells: dict[Cell, int],
                                 hidden: set[Cell], known: frozenset[Cell],
                                 unshown: frozenset[Cell] = frozenset()) -> None:
    """One held-back cell alone in a line is its total minus the others: hide a partner, the
    line's smallest other non-zero cell. A line with an unshown term tells no cell alone."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if unshown.intersection(line) or sum(cell in hidden for cell in line) != 1:
                continue
            others = [cell for cell in line
                      if cell not in hidden and cell not in known and cells[cell] > 0]
            if others:
                hidden.add(min(others, key=lambda cell: (cells[cell], cell)))
                changed = True


def _neighbour_to_hide(cell: Cell, sums: list[Line], cells: dict[Cell, int],
                       hidden: set[Cell]) -> Cell | None:
    """A shown cell to hold back beside a pinned small one: the smallest shown non-zero cell in
    its row or column, else a shown total; None when there is nothing left to hold back."""
    beside = [line for line in sums if cell in line[0] or cell == line[1]]
    parts = [c for line_parts, _ in beside for c in line_parts if c not in hidden and cells[c] > 0]
    totals = [t for _, t in beside if t not in hidden and cells[t] > 0]
    for choice in (parts, totals):
        if choice:
            return min(choice, key=lambda c: (cells[c], c))
    return None


def _pinned_by_propagation(sums: list[Line], cells: dict[Cell, int], primary: set[Cell],
                           hidden: set[Cell], k: int,
                           unshown: frozenset[Cell] = frozenset()) -> list[Cell]:
    low, high = _pinned_ranges(sums, cells, primary, hidden, k, unshown)
    return sorted(c for c in primary if low[c] >= high[c])


def _pinned_by_linear_programming(sums: list[Line], cells: dict[Cell, int],
                                  primary: set[Cell], hidden: set[Cell], k: int,
                                  unshown: frozenset[Cell] = frozenset()) -> list[Cell]:
    """The small cells whose value the sums fix, by the exact bound: the least and the most
    each can be over every assignment the labels and sums allow (HiGHS, through SciPy)."""
    if not primary or not sums:
        return []
    # Imported here: only pages and exports count persons, and a crawl need not load SciPy.
    import numpy as np
    from scipy.optimize import linprog

    order = sorted(hidden)
    index = {cell: n for n, cell in enumerate(order)}
    a_eq, b_eq = [], []
    for parts, total in sums:
        coefficients = np.zeros(len(order))
        known = 0.0
        for cell in parts:
            if cell in index:
                coefficients[index[cell]] += 1
            else:
                known += cells[cell]
        if total in index:
            coefficients[index[total]] -= 1
        else:
            known -= cells[total]
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(-known)
    if not a_eq:
        return []
    bounds = [(0, None) if cell in unshown else (1, k - 1) if cell in primary else (k, None)
              for cell in order]
    pinned = []
    for cell in sorted(primary):
        goal = np.zeros(len(order))
        goal[index[cell]] = 1
        least = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        most = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if least.status != 0 or most.status != 0:
            continue  # no solution (sums that are not exact, such as circumstances): no pin
        if math.ceil(least.fun - 1e-6) >= math.floor(-most.fun + 1e-6):
            pinned.append(cell)
    return pinned


def _pinned_ranges(sums: list[Line], cells: dict[Cell, int], primary: set[Cell],
                   hidden: set[Cell], k: int, unshown: frozenset[Cell] = frozenset()
                   ) -> tuple[dict[Cell, float], dict[Cell, float]]:
    """The range each held-back cell can take, given the labels and every sum, narrowed until
    it no longer changes: (lowest, highest) by cell. An unshown cell has no label: 0 or more."""
    low: dict[Cell, float] = {c: (0 if c in unshown else 1 if c in primary else k)
                              for c in hidden}
    high: dict[Cell, float] = {c: (k - 1 if c in primary else math.inf) for c in hidden}
    for _ in range(_ROUNDS):
        changed = False
        for parts, total in sums:
            held = [c for c in parts if c in hidden]
            if not held and total not in hidden:
                continue
            shown = sum(cells[c] for c in parts if c not in hidden)
            t_low, t_high = ((low[total], high[total]) if total in hidden
                             else (cells[total], cells[total]))
            sum_low = shown + sum(low[c] for c in held)
            if total in hidden:
                new = (max(t_low, sum_low), min(t_high, shown + sum(high[c] for c in held)))
                if new != (t_low, t_high):
                    low[total], high[total] = t_low, t_high = new
                    changed = True
            for cell in held:
                others_low = sum_low - low[cell]
                others_high = shown + sum(high[c] for c in held if c != cell)
                new = (max(low[cell], t_low - others_high), min(high[cell], t_high - others_low))
                if new != (low[cell], high[cell]):
                    sum_low += new[0] - low[cell]
                    low[cell], high[cell] = new
                    changed = True
        if not changed:
            break
    return low, high

