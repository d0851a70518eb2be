"""A 5-step ordered funnel in plain pandas, as analytics.funnel defines it (docs/journeys.md): every step-1 event opens an
attempt; each next step is the earliest event of that step at or after the previous one (ties count), within 7 days of
the entry; a user counts once with the attempt that reaches furthest (the earliest on a tie), broken down by the
country on the entering event. Each step is one merge_asof of the open attempts against that step's events.
Prints the read's and the funnel's wall and CPU seconds apart, so the funnel compares with ours on its own.
Usage: funnel.py events.csv out.csv"""
import sys, time
import pandas as pd

STEPS = ["Product Viewed", "Product Added", "Checkout Started", "Payment Entered", "Order Completed"]
WINDOW = pd.Timedelta(days=7)

read_start, read_cpu = time.perf_counter(), time.process_time()
events = pd.read_csv(sys.argv[1], usecols=["user_id", "event", "occurred_at", "country"], parse_dates=["occurred_at"])
start, cpu = time.perf_counter(), time.process_time()
cpu_read = cpu - read_cpu
events = events[events["event"].isin(STEPS)]
attempts = events[events["event"] == STEPS[0]][["user_id", "occurred_at", "country"]].rename(columns={"occurred_at": "entered"})
attempts = attempts.reset_index(drop=True)
attempts["at"] = attempts["entered"]
attempts["reached"] = 1
open_ = attempts
for k, step in enumerate(STEPS[1:], start=2):
    candidates = events[events["event"] == step][["user_id", "occurred_at"]].sort_values("occurred_at")
    left = open_[["user_id", "at", "entered"]].reset_index().sort_values("at")
    matched = pd.merge_asof(left, candidates, left_on="at", right_on="occurred_at", by="user_id", direction="forward", allow_exact_matches=True)
    matched = matched[matched["occurred_at"].notna() & (matched["occurred_at"] <= matched["entered"] + WINDOW)]
    attempts.loc[matched["index"].to_numpy(), "reached"] = k
    attempts.loc[matched["index"].to_numpy(), "at"] = matched["occurred_at"].to_numpy()
    open_ = attempts.loc[matched["index"].to_numpy()]
best = attempts.sort_values(["user_id", "reached", "entered"], ascending=[True, False, True]).drop_duplicates("user_id")
rows = []
for label, group in [("(all)", best)] + sorted(best.groupby("country"), key=lambda g: g[0]):
    for k in range(1, len(STEPS) + 1):
        rows.append((label, k, int((group["reached"] >= k).sum())))
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
pd.DataFrame(rows, columns=["breakdown", "step", "units"]).sort_values(["breakdown", "step"]).to_csv(sys.argv[2], index=False)
print(f"read_seconds={start - read_start:.3f}\nread_cpu={cpu_read:.3f}\nseconds={seconds:.3f}\ncpu={cpu:.3f}")
