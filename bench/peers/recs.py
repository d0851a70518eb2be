"""Implicit ALS peer (numpy/scipy): Hu, Koren & Volinsky 2008 with 3 conjugate-gradient steps per row (Takacs et al. 2011),
the same algorithm as Tributary's recs.als, vectorized over all rows at once with sparse products.
usage: recs.py interactions.csv factors iterations   (prints seconds=<per iteration>)"""
import sys, time
import numpy as np, pandas as pd, scipy.sparse as sp

path, factors, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
LAMBDA, ALPHA, STEPS = 0.1, 10.0, 3
df = pd.read_csv(path)
users, items = df.user.max() + 1, df.item.max() + 1
r = sp.csr_matrix((df.weight.to_numpy(float), (df.user.to_numpy(), df.item.to_numpy())), shape=(users, items))
rng = np.random.default_rng(1)
X = rng.normal(0, 0.01, (users, factors))
Y = rng.normal(0, 0.01, (items, factors))


def rowwise(m, a, b, chunk=200_000):
    """alpha * r_e * (a[row_e] . b[col_e]) for every stored entry e of m."""
    coo = m.tocoo()
    out = np.empty(coo.nnz)
    for s in range(0, coo.nnz, chunk):
        e = slice(s, s + chunk)
        out[e] = ALPHA * coo.data[e] * np.einsum("ij,ij->i", a[coo.row[e]], b[coo.col[e]])
    return sp.csr_matrix((out, (coo.row, coo.col)), shape=m.shape)


def solve(m, fixed, x):
    gram = fixed.T @ fixed + LAMBDA * np.eye(factors)
    def apply(v):
        return v @ gram + rowwise(m, v, fixed) @ fixed
    conf = m.copy()
    conf.data = 1 + ALPHA * conf.data
    res = conf @ fixed - apply(x)
    p = res.copy()
    rs = np.einsum("ij,ij->i", res, res)
    for _ in range(STEPS):
        ap = apply(p)
        a = rs / np.maximum(np.einsum("ij,ij->i", p, ap), 1e-30)
        x += a[:, None] * p
        res -= a[:, None] * ap
        new = np.einsum("ij,ij->i", res, res)
        p = res + (new / np.maximum(rs, 1e-30))[:, None] * p
        rs = new
    return x


rt = r.T.tocsr()
solve(r, Y, X); solve(rt, X, Y)  # warm-up sweep, as ours
start = time.perf_counter()
for _ in range(iterations):
    X = solve(r, Y, X)
    Y = solve(rt, X, Y)
print(f"seconds={(time.perf_counter() - start) / iterations:.3f}")
