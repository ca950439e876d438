#!/usr/bin/env python3
"""The numpy side of @tdhook/bench's probing-geometry scenarios: TwoNN, linear CKA and information imbalance
with the same maths and the same algorithm as @tdhook/probing (so that the ratio measures the runtime, not
the algorithm), vectorised: the squared distances by expansion on centred float32 rows, one BLAS product per
block of 16 MiB; candidates by argpartition; exact float64 distances where the expansion's error bound
cannot decide; the d x d products of CKA in float32.

The bench starts this script once per measured process (`/usr/bin/python3 probing_geometry.py`) and talks to
it in JSON lines on stdin/stdout, so that Python's start-up and numpy's import count as set-up, not run:

  {"op": "info"}                                   -> {"ok": true, "python": "3.11.2", "numpy": "1.24.2", "blas": "..."}
  {"op": "load", "a": path, "b": path|null, "rows": N, "columns_a": D, "columns_b": D}
                                                   -> {"ok": true}   (raw little-endian float32, row-major)
  {"op": "run", "measure": "two-nn"|"cka"|"information-imbalance"}
                                                   -> {"ok": true, "values": [...], "seconds": t}

`python3 probing_geometry.py --self-test` checks the block functions against brute force on small data.
"""

import json
import sys
import time

import numpy as np

EPS = 1e-5  # TwoNN's duplicate rule: a neighbour at distance <= eps is no neighbour (the original's default)
BLOCK_VALUES = 1 << 22  # values of the N x N matrix alive at once (16 MiB of float32), as in @tdhook/probing
EXTRA_CANDIDATES = 8  # candidates beyond the m neighbours asked for, as in @tdhook/probing
FLOAT32_UNIT = 2.0**-24


