"""Peer for experiment analysis: recomputes analytics.experiment from the sufficient statistics with scipy.stats.

Usage: experiment.py stats.csv peer.csv   (stats.csv: variant, metric, kind, units, sum_y, sum_y2, sum_x, sum_x2, sum_xy; control 'A')
       experiment.py --events exposures.csv events.csv stats.csv   (computes stats.csv from the raw rows with pandas/numpy:
       the bench's 5 metrics, 14-day window, 28-day pre-period; prints its read and compute seconds)
Welch t on the absolute lift, delta-method relative lift, CUPED with theta pooled over both arms (mean metrics),
delta-method ratio metrics, the asymptotic confidence sequence (N* = 5000), a flat-prior normal posterior, and the
chi-square SRM test against an equal split. Written from the formulas, not from Tributary's code.
"""
import csv
import math
import sys
import time

from scipy import stats


def arm(row, kind, theta, pooled_x):
    n = row["units"]
    my, mx = row["sum_y"] / n, row["sum_x"] / n
    vy = (row["sum_y2"] - n * my * my) / (n - 1)
    vx = (row["sum_x2"] - n * mx * mx) / (n - 1)
    cov = (row["sum_xy"] - n * mx * my) / (n - 1)
    if kind == "ratio":
        r = row["sum_y"] / row["sum_x"]
        v = (vy - 2 * r * cov + r * r * vx) / (n * mx * mx)
        return r, v, v
    mean = my - theta * (mx - pooled_x)
    return mean, max(0.0, vy - 2 * theta * cov + theta * theta * vx) / n, vy / n


def main(stats_path, out_path):
    rows = {}
    with open(stats_path) as f:
        for r in csv.DictReader(f):
            for k in ("units", "sum_y", "sum_y2", "sum_x", "sum_x2", "sum_xy"):
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
            theta, pooled_x = 0.0, 0.0
            if kind != "ratio":
                sxx = sum(a["sum_x2"] - a["sum_x"] ** 2 / a["units"] for a in (c, t))
                sxy = sum(a["sum_xy"] - a["sum_x"] * a["sum_y"] / a["units"] for a in (c, t))
                theta = sxy / sxx if sxx > 1e-12 * max(1.0, c["sum_x2"] + t["sum_x2"]) else 0.0
                pooled_x = (c["sum_x"] + t["sum_x"]) / (c["units"] + t["units"])
            mc, vc, v0c = arm(c, kind, theta, pooled_x)
            mt, vt, v0t = arm(t, kind, theta, pooled_x)
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
        if kind == "ratio":
            num, den = base.split("/")
            y, x = col("sum", num, "p"), col("sum", den, "p")
        elif kind == "sum":
            y, x = col("sum", base, "p"), col("sum", base, "q")
        else:
            y, x = col("count", base, "p"), col("count", base, "q")
            if kind == "conversion":
                y, x = (y > 0).astype(float), (x > 0).astype(float)
        frame = pd.DataFrame({"variant": per["variant"].to_numpy(), "y": y, "x": x})
        frame = frame.assign(yy=y * y, xx=x * x, xy=x * y)
        for variant, g in frame.groupby("variant"):
            rows.append([variant, name, kind, len(g), g["y"].sum(), g["yy"].sum(), g["x"].sum(), g["xx"].sum(), g["xy"].sum()])
    compute = time.process_time() - start
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variant", "metric", "kind", "units", "sum_y", "sum_y2", "sum_x", "sum_x2", "sum_xy"])
        w.writerows(rows)
    print(f"peer statistics: read {read:.2f} CPU s, compute {compute:.2f} CPU s ({len(ev):,} metric events, {len(ex):,} units)")


if __name__ == "__main__":
    if sys.argv[1] == "--events":
        statistics(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main(sys.argv[1], sys.argv[2])
