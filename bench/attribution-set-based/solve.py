# Markov (order 1, removal effects) and Shapley (conversion-rate game) from set-based.sql's small tables, solved as
# bench/peers/attribution.py does; prints the largest difference to ours' credit and writes shares.csv for check.sql.
# Usage: /usr/bin/python3 solve.py DIR   (DIR holding export.sql's CSVs)
import sys, os
os.chdir(sys.argv[1] if len(sys.argv) > 1 else ".")
import numpy as np, pandas as pd
from math import factorial
tr = pd.read_csv("trans.csv"); ps = pd.read_csv("paths.csv"); bits = pd.read_csv("bits.csv")
k = len(bits); names = bits.sort_values("bit")["channel"].tolist()
m = np.zeros((k + 1, k + 3))
for r in tr.itertuples():
    m[k if r.prev < 0 else r.prev, r.bit] += r.n
end = ps.groupby(["lastbit", "c"])["n"].sum()
for (lb, c), n in end.items():
    m[lb, k + 1 if c else k + 2] += n
m /= m.sum(axis=1, keepdims=True)
def absorption(removed=None):
    q = m[:, : k + 1].copy(); r = m[:, k + 1].copy()
    if removed is not None:
        q[:, removed] = 0; q[removed, :] = 0; r[removed] = 0
    return np.linalg.solve(np.eye(k + 1) - q, r)[k]
base = absorption(); eff = np.array([1 - absorption(c) / base for c in range(k)])
conv = ps[ps.c]; tc = conv.n.sum(); tv = conv.v.sum()
out = [("markov_1", names[c], tc * eff[c] / eff.sum(), tv * eff[c] / eff.sum()) for c in range(k)]
sets = ps.groupby("mask").agg(paths=("n", "sum"))
sets["conversions"] = conv.groupby("mask")["n"].sum(); sets["value"] = conv.groupby("mask")["v"].sum(); sets = sets.fillna(0)
v = np.zeros(1 << k); v[sets.index.to_numpy()] = sets.conversions.to_numpy() / sets.paths.to_numpy()
allm = np.arange(1 << k)
for b in range(k):
    has = (allm >> b) & 1 == 1; v[has] = np.maximum(v[has], v[allm[has] ^ (1 << b)])
rows = []; v[0] = 0; pc = np.array([bin(x).count("1") for x in range(1 << k)]); sh = np.zeros((k, 2))
for mask, row in sets[sets.conversions > 0].iterrows():
    mem = [b for b in range(k) if mask >> b & 1]; n = len(mem); sub = allm[(allm & ~mask) == 0]; phi = np.zeros(n)
    for j, b in enumerate(mem):
        wo = sub[(sub >> b) & 1 == 0]; wt = np.array([factorial(x) * factorial(n - x - 1) / factorial(n) for x in range(n)])[pc[wo]]
        phi[j] = (wt * (v[wo | (1 << b)] - v[wo])).sum()
    share = phi / phi.sum() if phi.sum() > 0 else np.full(n, 1.0 / n)
    for j, b in enumerate(mem): sh[b] += (row.conversions * share[j], row.value * share[j]); rows.append((mask, b, share[j]))
out += [("shapley", names[c], sh[c, 0], sh[c, 1]) for c in range(k)]
ours = pd.read_csv("ours.csv").set_index(["model", "channel"])
d = max(max(abs(ours.loc[(mo, ch), "conversions"] - a), abs(ours.loc[(mo, ch), "value"] - b) / 40) for mo, ch, a, b in out)
print("largest difference against ours (conversions; value/40):", d)

e = np.maximum(eff, 0)
out2 = pd.DataFrame(rows, columns=["mask", "bit", "shapley"])
out2["markov"] = [e[b] / sum(e[x] for x in range(k) if m_ >> x & 1) for m_, b in zip(out2["mask"], out2["bit"])]
out2[["mask", "bit", "markov", "shapley"]].to_csv("shares.csv", index=False)
