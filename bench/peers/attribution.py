"""Rule-based, Markov (order 1, removal effects) and Shapley (conversion-rate game, exact per channel set)
attribution in pandas/numpy: the same models as analytics.attribution, on the same touches file, and the same tables
(the bench's conversion_detail is [], so ours writes no per-conversion rows and neither does this):
  out.csv            credit by model and channel (conversions, value, share of the model's conversions, converting touches);
  out.campaigns.csv  by model, channel and campaign: a channel's credit in a conversion split over the campaigns of its
                     touches by the model's touch weights (Markov and Shapley: the channel's share of the path spread
                     evenly over its touches), scaled so a channel's campaigns add up to its credit;
  out.daily.csv      the same by day of conversion, channel and campaign.
With --channels-only: credit by model and channel only (conversions, value), from the touches' channel columns: the
work this peer did before stop 21, kept to show the old comparison beside the new one.
Usage: attribution.py touches.csv|touches.pkl out.csv [--channels-only]
       attribution.py --prepare touches.csv touches.pkl [--channels-only]   (writes the pickle a later run reads)"""
import sys, time
from math import factorial
import numpy as np
import pandas as pd

FULL = "--channels-only" not in sys.argv
args = [a for a in sys.argv[1:] if a != "--channels-only"]


def read_touches(path):
    columns = ["path_id", "position", "channel", "converted", "conversion_value", "days_before_conversion"]
    return pd.read_csv(path, usecols=columns + (["campaign", "converted_at"] if FULL else []),
                       dtype={"channel": "category", "path_id": "category", "campaign": "category"},
                       parse_dates=["converted_at"] if FULL else False)


if args[0] == "--prepare":
    # The touches as pandas' own pickle, made before a timed run: the fastest form pandas reads here (Parquet and
    # Feather need pyarrow, which Debian's python3-pandas does not bring), as a pipeline's paths are already stored.
    read_touches(args[1]).to_pickle(args[2])
    sys.exit(0)

start = time.perf_counter()
df = pd.read_pickle(args[0]) if args[0].endswith(".pkl") else read_touches(args[0])
read_cpu = time.process_time()
# Paths by their category code (categories sorted, so code order is path_id order): integer sorts and groupings, not strings.
df["path"] = df["path_id"].cat.codes
df = df.sort_values(["path", "position"], kind="stable")
size = df.groupby("path", sort=False)["position"].transform("size").to_numpy()
index = df.groupby("path", sort=False).cumcount().to_numpy()
conv = df["converted"].to_numpy()
value = df["conversion_value"].fillna(0).to_numpy()
channels = df["channel"].cat.categories
code = df["channel"].cat.codes.to_numpy()
results = []
weights_of = {}  # model -> each touch's share of its path's conversion (read at converting touches only)


def credit(model, weights):
    weights = weights[conv]
    w = pd.DataFrame({"channel": code[conv], "conversions": weights, "value": weights * value[conv]})
    sums = w.groupby("channel")[["conversions", "value"]].sum().reindex(range(len(channels)), fill_value=0.0)
    for c, row in sums.iterrows():
        results.append((model, channels[c], row["conversions"], row["value"]))
    if FULL:
        weights_of[model] = weights


credit("first_touch", (index == 0).astype(float))
credit("last_touch", (index == size - 1).astype(float))
credit("linear", 1.0 / size)
decay = np.power(2.0, -df["days_before_conversion"].fillna(0).to_numpy() / 7.0)
credit("time_decay", decay / pd.Series(decay).groupby(df["path"].to_numpy(), sort=False).transform("sum").to_numpy())
middle = np.where(size > 2, 0.2 / np.maximum(size - 2, 1), 0.0)
position = np.where(size == 1, 1.0, np.where(size == 2, 0.5, np.where((index == 0) | (index == size - 1), 0.4, middle)))
credit("position_based", position)

