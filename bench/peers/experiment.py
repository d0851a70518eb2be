"""Peer for experiment analysis: recomputes analytics.experiment from the sufficient statistics with scipy.stats.

Usage: experiment.py stats.csv peer.csv   (stats.csv: variant, metric, kind, units, sum_y, sum_y2, sum_x, sum_x2, sum_xy and the
       sums of z and w with their cross-products: sum_z, sum_z2, sum_yz, sum_xz, sum_w, sum_w2, sum_yw, sum_xw, sum_zw; control 'A')
       experiment.py --events exposures.csv events.csv stats.csv   (computes stats.csv from the raw rows with pandas/numpy:
       the bench's 5 metrics, 14-day window, 28-day pre-period; prints its read and compute seconds)
Welch t on the absolute lift, delta-method relative lift, CUPED as a least-squares regression of each unit's
(linearized) metric on its covariates with within-arm cross-products pooled over both arms (a mean's covariates: its
pre-period value x and z; a ratio's: its pre-period numerator z and denominator w, the metric linearized as
(y - R x)/mean(x)), delta-method ratio metrics, the asymptotic confidence sequence (N* = 5000), a flat-prior normal posterior, and the
chi-square SRM test against an equal split. Written from the formulas, not from Tributary's code.
"""
import csv
import math
import sys
import time

from scipy import stats


COLUMNS = ("units", "sum_y", "sum_y2", "sum_x", "sum_x2", "sum_xy", "sum_z", "sum_z2", "sum_yz", "sum_xz", "sum_w", "sum_w2", "sum_yw", "sum_xw", "sum_zw")


def moments(row):
    """Unit count, means of (y, x, z, w) and their centred cross-product matrix."""
    import numpy as np
    n = row["units"]
    s = np.array([row["sum_y"], row["sum_x"], row["sum_z"], row["sum_w"]])
    cross = np.array([[row["sum_y2"], row["sum_xy"], row["sum_yz"], row["sum_yw"]],
                      [row["sum_xy"], row["sum_x2"], row["sum_xz"], row["sum_xw"]],
                      [row["sum_yz"], row["sum_xz"], row["sum_z2"], row["sum_zw"]],
                      [row["sum_yw"], row["sum_xw"], row["sum_zw"], row["sum_w2"]]])
    return n, s / n, cross - np.outer(s, s) / n


def gradient(kind, mean):
    import numpy as np
    return np.array([1 / mean[1], -mean[0] / mean[1] ** 2, 0, 0]) if kind == "ratio" else np.array([1.0, 0, 0, 0])


def theta(c, t, kind):
    import numpy as np
    (nc, mc, pc), (nt, mt, pt) = moments(c), moments(t)
    gc, gt = gradient(kind, mc), gradient(kind, mt)
    raw = [c[k] + t[k] for k in ("sum_y2", "sum_x2", "sum_z2", "sum_w2")]
    cov = [j for j in ((2, 3) if kind == "ratio" else (1, 2)) if pc[j, j] + pt[j, j] > 1e-12 * max(1.0, raw[j])]
    out = np.zeros(4)
    while cov:
        sxx = (pc + pt)[np.ix_(cov, cov)]
        sxy = pc[:, cov].T @ gc + pt[:, cov].T @ gt
        if len(cov) == 1 or np.linalg.det(sxx) > 1e-12 * np.prod(np.diag(sxx)):
            out[cov] = np.linalg.solve(sxx, sxy)
            return out
        cov = cov[:1]
    return out


def arm(row, kind, th, pooled):
    n, mean, p = moments(row)
    g = gradient(kind, mean)
    est = row["sum_y"] / row["sum_x"] if kind == "ratio" else mean[0]
    unadjusted = max(0.0, g @ p @ g / (n - 1)) / n
    if not th.any():
        return est, unadjusted, unadjusted
    return est - th @ (mean - pooled), max(0.0, (g - th) @ p @ (g - th) / (n - 1)) / n, unadjusted


