"""Largest differences between our results and a peer's on the same data. Usage: compare.py attribution|attribution-warehouse|identity|ltv <out folder>"""
import sys
import pandas as pd

workload, out = sys.argv[1], sys.argv[2]
if workload.startswith("attribution"):  # attribution, or attribution-warehouse (inputs prepared beforehand)
    ours = pd.read_csv(f"{out}/ours_{workload}.csv")
    peer = pd.read_csv(f"{out}/peer_{workload}.csv")
    both = ours.merge(peer, on=["model", "channel"], suffixes=("_ours", "_peer"), how="outer").fillna(0)
    both["diff"] = (both["conversions_ours"] - both["conversions_peer"]).abs()
    worst = both.groupby("model")["diff"].max()
    print("max |conversions ours - peer| by model: " + ", ".join(f"{m} {d:.2e}" for m, d in worst.items())
          + f" (of {both.groupby('model')['conversions_ours'].sum().max():,.0f} conversions)")
elif workload == "identity":
    ours = pd.read_csv(f"{out}/ours_identity.csv", dtype=str)
    peer = pd.read_csv(f"{out}/peer_identity.csv", dtype=str)
    both = ours.merge(peer, on=["identifier_type", "identifier_value"], how="outer", indicator=True)
    only = (both["_merge"] != "both").sum()
    both = both[both["_merge"] == "both"]
    split = (both.groupby("component")["profile_id"].nunique() > 1).sum()
    merged = (both.groupby("profile_id")["component"].nunique() > 1).sum()
    print(f"identifiers {len(both):,} in both, {only} in one only; profiles {ours['profile_id'].nunique():,} ours, {peer['component'].nunique():,} peer; "
          f"components split by ours {split}, profiles spanning peer components {merged}")
else:
    ours = pd.read_csv(f"{out}/ours_ltv.csv")
    peer = pd.read_csv(f"{out}/peer_ltv.csv")
    ours["customer_id"] = ours["customer_id"].astype(str)
    peer["customer_id"] = peer["customer_id"].astype(str)
    both = ours.merge(peer, on="customer_id", suffixes=("_ours", "_peer"))
    parts = [f"{len(both):,} customers matched of {len(ours):,} / {len(peer):,}"]
    for c in ["p_alive", "expected_purchases", "expected_order_value", "clv"]:
        parts.append(f"max |{c}| diff {(both[c + '_ours'] - both[c + '_peer']).abs().max():.2e}")
    for c in ["clv_low", "clv_high"]:
        rel = ((both[c + "_ours"] - both[c + "_peer"]).abs() / both[c + "_peer"].abs().clip(lower=1e-9)).median()
        parts.append(f"median relative {c} diff {rel:.1%} (independent random draws)")
    model = pd.read_csv(f"{out}/ours_ltv_model.csv")
    peer_model = pd.read_csv(f"{out}/peer_ltv_model.csv")
    m = model.merge(peer_model, on="parameter", suffixes=("_ours", "_peer"))
    parts.append("parameters " + ", ".join(f"{r.parameter} {r.value_ours:.5g}/{r.value_peer:.5g}" for r in m.itertuples()))
    print("; ".join(parts))
