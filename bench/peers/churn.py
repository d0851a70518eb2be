"""The churn model in plain Python, for bench/churn.sh: scikit-learn's HistGradientBoostingClassifier (150 trees of 7
leaves, learning rate 0.05, 80 customers per leaf: analytics.churn's defaults) with CalibratedClassifierCV (Platt
scaling over 5 cross-validation folds) on the same point-in-time features (features.customer_snapshot's output, as
exported by the bench). Trains on the snapshot 90 days before the latest (at most 200,000 customers, as analytics.churn
samples), measures AUC on a 20% holdout of it, then scores every customer of the latest snapshot. It has no BG/NBD
features (analytics.churn fits BG/NBD itself and adds three).
Usage: churn.py features.csv out.csv"""
import sys, time
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

start = time.perf_counter()
cpu = time.process_time()
data = pd.read_csv(sys.argv[1], parse_dates=["as_of"])
read_seconds, read_cpu = time.perf_counter() - start, time.process_time() - cpu
model_start, model_cpu = time.perf_counter(), time.process_time()
features = [c for c in data.columns if c not in ("customer_id", "as_of", "churned")]
latest = data["as_of"].max()
train = data[data["as_of"] < latest]
current = data[data["as_of"] == latest]
rng = np.random.default_rng(42)
holdout = rng.random(len(train)) < 0.2
fit = train[~holdout]
if len(fit) > 200_000:
    fit = fit.sample(200_000, random_state=42)
X, y = fit[features].to_numpy(float), fit["churned"].astype(bool).to_numpy()
trees = HistGradientBoostingClassifier(max_iter=150, max_leaf_nodes=7, learning_rate=0.05, min_samples_leaf=80, early_stopping=False, random_state=42)
model = CalibratedClassifierCV(trees, method="sigmoid", cv=5).fit(X, y)
test = train[holdout]
auc = roc_auc_score(test["churned"].astype(bool).to_numpy(), model.predict_proba(test[features].to_numpy(float))[:, 1])
scores = model.predict_proba(current[features].to_numpy(float))[:, 1]
pd.DataFrame({"customer_id": current["customer_id"], "churn_probability": scores}).to_csv(sys.argv[2], index=False)
print(f"seconds={time.perf_counter() - start:.3f}")
print(f"read_seconds={read_seconds:.3f} read_cpu_seconds={read_cpu:.3f}")
print(f"model_seconds={time.perf_counter() - model_start:.3f} model_cpu_seconds={time.process_time() - model_cpu:.3f}")
print(f"customers_trained={len(fit)} holdout={int(holdout.sum())} scored={len(current)}")
print(f"auc_peer={auc:.4f}")
