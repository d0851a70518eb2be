"""propensity_marketing's analytics in pandas/scikit-learn, as features.customer_snapshot, analytics.propensity and
analytics.uplift do them on the bench's generated store (bench/Tributary.Bench PropensityBench.cs):
point-in-time features as of the snapshot day and 90 days before it (orders, sessions, email opens, tickets); purchase
propensity within 90 days with HistGradientBoostingClassifier (150 trees, 15 leaves, rate 0.05) on 60% of the labelled
customers, Platt scaling on 20%, AUC on 20% beside a logistic recency-frequency baseline; uplift of the send from the
features on its day with a T-learner, an X-learner (Kuenzel et al. 2019; the send was randomized 50/50, so e(x) = 0.5) and
the class transformation (100 trees, 7 leaves) on 70%, Qini on 30%, then the X-learner scores today's snapshot.
It computes no per-customer reasons (ours does). Usage: propensity.py <folder with the five CSVs> <out folder>"""
import os, sys, time
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

start = time.perf_counter()
folder, out = sys.argv[1], sys.argv[2]
orders = pd.read_csv(os.path.join(folder, "customer_orders.csv"), parse_dates=["ordered_at"])
sessions = pd.read_csv(os.path.join(folder, "customer_sessions.csv"), parse_dates=["started_at"])
opens = pd.read_csv(os.path.join(folder, "customer_email_opens.csv"), parse_dates=["occurred_at"])
tickets = pd.read_csv(os.path.join(folder, "customer_tickets.csv"), parse_dates=["created_at", "solved_at"])
sends = pd.read_csv(os.path.join(folder, "campaign_sends.csv"), parse_dates=["sent_at"])
read_seconds = time.perf_counter() - start
read_cpu = time.process_time()
AS_OF = pd.Timestamp("2025-01-01")
SEND = pd.Timestamp("2024-10-03")
DAY = pd.Timedelta(days=1)


def snapshot(d):
    o = orders[orders["ordered_at"] < d]
    age = (d - o["ordered_at"]) / DAY
    f = o.assign(r90=age < 90, p90=(age >= 90) & (age < 180), r30=age < 30, disc=o["discount"] > 0, ref=o["refunded"] > 0,
                 rev90=np.where(age < 90, o["amount"], 0.0)).groupby("customer_id").agg(
        orders=("order_id", "size"), first=("ordered_at", "min"), last=("ordered_at", "max"), revenue=("amount", "sum"),
        discount=("discount", "sum"), refunded_orders=("ref", "sum"), orders_30d=("r30", "sum"), orders_90d=("r90", "sum"),
        orders_prior_90d=("p90", "sum"), revenue_90d=("rev90", "sum"))
    f["recency_days"] = (d - f.pop("last")) / DAY
    f["tenure_days"] = (d - f.pop("first")) / DAY
    f["average_order_value"] = f["revenue"] / f["orders"]
    f["discount_share"] = f.pop("discount") / (f["revenue"] + 1e-9)
    f["refund_share"] = f["refunded_orders"] / f["orders"]
    f["orders_trend"] = f["orders_90d"] - f["orders_prior_90d"]
    s = sessions[sessions["started_at"] < d]
    sage = (d - s["started_at"]) / DAY
    sf = s.assign(s7=sage < 7, s30=sage < 30, sp30=(sage >= 30) & (sage < 60), s90=sage < 90,
                  ch=s["channel"].where(sage < 90)).groupby("customer_id").agg(
        sessions_7d=("s7", "sum"), sessions_30d=("s30", "sum"), sessions_prior_30d=("sp30", "sum"), sessions_90d=("s90", "sum"),
        last_session=("started_at", "max"), distinct_channels_90d=("ch", "nunique"))
    sf["days_since_last_session"] = (d - sf.pop("last_session")) / DAY
    e = opens[(opens["occurred_at"] < d) & (opens["occurred_at"] >= d - 90 * DAY)]
    eage = (d - e["occurred_at"]) / DAY
    ef = e.assign(e30=eage < 30, ep30=(eage >= 30) & (eage < 60)).groupby("customer_id").agg(
        emails_opened_30d=("e30", "sum"), emails_opened_prior_30d=("ep30", "sum"), emails_opened_90d=("occurred_at", "size"))
    t = tickets[tickets["created_at"] < d]
    tage = (d - t["created_at"]) / DAY
    tf = t.assign(t90=tage < 90, open=t["solved_at"].isna() | (t["solved_at"] >= d),
                  bad=(t["satisfaction"] == "bad") & (tage < 90)).groupby("customer_id").agg(
        tickets_90d=("t90", "sum"), open_tickets=("open", "sum"), bad_ratings_90d=("bad", "sum"))
    return f.join(sf, how="left").join(ef, how="left").join(tf, how="left").fillna(
        {c: 0 for c in ["sessions_7d", "sessions_30d", "sessions_prior_30d", "sessions_90d", "distinct_channels_90d",
                        "emails_opened_30d", "emails_opened_prior_30d", "emails_opened_90d", "tickets_90d", "open_tickets", "bad_ratings_90d"]})