def main(stats_path, out_path):
    rows = {}
    with open(stats_path) as f:
        for r in csv.DictReader(f):
            for k in COLUMNS:
                r[k] = float(r[k])
            rows[(r["metric"], r["variant"])] = r
    metrics = sorted({m for m, _ in rows})
    variants = sorted({v for _, v in rows})
    units = [rows[(metrics[0], v)]["units"] for v in variants]
    srm_p = stats.chisquare(units).pvalue
    alpha, tuning = 0.05, 5000.0
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning
    out = []
    for m in metrics:
        c = rows[(m, "A")]
        for v in variants:
            if v == "A":
                continue
            t = rows[(m, v)]
            kind = c["kind"]
            th = theta(c, t, kind)
            pooled = moments({k: c[k] + t[k] for k in COLUMNS})[1]
            mc, vc, v0c = arm(c, kind, th, pooled)
            mt, vt, v0t = arm(t, kind, th, pooled)
            df = (vc + vt) ** 2 / (vt ** 2 / (t["units"] - 1) + vc ** 2 / (c["units"] - 1))
            rel = mt / mc - 1
            se = math.sqrt(vt / mc ** 2 + mt ** 2 * vc / mc ** 4)
            q = stats.t.ppf(1 - alpha / 2, df)
            p = 2 * stats.t.sf(abs(rel / se), df)
            n = c["units"] + t["units"]
            half = se * math.sqrt(n) * math.sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * math.log(math.sqrt(n * rho2 + 1) / alpha))
            chance = stats.norm.cdf(rel / se)
            z = rel / se
            risk = se * stats.norm.pdf(z) - rel * stats.norm.cdf(-z)
            out.append([v, m, rel, rel - q * se, rel + q * se, p, rel - half, rel + half, chance, risk, 1 - (vc + vt) / (v0c + v0t), srm_p])
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variant", "metric", "rel_lift", "rel_low", "rel_high", "p_value", "seq_low", "seq_high", "chance_to_beat_control", "risk_variant",
                    "variance_reduction", "srm_p_value"])
        w.writerows(out)


METRICS = [("adds", "count", "add"), ("conversion", "conversion", "order"), ("revenue", "sum", "order"), ("revenue_per_view", "ratio", "order/view"),
           ("views", "count", "view")]


def statistics(exposures_path, events_path, out_path):
    import numpy as np
    import pandas as pd

    start = time.process_time()
    ex = pd.read_csv(exposures_path, parse_dates=["first_exposed_at"])
    ev = pd.read_csv(events_path, parse_dates=["occurred_at"])
    read = time.process_time() - start
    start = time.process_time()
    ev = ev[ev["metric"].isin(["order", "view", "add"])]
    j = ev.merge(ex[["visitor_id", "first_exposed_at"]], on="visitor_id")
    dt = (j["occurred_at"] - j["first_exposed_at"]).to_numpy()
    post = (dt >= np.timedelta64(0, "s")) & (dt < np.timedelta64(14, "D"))
    pre = (dt < np.timedelta64(0, "s")) & (dt >= -np.timedelta64(28, "D"))
    j = j.assign(phase=np.where(post, "p", np.where(pre, "q", "")))
    j = j[j["phase"] != ""]
    per = j.groupby(["visitor_id", "metric", "phase"])["value"].agg(["sum", "count"]).unstack(["metric", "phase"]).fillna(0.0)
    per.columns = ["_".join(c) for c in per.columns]
    per = ex.set_index("visitor_id")[["variant"]].join(per).fillna(0.0)

    def col(agg, metric, phase):
        key = f"{agg}_{metric}_{phase}"
        return per[key].to_numpy() if key in per.columns else np.zeros(len(per))

    rows = []
    for name, kind, base in METRICS:
        z = w = np.zeros(len(per))
        if kind == "ratio":
            num, den = base.split("/")
            y, x = col("sum", num, "p"), col("sum", den, "p")
            z, w = col("sum", num, "q"), col("sum", den, "q")
        elif kind == "sum":
            y, x = col("sum", base, "p"), col("sum", base, "q")
        else:
            y, x = col("count", base, "p"), col("count", base, "q")
            if kind == "conversion":
                y, x = (y > 0).astype(float), (x > 0).astype(float)
        frame = pd.DataFrame({"variant": per["variant"].to_numpy(), "y": y, "x": x, "z": z, "w": w})
        frame = frame.assign(yy=y * y, xx=x * x, xy=x * y, zz=z * z, yz=y * z, xz=x * z, ww=w * w, yw=y * w, xw=x * w, zw=z * w)
        for variant, g in frame.groupby("variant"):
            rows.append([variant, name, kind, len(g)] + [g[k].sum() for k in ("y", "yy", "x", "xx", "xy", "z", "zz", "yz", "xz", "w", "ww", "yw", "xw", "zw")])
    compute = time.process_time() - start
    with open(out_path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["variant", "metric", "kind"] + list(COLUMNS))
        out.writerows(rows)
    print(f"peer statistics: read {read:.2f} CPU s, compute {compute:.2f} CPU s ({len(ev):,} metric events, {len(ex):,} units)")


if __name__ == "__main__":
    if sys.argv[1] == "--events":
        statistics(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main(sys.argv[1], sys.argv[2])