# Markov order 1: states 0..k-1 channels, k start; absorbing conversion and null.
k = len(channels)
first = index == 0
last = index == size - 1
frm = np.where(first, k, np.roll(code, 1))
to = code
pairs = pd.DataFrame({"f": np.concatenate([frm, code[last]]), "t": np.concatenate([to, np.where(conv[last], k + 1, k + 2)])})
counts = pairs.value_counts().reset_index(name="n")
matrix = np.zeros((k + 1, k + 3))
np.add.at(matrix, (counts["f"].to_numpy(), counts["t"].to_numpy()), counts["n"].to_numpy())
matrix /= matrix.sum(axis=1, keepdims=True)


def absorption(removed=None):
    q = matrix[:, : k + 1].copy()
    r = matrix[:, k + 1].copy()
    if removed is not None:
        q[:, removed] = 0.0  # moving to a removed channel ends the journey without conversion
        q[removed, :] = 0.0
        r[removed] = 0.0
    x = np.linalg.solve(np.eye(k + 1) - q, r)
    return x[k]


base = absorption()
effects = np.array([1 - absorption(c) / base for c in range(k)])
total_conv = conv[last].sum()
total_value = value[last][conv[last]].sum()
for c in range(k):
    results.append(("markov_1", channels[c], total_conv * effects[c] / effects.sum(), total_value * effects[c] / effects.sum()))

# Shapley with v(S) = conversion rate of paths whose channel set is S, made monotone (a set is worth at least its subsets).
masks = np.bitwise_or.reduceat(np.left_shift(1, code.astype(np.int64)), np.flatnonzero(first))
paths = pd.DataFrame({"mask": masks, "converted": conv[last], "value": np.where(conv[last], value[last], 0.0)})
sets = paths.groupby("mask").agg(paths=("converted", "size"), conversions=("converted", "sum"), value=("value", "sum"))
v = np.zeros(1 << k)
v[sets.index.to_numpy()] = sets["conversions"].to_numpy() / sets["paths"].to_numpy()
all_masks = np.arange(1 << k)
for b in range(k):
    has = (all_masks >> b) & 1 == 1
    v[has] = np.maximum(v[has], v[all_masks[has] ^ (1 << b)])
v[0] = 0.0
popcount = np.array([bin(m).count("1") for m in range(1 << k)])
shapley = np.zeros((k, 2))
shares = np.zeros((1 << k, k))  # a converting channel set's split of one conversion over its channels
for mask, row in sets[sets["conversions"] > 0].iterrows():
    members = [b for b in range(k) if mask >> b & 1]
    n = len(members)
    sub = all_masks[(all_masks & ~mask) == 0]
    phi = np.zeros(n)
    for j, b in enumerate(members):
        without = sub[(sub >> b) & 1 == 0]
        s = popcount[without]
        weight = np.array([factorial(x) * factorial(n - x - 1) / factorial(n) for x in range(n)])[s]
        phi[j] = (weight * (v[without | (1 << b)] - v[without])).sum()
    share = phi / phi.sum() if phi.sum() > 0 else np.full(n, 1.0 / n)
    shares[mask, members] = share
    for j, b in enumerate(members):
        shapley[b] += (row["conversions"] * share[j], row["value"] * share[j])
for c in range(k):
    results.append(("shapley", channels[c], shapley[c, 0], shapley[c, 1]))
by_channel = pd.DataFrame(results, columns=["model", "channel", "conversions", "value"])

