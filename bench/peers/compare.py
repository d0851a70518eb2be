"""Largest differences between our results and a peer's on the same data. Usage: compare.py attribution|attribution-warehouse|identity|ltv <out folder>"""
import os, sys
import pandas as pd

workload, out = sys.argv[1], sys.argv[2]
if workload.startswith("attribution"):  # attribution, or attribution-warehouse (inputs prepared beforehand)
    # The tables of analytics.attribution against the peer's, keyed by model and their key columns: the largest absolute
    # and relative difference per table and model (relative to the peer's magnitude, values under 1e-9 counted as 1e-9).
    tables = [("", ["channel"], ["conversions", "value", "share", "touches"]),
              (".campaigns", ["channel", "campaign"], ["conversions", "value", "share", "touches"]),
              (".daily", ["day", "channel", "campaign"], ["conversions", "value"])]
    for table, keys, columns in tables:
        ours = pd.read_csv(f"{out}/ours_{workload}{table}.csv", dtype={"campaign": str, "day": str})
        peer = pd.read_csv(f"{out}/peer_{workload}{table}.csv", dtype={"campaign": str, "day": str})
        both = ours.merge(peer, on=["model"] + keys, suffixes=("_ours", "_peer"), how="outer", indicator=True)
        only = (both["_merge"] != "both").sum()
        both = both.fillna({f"{c}_{side}": 0 for c in columns for side in ("ours", "peer")})
        worst = []
        for model, rows in both.groupby("model", sort=False):
            diff = {c: (rows[c + "_ours"] - rows[c + "_peer"]).abs() for c in columns}
            rel = max((diff[c] / rows[c + "_peer"].abs().clip(lower=1e-9)).max() for c in columns)
            worst.append(f"{model} {diff['conversions'].max():.1e}/{rel:.1e}")
        print(f"{'attribution' + table:23} {len(ours):,} rows ours, {len(peer):,} peer, {only} in one only; max |conversions diff| / max relative diff by model: "
              + ", ".join(worst))
    if os.path.exists(f"{out}/peer_{workload}-channels.csv"):  # the channel-only peer: its channel table against ours
        ours = pd.read_csv(f"{out}/ours_{workload}.csv")
        peer = pd.read_csv(f"{out}/peer_{workload}-channels.csv")
        both = ours.merge(peer, on=["model", "channel"], suffixes=("_ours", "_peer"), how="outer").fillna(0)
        both["diff"] = (both["conversions_ours"] - both["conversions_peer"]).abs()
        print("channel-only peer, max |conversions ours - peer| by model: " + ", ".join(f"{m} {d:.2e}" for m, d in both.groupby("model")["diff"].max().items()))
    detail = pd.read_csv(f"{out}/ours_{workload}.conversions.csv")["rows"].iloc[0]
    print(f"attribution__conversions: {detail:,} rows ours (the bench's conversion_detail is []), none by the peer")
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
