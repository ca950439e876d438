#!/usr/bin/env python3
"""The numpy side of @tdhook/bench's probing-geometry scenarios: TwoNN, linear CKA and information imbalance,
the same maths as @tdhook/probing, vectorised (BLAS matrix products over row chunks, argpartition), float32
like TF.js.

The bench starts this script once per measured process (`/usr/bin/python3 probing_geometry.py`) and talks to
it in JSON lines on stdin/stdout, so that Python's start-up and numpy's import count as set-up, not run:

  {"op": "info"}                                   -> {"ok": true, "python": "3.11.2", "numpy": "1.24.2", "blas": "..."}
  {"op": "load", "a": path, "b": path|null, "rows": N, "columns_a": D, "columns_b": D}
                                                   -> {"ok": true}   (raw little-endian float32, row-major)
  {"op": "run", "measure": "two-nn"|"cka"|"information-imbalance"}
                                                   -> {"ok": true, "values": [...], "seconds": t}

`python3 probing_geometry.py --self-test` checks the chunked functions against brute force on small data.
"""

import json
import sys
import time

import numpy as np

EPS = 1e-5  # TwoNN's duplicate rule: a neighbour at distance <= eps is no neighbour (the original's default)
CHUNK = 1024  # rows per block of the distance matrix: a 1024 x N float32 block, 40 MB at N = 10,000
CANDIDATES = 8  # neighbours kept from the expanded distances, whose exact distances are then computed


def centred(x):
    """Columns centred: distances do not change, and the expansion |x|^2 + |y|^2 - 2 x.y loses less."""
    return x - x.mean(axis=0, dtype=np.float64).astype(np.float32)


def squared_distance_block(x, sq, start, stop):
    """Rows start..stop of the squared-distance matrix by expansion (one BLAS product), self set to +inf."""
    block = sq[start:stop, None] + sq[None, :] - 2.0 * (x[start:stop] @ x.T)
    np.maximum(block, 0.0, out=block)
    rows = np.arange(stop - start)
    block[rows, start + rows] = np.inf
    return block


def exact_distances(x, start, stop, columns):
    """Direct differences sqrt(sum (x_i - x_j)^2) for row i = start + r and the columns[r] it names."""
    diff = x[start:stop, None, :] - x[columns]
    return np.sqrt(np.einsum("rkd,rkd->rk", diff, diff))


def two_nearest(x, eps=EPS, chunk=CHUNK, candidates=CANDIDATES):
    """r1, r2: each point's two nearest valid neighbours (self and distances <= eps excluded), exact.

    The expanded squared distances (centred data) choose `candidates` neighbours per row; their exact distances
    decide. A row whose candidates hold fewer than two valid ones (many duplicates) is redone exactly."""
    n = x.shape[0]
    sq = np.einsum("nd,nd->n", x, x)
    keep = min(candidates, n - 1)
    r = np.empty((n, 2), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        block = squared_distance_block(x, sq, start, stop)
        columns = np.argpartition(block, keep - 1, axis=1)[:, :keep]
        d = exact_distances(x, start, stop, columns)
        d[d <= eps] = np.inf
        d.sort(axis=1)
        r[start:stop] = d[:, :2] if keep >= 2 else np.inf
        for row in np.nonzero(~np.isfinite(d[:, 1]) if keep >= 2 else np.arange(stop - start))[0]:
            i = start + row
            full = np.sqrt(np.einsum("nd,nd->n", x - x[i], x - x[i]))
            full[i] = np.inf
            full[full <= eps] = np.inf
            full.sort()
            r[i] = full[:2]
    return r


def two_nn(x, eps=EPS):
    """TwoNN (Facco et al.): mu = r2/r1 over valid points, sorted; the largest dropped; d = sum(xy)/sum(x^2)
    through the origin with x = log mu, y = -log(1 - i/N_valid)."""
    r = two_nearest(centred(x), eps)
    valid = np.isfinite(r[:, 0]) & np.isfinite(r[:, 1])
    nv = int(valid.sum())
    if nv < 3:
        raise ValueError("At least 3 valid points")
    mu = np.sort(r[valid, 1] / r[valid, 0])
    xs = np.log(mu[:-1])
    ys = -np.log(1.0 - np.arange(1, nv, dtype=np.float32) / nv)
    sxx = float(np.dot(xs, xs))
    return [0.0 if sxx == 0.0 else float(np.dot(xs, ys)) / sxx]


def linear_cka(a, b, eps=1e-12):
    """Centred linear CKA in feature space: |A'B|_F^2 / sqrt(|A'A|_F^2 |B'B|_F^2); NaN when the denominator is
    <= eps or not finite."""
    a = centred(a)
    b = centred(b)
    num = float(np.square(a.T @ b).sum())
    den = float(np.sqrt(float(np.square(a.T @ a).sum()) * float(np.square(b.T @ b).sum())))
    return [num / den if np.isfinite(den) and den > eps else float("nan")]


def imbalance_ranks(a, b, chunk=CHUNK):
    """For each i, both ways: j = i's nearest neighbour in one space (self excluded) and j's rank among i's
    neighbours in the other (self rank 0, the others 1..N-1 by ascending distance), that is
    1 + #{k != i : d(i, k) < d(i, j)}. One block of each space's squared distances per chunk of rows."""
    n = a.shape[0]
    sqa = np.einsum("nd,nd->n", a, a)
    sqb = np.einsum("nd,nd->n", b, b)
    a_to_b = np.empty(n, dtype=np.int64)
    b_to_a = np.empty(n, dtype=np.int64)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        rows = np.arange(stop - start)
        da = squared_distance_block(a, sqa, start, stop)  # self is +inf: never counted as closer
        db = squared_distance_block(b, sqb, start, stop)
        nearest_a = np.argmin(da, axis=1)
        nearest_b = np.argmin(db, axis=1)
        a_to_b[start:stop] = 1 + (db < db[rows, nearest_a][:, None]).sum(axis=1)
        b_to_a[start:stop] = 1 + (da < da[rows, nearest_b][:, None]).sum(axis=1)
    return a_to_b, b_to_a


def information_imbalance(a, b):
    """Delta(A->B) = (2/N) mean_i r_B(i, nn_A(i)), and Delta(B->A) the other way round."""
    n = a.shape[0]
    a_to_b, b_to_a = imbalance_ranks(centred(a), centred(b))
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
    """The chunked functions against brute force (float64, full matrices) on small data far from the origin."""
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
    fast = two_nearest(centred(x), EPS, chunk=64, candidates=3)
    assert np.allclose(fast, brute, rtol=1e-4), np.abs(fast - brute).max()

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
