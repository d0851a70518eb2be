"""Connected components of identity links with networkx: each record links its identifiers (a star from the first
present of user_id, email, phone, anonymous_id), as identity.resolve does, without caps.
Usage: identity.py identity.csv out.csv"""
import sys, time
import networkx as nx
import pandas as pd

start = time.perf_counter()
columns = ["user_id", "email", "phone", "anonymous_id"]
df = pd.read_csv(sys.argv[1], dtype=str)
graph = nx.Graph()
hub = None
for column in columns:
    values = column + ":" + df[column]
    hub = values if hub is None else hub.fillna(values)
for column in columns:
    values = column + ":" + df[column]
    graph.add_nodes_from(values.dropna().unique())
    edges = pd.DataFrame({"a": hub, "b": values}).dropna()
    edges = edges[edges["a"] != edges["b"]]
    graph.add_edges_from(edges.itertuples(index=False, name=None))
rows = [(node, i) for i, component in enumerate(nx.connected_components(graph)) for node in component]
elapsed = time.perf_counter() - start
out = pd.DataFrame(rows, columns=["identifier", "component"])
out[["identifier_type", "identifier_value"]] = out["identifier"].str.split(":", n=1, expand=True)
out[["identifier_type", "identifier_value", "component"]].to_csv(sys.argv[2], index=False)
print(f"seconds={elapsed:.3f}")