now, then = snapshot(AS_OF), snapshot(SEND)
features_seconds = time.perf_counter() - start - read_seconds
X_then, X_now = then.to_numpy(float), now.to_numpy(float)
rng = np.random.default_rng(42)

# Propensity: labelled by an order in the 90 days after the earlier snapshot.
buyers = set(orders.loc[(orders["ordered_at"] >= SEND) & (orders["ordered_at"] < AS_OF), "customer_id"])
y = then.index.isin(buyers)
share = rng.random(len(y))
fit, cal, hold = share >= 0.4, (share >= 0.2) & (share < 0.4), share < 0.2
model = HistGradientBoostingClassifier(max_iter=150, max_leaf_nodes=15, learning_rate=0.05, min_samples_leaf=80, l2_regularization=1, random_state=42)
model.fit(X_then[fit], y[fit])
platt = LogisticRegression().fit(model.decision_function(X_then[cal]).reshape(-1, 1), y[cal])
base_cols = [then.columns.get_loc("orders"), then.columns.get_loc("recency_days")]
baseline = LogisticRegression().fit(np.log1p(np.maximum(X_then[cal][:, base_cols], 0)), y[cal])
p_hold = platt.predict_proba(model.decision_function(X_then[hold]).reshape(-1, 1))[:, 1]
auc = roc_auc_score(y[hold], p_hold)
auc_base = roc_auc_score(y[hold], baseline.predict_proba(np.log1p(np.maximum(X_then[hold][:, base_cols], 0)))[:, 1])
p_now = platt.predict_proba(model.decision_function(X_now).reshape(-1, 1))[:, 1]
propensity_seconds = time.perf_counter() - start - read_seconds - features_seconds

# Uplift of the send, from the features on its day.
sent = sends.set_index("customer_id").reindex(then.index)
have = sent["treated"].notna().to_numpy()
Xu, tr = X_then[have], sent["treated"].to_numpy()[have].astype(bool)
window = orders[(orders["ordered_at"] >= SEND) & (orders["ordered_at"] < SEND + 30 * DAY)]
yu = then.index[have].isin(set(window["customer_id"]))
train = rng.random(len(yu)) >= 0.3
settings = dict(max_iter=100, max_leaf_nodes=7, learning_rate=0.05, min_samples_leaf=100, random_state=42)
m1 = HistGradientBoostingClassifier(**settings).fit(Xu[train & tr], yu[train & tr])
m0 = HistGradientBoostingClassifier(**settings).fit(Xu[train & ~tr], yu[train & ~tr])
d1 = yu[train & tr] - m0.predict_proba(Xu[train & tr])[:, 1]
d0 = m1.predict_proba(Xu[train & ~tr])[:, 1] - yu[train & ~tr]
t1 = HistGradientBoostingRegressor(**settings).fit(Xu[train & tr], d1)
t0 = HistGradientBoostingRegressor(**settings).fit(Xu[train & ~tr], d0)
z = (yu & tr) | (~yu & ~tr)
ct = HistGradientBoostingClassifier(**settings).fit(Xu[train], z[train])


def qini(score, t, yy):
    order = np.argsort(-score, kind="stable")
    t, yy = t[order], yy[order]
    nt, nc = np.cumsum(t), np.cumsum(~t)
    yt, yc = np.cumsum(yy & t), np.cumsum(yy & ~t)
    q = yt - yc * np.divide(nt, nc, out=np.zeros(len(nt)), where=nc > 0)
    k = np.arange(1, len(q) + 1)
    return float(np.mean(q - k / len(q) * q[-1]) / len(q))


hold_u = ~train
scores = {
    "t": m1.predict_proba(Xu[hold_u])[:, 1] - m0.predict_proba(Xu[hold_u])[:, 1],
    "x": 0.5 * t0.predict(Xu[hold_u]) + 0.5 * t1.predict(Xu[hold_u]),
    "class_transformation": 2 * ct.predict_proba(Xu[hold_u])[:, 1] - 1,
}
qinis = {k: qini(v, tr[hold_u], yu[hold_u]) for k, v in scores.items()}
uplift_now = 0.5 * t0.predict(X_now) + 0.5 * t1.predict(X_now)
uplift_seconds = time.perf_counter() - start - read_seconds - features_seconds - propensity_seconds

os.makedirs(out, exist_ok=True)
pd.DataFrame({"customer_id": now.index, "purchase_probability": p_now, "uplift": uplift_now}).to_csv(os.path.join(out, "peer_scores.csv"), index=False)
print(f"  peer read {read_seconds:.1f}s, features {features_seconds:.1f}s, propensity {propensity_seconds:.1f}s, uplift {uplift_seconds:.1f}s")
print(f"  peer propensity auc = {auc:.4f} (baseline {auc_base:.4f}); qini " + ", ".join(f"{k} {v:.5f}" for k, v in qinis.items()))
print(f"seconds={time.perf_counter() - start:.3f}")
print(f"after_read_seconds={time.perf_counter() - start - read_seconds:.3f}")
print(f"after_read_cpu_seconds={time.process_time() - read_cpu:.3f}")