if FULL:
    # Markov's and Shapley's split of a conversion: the path's channel share (Markov: removal effects, negative ones as
    # 0, normalized over the path's channels; Shapley: the set's shares) spread evenly over the channel's touches.
    at = np.cumsum(first)[conv] - 1  # each converting touch's path number
    ch = code[conv]
    mask = masks[at]
    pair = at.astype(np.int64) * k + ch
    repeats = np.bincount(pair)[pair]  # the touch's channel's touches in its path
    bits = (all_masks[:, None] >> np.arange(k)) & 1
    kept = np.maximum(effects, 0.0)
    path_effects = (bits @ kept)[mask]
    markov = np.where(path_effects > 0, kept[ch] / np.where(path_effects > 0, path_effects, 1), 1.0 / popcount[mask]) / repeats
    models = list(weights_of) + ["markov_1", "shapley"]
    split = weights_of | {"markov_1": markov, "shapley": shares[mask, ch] / repeats}

    # Every model's touch weights summed by (day of conversion, channel, campaign), then by (channel, campaign) and channel:
    # the cells numbered once by a groupby of the keys, each model's sums by np.bincount over the cell numbers.
    amount = value[conv]
    # A touch without campaign counts under "" (written empty, as ours writes NULL), as ours keys it.
    campaign_names = df["campaign"].cat.categories.append(pd.Index([""]))
    campaign = df["campaign"].cat.codes.to_numpy()[conv]
    touches = pd.DataFrame({"day": df["converted_at"].to_numpy()[conv].astype("datetime64[D]"),
                            "channel": pd.Categorical.from_codes(ch, channels),
                            "campaign": pd.Categorical.from_codes(np.where(campaign < 0, len(campaign_names) - 1, campaign), campaign_names)})
    grouped = touches.groupby(["day", "channel", "campaign"], observed=True)
    cell = grouped.ngroup().to_numpy()
    daily = grouped.size().to_frame("touches")
    for m in models:
        daily[m] = np.bincount(cell, weights=split[m], minlength=len(daily))
        daily[m + ":value"] = np.bincount(cell, weights=split[m] * amount, minlength=len(daily))
    campaigns = daily.groupby(level=["channel", "campaign"], observed=True).sum()
    sums = campaigns.groupby(level="channel", observed=True).sum()

    # Each channel's campaigns scaled to add up to its credit (Markov normalizes removal effects over all channels, not per path).
    credit_of = by_channel.set_index(["model", "channel"])
    campaign_rows, daily_rows = [], []
    for m in models:
        for part, column in (("conversions", m), ("value", m + ":value")):
            have = sums[column]
            scale = (credit_of.loc[m][part].reindex(have.index) / have.where(have > 0)).fillna(0.0)
            campaigns[column] *= scale.reindex(campaigns.index.get_level_values("channel")).to_numpy()
            daily[column] *= scale.reindex(daily.index.get_level_values("channel")).to_numpy()
        total = credit_of.loc[m]["conversions"].sum()
        campaign_rows.append(pd.DataFrame({"model": m, "conversions": campaigns[m], "value": campaigns[m + ":value"],
                                           "share": campaigns[m] / total if total else 0.0, "touches": campaigns["touches"]}).reset_index())
        daily_rows.append(pd.DataFrame({"model": m, "conversions": daily[m], "value": daily[m + ":value"]}).reset_index())
    counted = sums["touches"]
    by_channel["share"] = by_channel["conversions"] / by_channel.groupby("model")["conversions"].transform("sum")
    by_channel["touches"] = counted.reindex(by_channel["channel"]).fillna(0).astype(np.int64).to_numpy()
    campaign_table = pd.concat(campaign_rows)[["model", "channel", "campaign", "conversions", "value", "share", "touches"]]
    daily_table = pd.concat(daily_rows)[["model", "day", "channel", "campaign", "conversions", "value"]]

by_channel.to_csv(args[1], index=False)
if FULL:
    campaign_table.to_csv(args[1].removesuffix(".csv") + ".campaigns.csv", index=False)
    daily_table.to_csv(args[1].removesuffix(".csv") + ".daily.csv", index=False)
elapsed = time.perf_counter() - start  # with the writes, as ours' time includes writing its tables
print(f"seconds={elapsed:.3f}")
print(f"model_cpu_seconds={time.process_time() - read_cpu:.3f}")  # CPU after the read: sorting and the models
