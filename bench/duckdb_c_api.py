# Runs SQL in one process through the DuckDB library DuckDB.NET ships (its C API, no Python package), printing each
# statement's and the close's CPU s: duckdb_c_api.py <file.duckdb> "<stmt>;\n<stmt>...". Opens new files in storage v1.3.0, as the warehouse.
import ctypes, sys, os, resource, time
lib = ctypes.CDLL(os.path.expanduser("~/.nuget/packages/duckdb.net.bindings.full/1.5.6.1/runtimes/linux-x64/native/libduckdb.so"))
P = ctypes.c_void_p
class Res(ctypes.Structure):
    _fields_ = [("a", ctypes.c_uint64), ("b", P), ("c", P), ("d", P), ("e", P)]
lib.duckdb_value_varchar.restype = ctypes.c_void_p
lib.duckdb_result_error.restype = ctypes.c_char_p
lib.duckdb_row_count.restype = ctypes.c_uint64
lib.duckdb_column_count.restype = ctypes.c_uint64
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime
db, cfg, con = P(), P(), P()
lib.duckdb_create_config(ctypes.byref(cfg))
lib.duckdb_set_config(cfg, b"storage_compatibility_version", b"v1.3.0")
err = ctypes.c_char_p()
assert lib.duckdb_open_ext(sys.argv[1].encode(), ctypes.byref(db), cfg, ctypes.byref(err)) == 0, err.value
lib.duckdb_connect(db, ctypes.byref(con))
for sql in [s.strip() for s in sys.argv[2].split(";\n") if s.strip()]:
    c0 = cpu(); res = Res()
    rc = lib.duckdb_query(con, sql.encode(), ctypes.byref(res))
    if rc != 0: print("ERR", lib.duckdb_result_error(ctypes.byref(res)).decode(), file=sys.stderr); sys.exit(1)
    rows = []
    for i in range(min(lib.duckdb_row_count(ctypes.byref(res)), 30)):
        vals = []
        for j in range(lib.duckdb_column_count(ctypes.byref(res))):
            v = lib.duckdb_value_varchar(ctypes.byref(res), j, i); vals.append(ctypes.string_at(v).decode() if v else "NULL"); lib.duckdb_free(ctypes.c_void_p(v))
        rows.append(" | ".join(vals))
    lib.duckdb_destroy_result(ctypes.byref(res))
    print(f"  CPU {cpu()-c0:5.2f} s: {sql.splitlines()[0][:90]}", file=sys.stderr)
    for r in rows: print("    " + r, file=sys.stderr)
c0 = cpu()
lib.duckdb_disconnect(ctypes.byref(con)); lib.duckdb_close(ctypes.byref(db))
print(f"  CPU {cpu()-c0:5.2f} s: close (checkpoint on shutdown)", file=sys.stderr)
