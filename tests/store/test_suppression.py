"""Small-cell suppression (`watchdog.store.suppression`): no small count can be worked out from
what a table shows, by a reader who solves all its rows and columns at once."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from watchdog.store.suppression import suppress_grid, suppress_table

K = 10


def _pinned_by_linear_programming(shown: list[list[object]], k: int = K) -> list[tuple[int, int]]:
    """The "<k" cells whose value every row and column sum, with the labels' bounds, fixes: the
    exact bound (linear programming over the whole table), not the module's own propagation."""
    hidden = [(r, c) for r, row in enumerate(shown) for c, v in enumerate(row) if isinstance(v, str)]
    index = {cell: n for n, cell in enumerate(hidden)}
    lines = [[(r, c) for c in range(len(shown[0]))] for r in range(len(shown))]
    lines += [[(r, c) for r in range(len(shown))] for c in range(len(shown[0]))]
    a_eq, b_eq = [], []
    for line in lines:
        *parts, total = line
        row = np.zeros(len(hidden))
        const = 0.0
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
            else:
                const += shown[cell[0]][cell[1]]  # type: ignore[operator]
        if total in index:
            row[index[total]] -= 1
        else:
            const -= shown[total[0]][total[1]]  # type: ignore[operator]
        a_eq.append(row)
        b_eq.append(-const)
    bounds = [(1, k - 1) if shown[r][c].startswith("<") else (k, None)  # type: ignore[union-attr]
              for r, c in hidden]
    pinned = []
    for cell, n in index.items():
        if not shown[cell[0]][cell[1]].startswith("<"):  # type: ignore[union-attr]
            continue
        goal = np.zeros(len(hidden))
        goal[n] = 1
        lo = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if np.ceil(lo.fun - 1e-6) >= np.floor(-hi.fun + 1e-6):
            pinned.append(cell)
    return pinned


def _grid(body: list[list[int]]) -> list[list[int]]:
    rows = [row + [sum(row)] for row in body]
    return rows + [[sum(col) for col in zip(*rows, strict=True)]]


def test_nine_small_rows_under_a_small_total_are_said_to_pin_a_count():
    # One column, nine provinces of one person each: whatever is hidden, each is one.
    shown, pinned = suppress_table(_grid([[1]] * 9), K)
    assert pinned and all(isinstance(v, str) for row in shown for v in row)
    assert not suppress_table(_grid([[1]] * 3 + [[20]]), K)[1]


def test_cells_pinned_only_by_solving_rows_and_columns_together_are_protected():
    # Each row and column on its own leaves every small cell a range; together they did not.
    body = [[1, 0, 12], [0, 2, 15], [3, 11, 0]]
    shown = suppress_grid(_grid(body), K)
    assert _pinned_by_linear_programming(shown) == []


@pytest.mark.parametrize("seed", range(4))
def test_no_small_count_of_a_random_table_is_pinned_unless_the_table_says_so(seed):
    rng = random.Random(seed)
    for _ in range(60):
        body = [[rng.choice([0, 0, 1, 2, 5, 9, 10, 12, 30]) for _ in range(rng.randint(1, 4))]]
        body += [[rng.choice([0, 0, 1, 2, 5, 9, 10, 12, 30]) for _ in body[0]]
                 for _ in range(rng.randint(1, 5))]
        shown, pinned = suppress_table(_grid(body), K)
        if not pinned:
            assert _pinned_by_linear_programming(shown) == [], (body, shown)


def test_a_province_table_that_pins_keeps_only_totals_and_those_only_if_they_do_not_pin():
    from watchdog.store.queries import province_table

    provinces = [f"p{n}" for n in range(9)]
    # Nine provinces of one person each, in three columns: the column totals may stay.
    counts = {(p, n % 3): 1 for n, p in enumerate(provinces)}
    table = province_table("status", counts, dict.fromkeys(provinces, 1), [0, 1, 2], K)
    assert table["provinces_held_back"] and len(table["rows"]) == 1
    assert table["rows"][0]["cells"] == ["<10", "<10", "<10"]
    # Nine columns of one each: the column totals would pin too; only the grand total is told.
    counts = {(p, n): 1 for n, p in enumerate(provinces)}
    table = province_table("status", counts, dict.fromkeys(provinces, 1), list(range(9)), K)
    assert table["rows"][0]["cells"] == ["held back"] * 9 and table["rows"][0]["total"] == "<10"
