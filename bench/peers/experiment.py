"""Peer for experiment analysis: recomputes analytics.experiment from the sufficient statistics with scipy.stats.

Usage: experiment.py stats.csv peer.csv   (stats.csv: variant, metric, kind, units, sum_y, sum_y2, sum_x, sum_x2, sum_xy; control 'A')
Welch t on the absolute lift, delta-method relative lift, CUPED with theta pooled over both arms (mean metrics),
delta-method ratio metrics, the asymptotic confidence sequence (N* = 5000), a flat-prior normal posterior, and the
chi-square SRM test against an equal split. Written from the formulas, not from Tributary's code.
"""
import csv
import math
import sys

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


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
