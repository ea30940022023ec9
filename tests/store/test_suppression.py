"""Small-cell suppression (`watchdog.store.suppression`): no small count can be worked out from
what a table shows, by a reader who solves all its rows and columns at once."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from scipy.optimize import linprog

from watchdog.store.suppression import suppress_grid, suppress_sums, suppress_table

K = 10


def _pinned_by_linear_programming(shown: list[list[object]], k: int = K) -> list[tuple[int, int]]:
    """The "<k" cells whose value every row and column sum, with the labels' bounds, fixes: the
    exact bound (linear programming over the whole table), built from what the table shows
    alone: an oracle written apart from the module's own check, which it must not reuse."""
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
    table = province_table("status", counts, K, columns=[0, 1, 2])
    assert table["provinces_held_back"] and len(table["rows"]) == 1
    assert table["rows"][0]["cells"] == ["<10", "<10", "<10"]
    # Nine columns of one each: the column totals would pin too; only the grand total is told.
    counts = {(p, n): 1 for n, p in enumerate(provinces)}
    table = province_table("status", counts, K, columns=list(range(9)))
    assert table["rows"][0]["cells"] == ["held back"] * 9 and table["rows"][0]["total"] == "<10"


def test_suppress_grid_holds_back_a_second_cell():
    assert suppress_grid([[20], [3], [16], [39]], 10) == [[20], ["<10"], ["≥10"], [39]]
    assert suppress_grid([[0], [25], [25]], 10) == [[0], [25], [25]]
    # Each column had one small cell, so the smallest partner in each column is held back.
    assert suppress_grid([[2, 3, 5], [30, 40, 70], [32, 43, 75]], 10) == [
        ["<10", "<10", "<10"], ["≥10", "≥10", "≥10"], [32, 43, 75]]


def test_suppress_grid_leaves_no_small_cell_pinned_by_its_labels_and_a_shown_total():
    # Found by review: "<10" and "≥10" in a row of 11 are 1 and 10; two "<10" in a column
    # whose hidden cells add up to 18 are 9 and 9.
    shown = suppress_grid([[1, 10, 11], [20, 30, 50], [21, 40, 61]], 10)
    assert shown[0][2] == "≥10"  # the row's total goes too: nothing else is left to hide
    shown = suppress_grid([[9], [9], [40], [351], [409]], 10)
    assert shown[:3] == [["<10"], ["<10"], ["≥10"]] and shown[-1] == [409]
    # Fifteen months of one person each, all "<10", under a total of 15: the total goes.
    assert suppress_grid([[1]] * 15 + [[15]], 10)[-1] == ["≥10"]


def _feasible(line: list, k: int) -> dict[int, set[int]]:
    """Brute force: every value each "<k" cell of a line can take, given the labels and the
    shown total (the line's last cell)."""
    *parts, total = line
    hidden = [i for i, v in enumerate(parts) if isinstance(v, str)]
    rest = total - sum(v for v in parts if not isinstance(v, str))
    ranges = [range(1, k) if parts[i].startswith("<") else range(k, max(k, rest) + 1)
              for i in hidden]
    out: dict[int, set[int]] = {i: set() for i in hidden if parts[i].startswith("<")}
    for combo in itertools.product(*ranges):
        if sum(combo) == rest:
            for i, v in zip(hidden, combo, strict=True):
                if i in out:
                    out[i].add(v)
    return out


def test_no_line_of_a_suppressed_grid_gives_a_small_cell_away():
    rng = random.Random(7)
    for _ in range(300):
        body = [[rng.choice([0, 1, 2, 5, 9, 10, 12, 30]) for _ in range(3)] for _ in range(3)]
        rows = [row + [sum(row)] for row in body]
        grid = rows + [[sum(col) for col in zip(*rows, strict=True)]]
        shown = suppress_grid(grid, 10)
        lines = shown + [list(col) for col in zip(*shown, strict=True)]
        for line in lines:
            if isinstance(line[-1], str):
                continue  # the total is not shown: the line gives no sum
            for cell, values in _feasible(line, 10).items():
                assert len(values) > 1, (grid, shown, line, cell, values)


def test_a_count_told_elsewhere_is_never_held_back_to_protect_a_small_one():
    # 37 listed + 2 removed = 39: hiding the 37 protects nothing when the page tells it another
    # way, so the total is held back instead.
    assert suppress_sums([37, 2, 39], [([0, 1], 2)], K) == (["≥10", "<10", 39], False)
    assert suppress_sums([37, 2, 39], [([0, 1], 2)], K, known=frozenset({0})) == (
        [37, "<10", "≥10"], False)


def test_a_subset_of_counts_with_a_shown_sum_is_suppressed_with_that_sum():
    # Three provinces (3, 20, 50) and the sum of the first and last shown beside them (53): 50
    # shown would give the 3 back.
    shown, pinned = suppress_sums([3, 20, 50, 53], [([0, 2], 3)], K)
    assert shown[0] == "<10" and not pinned
    assert any(isinstance(shown[i], str) for i in (2, 3))


def test_a_term_no_page_shows_is_solved_for_but_gets_no_partner():
    # A province of 15 (shown elsewhere): a court of 12, and 3 at courts "not recorded",
    # which span provinces and are shown only in all. The 3 is no count to protect, and
    # 15 - 12 tells only that it is 3: the 12 stays shown.
    assert suppress_sums([15, 12, 3], [([1, 2], 0)], K, known=frozenset({0}),
                         unshown=frozenset({2})) == ([15, 12, "<10"], False)
