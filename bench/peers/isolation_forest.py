"""Peer of analytics.isolation_forest: scikit-learn's IsolationForest (Debian python3-sklearn) on the bench's transactions.

    python3 bench/peers/isolation_forest.py <transactions.csv> <scores.csv>

Reads the CSV (untimed), then fits 100 trees on subsamples of 256 rows and scores every row (fit + score_samples timed,
wall and CPU of this process), and prints the AUC against the planted labels. n_jobs=-1 gives it every core, as ours has.
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

FEATURES = ["amount", "amount_z", "count_1h", "count_24h", "cards_per_email_24h", "decline_ratio_24h", "hour", "account_age_days"]

frame = pd.read_csv(sys.argv[1])
x = frame[FEATURES].to_numpy(dtype=np.float64)
labels = frame["is_anomaly"].to_numpy()

cpu, wall = time.process_time(), time.perf_counter()
forest = IsolationForest(n_estimators=100, max_samples=256, random_state=42, n_jobs=-1).fit(x)
fitted = time.perf_counter() - wall
# score_samples is the negated s(x, n) of Liu et al. 2008: higher is more normal.
scores = -forest.score_samples(x)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

auc = roc_auc_score(labels, scores)
print(f"isolation_forest (scikit-learn): fit {fitted:.3f} s, fit+score wall {wall:.3f} s, CPU {cpu:.3f} s, AUC {auc:.4f}")
print(f"seconds={wall:.3f}")
print(f"model_cpu_seconds={cpu:.3f}")
print(f"auc={auc:.5f}")
if len(sys.argv) > 2:
    pd.DataFrame({"transaction_id": frame["transaction_id"], "anomaly_score": scores}).to_csv(sys.argv[2], index=False)