class ScoreBlocks:
    """The N x N squared distances by the fast expansion, in row blocks: centred float32 rows c (as TF.js
    centres them), norms ||c_i||^2, and scores ||c_j||^2 - 2 c_i.c_j from one BLAS product per block, so that
    approx(i, j) = norms[i] + scores. `bound[i]` bounds |approx - exact| (worst-case float32 error analysis, the
    same bound as @tdhook/probing), so exact float64 distances are computed only where the expansion cannot
    decide."""

    def __init__(self, x):
        n, d = x.shape
        self.x64 = x.astype(np.float64)  # exact distances: direct differences of the float32 inputs
        self.c = x - x.mean(axis=0, dtype=np.float32)
        self.norms = np.einsum("nd,nd->n", self.c, self.c)
        largest = float(self.norms.max()) if n > 0 else 0.0
        self.bound = (2 * d + 32) * FLOAT32_UNIT * (self.norms.astype(np.float64) + largest) + 1e-30
        self.rows = max(1, BLOCK_VALUES // max(1, n))

    def ranges(self):
        n = self.c.shape[0]
        return [(start, min(start + self.rows, n)) for start in range(0, n, self.rows)]

    def block(self, start, stop):
        """scores for rows start..stop (float32; approx = norms[i] + scores, in float64 where compared), self
        set to +inf."""
        block = self.c[start:stop] @ self.c.T
        block *= -2.0
        block += self.norms[None, :]
        rows = np.arange(stop - start)
        block[rows, start + rows] = np.inf
        return block

    def exact(self, i, j):
        """Exact squared distances of the pairs (i[k], j[k]) (any matching shapes), float64."""
        diff = self.x64[i] - self.x64[j]
        return np.einsum("...d,...d->...", diff, diff)

    def exact_row(self, i):
        diff = self.x64 - self.x64[i]
        return np.einsum("nd,nd->n", diff, diff)


def nearest_valid(scores, block, start, m, eps):
    """The first m valid neighbours of rows start..start+len(approx): exact distances (float64), the eps rule
    (a point is never its own neighbour, nor any point at distance <= eps), ties by the lower index; -1 and
    +inf where a point has fewer. Candidates: the m + 8 smallest approx by argpartition; a row is settled when
    its m-th exact distance is below the smallest approx left out minus the bound, else redone exactly."""
    rows, n = block.shape
    index = np.full((rows, m), -1, dtype=np.int64)
    distance = np.full((rows, m), np.inf)
    if m == 0 or n < 2:
        return index, distance
    i = start + np.arange(rows)
    size = min(n - 1, m + EXTRA_CANDIDATES)
    complete = size >= n - 1
    part = np.argpartition(block, size - 1 if complete else size, axis=1)  # approx orders as the scores do
    candidates = part[:, :size]
    threshold = np.full(rows, np.inf) if complete else block[np.arange(rows), part[:, size]].astype(np.float64)
    exact = scores.exact(i[:, None], candidates)
    exact[np.sqrt(exact) <= eps] = np.inf
    exact[candidates == i[:, None]] = np.inf
    order = np.lexsort((candidates, exact), axis=1)
    exact = np.take_along_axis(exact, order, axis=1)[:, :m]
    candidates = np.take_along_axis(candidates, order, axis=1)[:, :m]
    settled = complete | (exact[:, -1] < scores.norms[i].astype(np.float64) + threshold - scores.bound[i])
    index[settled] = np.where(np.isfinite(exact[settled]), candidates[settled], -1)
    distance[settled] = np.sqrt(exact[settled])
    for row in np.nonzero(~settled)[0]:  # rare: more near-ties or duplicates than candidates
        full = scores.exact_row(i[row])
        full[i[row]] = np.inf
        full[np.sqrt(full) <= eps] = np.inf
        order = np.lexsort((np.arange(n), full))[:m]
        finite = np.isfinite(full[order])
        index[row, : finite.sum()] = order[finite]
        distance[row, : finite.sum()] = np.sqrt(full[order][finite])
    return index, distance


def two_nn(x, eps=EPS):
    """TwoNN (Facco et al.): r1, r2 of each point (nearest_valid), mu = r2/r1 over the valid points, sorted,
    the largest dropped; d = sum(xy)/sum(x^2) through the origin with x = log mu, y = -log(1 - i/N_valid)."""
    scores = ScoreBlocks(x)
    r = np.empty((x.shape[0], 2))
    for start, stop in scores.ranges():
        r[start:stop] = nearest_valid(scores, scores.block(start, stop), start, 2, eps)[1]
    valid = np.isfinite(r[:, 0]) & np.isfinite(r[:, 1])
    nv = int(valid.sum())
    if nv < 3:
        raise ValueError("At least 3 valid points")
    mu = np.sort(r[valid, 1] / r[valid, 0])
    xs = np.log(mu[:-1])
    ys = -np.log(1.0 - np.arange(1, nv) / nv)
    sxx = float(np.dot(xs, xs))
    return [0.0 if sxx == 0.0 else float(np.dot(xs, ys)) / sxx]


def centre_columns(x):
    """Column means and the subtraction in float64, rounded to float32 (as @tdhook/probing's CKA)."""
    x64 = x.astype(np.float64)
    return (x64 - x64.mean(axis=0)).astype(np.float32)


def linear_cka(a, b, eps=1e-12):
    """Centred linear CKA in feature space: |A'B|_F^2 / sqrt(|A'A|_F^2 |B'B|_F^2), the d x d products in
    float32 (BLAS), their squared sums in float64; NaN when the denominator is <= eps or not finite."""
    a = centre_columns(a)
    b = centre_columns(b)
    frobenius2 = lambda m: float(np.square(m, dtype=np.float64).sum())
    num = frobenius2(a.T @ b)
    den = float(np.sqrt(frobenius2(a.T @ a) * frobenius2(b.T @ b)))
    return [num / den if np.isfinite(den) and den > eps else float("nan")]


def float32_at_most(x):
    """The largest float32 <= each float64 of x."""
    rounded = x.astype(np.float32)
    return np.where(rounded > x, np.nextafter(rounded, np.float32(-np.inf)), rounded)


def float32_at_least(x):
    """The smallest float32 >= each float64 of x."""
    rounded = x.astype(np.float32)
    return np.where(rounded < x, np.nextafter(rounded, np.float32(np.inf)), rounded)


def ranks_of(scores, block, start, target):
    """The rank of target[r] in row i = start + r of the distance matrix (self 0, the others 1..N-1 ascending,
    ties by index): 1 + the points surely closer by the expansion, plus those within the bound of the target's
    exact distance that are closer exactly."""
    rows = block.shape[0]
    r = np.arange(rows)
    i = start + r
    t = scores.exact(i, target)
    bound = scores.bound[i]
    base = scores.norms[i].astype(np.float64)
    block[r, target] = np.inf  # the target itself is not counted (self is +inf already)
    # approx < t - bound  <=>  score < t - bound - norms[i]. The thresholds are rounded outwards to float32
    # so that the comparisons run on the float32 block (no float64 copy of it): a score between a threshold
    # and its rounding falls in the band, which is decided exactly, so the counts are unchanged.
    lower = float32_at_most(t - bound - base)[:, None]
    upper = float32_at_least(t + bound - base)[:, None]
    surely = (block < lower).sum(axis=1)
    band_rows, band_cols = np.nonzero((block >= lower) & (block <= upper))
    exact = scores.exact(i[band_rows], band_cols)
    closer = (exact < t[band_rows]) | ((exact == t[band_rows]) & (band_cols < target[band_rows]))
    return 1 + surely + np.bincount(band_rows[closer], minlength=rows)


def information_imbalance(a, b):
    """Delta(A->B) = (2/N) mean_i r_B(i, nn_A(i)) and Delta(B->A), exact: each point's nearest other point
    (duplicates included) in each space, then its rank in the other space. Three passes over the blocks, as
    @tdhook/probing makes them: A's nearest; B's nearest with the ranks of A's; the ranks in A of B's."""
    n = a.shape[0]
    sa, sb = ScoreBlocks(a), ScoreBlocks(b)
    nearest_a = np.empty(n, dtype=np.int64)
    nearest_b = np.empty(n, dtype=np.int64)
    a_to_b = np.empty(n)
    b_to_a = np.empty(n)
    for start, stop in sa.ranges():
        nearest_a[start:stop] = nearest_valid(sa, sa.block(start, stop), start, 1, -np.inf)[0][:, 0]
    for start, stop in sb.ranges():
        block = sb.block(start, stop)
        nearest_b[start:stop] = nearest_valid(sb, block, start, 1, -np.inf)[0][:, 0]
        a_to_b[start:stop] = ranks_of(sb, block, start, nearest_a[start:stop])
    for start, stop in sa.ranges():
        b_to_a[start:stop] = ranks_of(sa, sa.block(start, stop), start, nearest_b[start:stop])
    return [2.0 * float(a_to_b.mean()) / n, 2.0 * float(b_to_a.mean()) / n]


MEASURES = {
    "two-nn": lambda data: two_nn(data["a"]),
    "cka": lambda data: linear_cka(data["a"], data["b"]),
    "information-imbalance": lambda data: information_imbalance(data["a"], data["b"]),
}


def blas_name():
    try:
        config = np.__config__.blas_opt_info  # numpy < 1.26
        return ",".join(config.get("libraries", [])) or "unknown"
    except AttributeError:
        return "unknown"


def read_matrix(path, rows, columns):
    return np.fromfile(path, dtype="<f4", count=rows * columns).reshape(rows, columns)


def serve():
    data = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "info":
                reply = {"python": sys.version.split()[0], "numpy": np.__version__, "blas": blas_name()}
            elif op == "load":
                rows = int(request["rows"])
                data = {"a": read_matrix(request["a"], rows, int(request["columns_a"]))}
                if request.get("b") is not None:
                    data["b"] = read_matrix(request["b"], rows, int(request["columns_b"]))
                reply = {}
            elif op == "run":
                started = time.perf_counter()
                values = MEASURES[request["measure"]](data)
                reply = {"values": values, "seconds": time.perf_counter() - started}
            else:
                raise ValueError(f"unknown op {op!r}")
            reply["ok"] = True
        except Exception as error:  # the bench reports it as the variant's error
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def brute_sorted(x, eps):
    d = np.sqrt(((x[:, None, :].astype(np.float64) - x[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    d[d <= eps] = np.inf
    return np.sort(d, axis=1)


def self_test():
    """The block functions against brute force (float64, full matrices) on small data far from the origin."""
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(300, 4)) @ rng.normal(size=(4, 20)) + 10.0).astype(np.float32)
    b = np.tanh(x @ rng.normal(size=(20, 12)).astype(np.float32) / 10).astype(np.float32)

    def distances(m):
        m = m.astype(np.float64)
        return np.sqrt(((m[:, None, :] - m[None, :, :]) ** 2).sum(-1))

    # Information imbalance: full rank matrices (self 0, then 1..N-1), no duplicates in these data.
    da, db = distances(x), distances(b)
    ranks_b = np.argsort(np.argsort(db, axis=1, kind="stable"), axis=1)
    np.fill_diagonal(da, np.inf)
    expected = 2.0 * ranks_b[np.arange(300), np.argmin(da, axis=1)].mean() / 300
    got = information_imbalance(x, b)[0]
    assert abs(got - expected) < 1e-12, (got, expected)

    # TwoNN's neighbours with duplicates: a copied row is no neighbour of its copies (eps rule).
    x[10] = x[11]
    x[12] = x[11]
    d = distances(x)
    np.fill_diagonal(d, np.inf)
    d[d <= EPS] = np.inf
    brute = np.sort(d, axis=1)[:, :2]
    scores = ScoreBlocks(x)
    scores.rows = 64
    fast = np.concatenate([nearest_valid(scores, scores.block(lo, hi), lo, 2, EPS)[1] for lo, hi in scores.ranges()])
    assert np.array_equal(fast, brute), np.abs(fast - brute).max()

    # The outward-rounded float32 thresholds of ranks_of bracket their float64 values.
    values = rng.normal(size=1000) * 10.0 ** rng.integers(-3, 4, size=1000)
    assert np.all(float32_at_most(values).astype(np.float64) <= values)
    assert np.all(float32_at_least(values).astype(np.float64) >= values)

    # Linear CKA in feature space equals the Gram-matrix (HSIC) form.
    xc, bc = x - x.mean(0), b - b.mean(0)
    ka, kb = xc.astype(np.float64) @ xc.T, bc.astype(np.float64) @ bc.T
    hsic = (ka * kb).sum() / np.sqrt((ka * ka).sum() * (kb * kb).sum())
    assert np.isclose(linear_cka(x, b)[0], hsic, rtol=1e-4), (linear_cka(x, b), hsic)
    print("ok: two-nn", two_nn(x), "cka", linear_cka(x, b), "information imbalance", information_imbalance(x, b))


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        serve()
