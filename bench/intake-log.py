# An intake log in the server's format (IntakeLogFormat: a bitmask of present columns, then each value; text as .NET
# BinaryWriter strings) holding EVENTS track events like bench/intake.sh's, PER_ROW to a row, for bench/intake-loader.sh.
#   python3 bench/intake-log.py PATH EVENTS PER_ROW
import sqlite3, struct, sys, uuid
path, n, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def s(v):
    b = v.encode(); out = bytearray(); l = len(b)
    while l >= 0x80: out.append((l & 0x7f) | 0x80); l >>= 7
    out.append(l); return bytes(out) + b
T = 639000000000000000
db = sqlite3.connect(path)
db.executescript("""PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, events INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS seen (message_id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);""")
# present: event_id0 type1 event2 user_id4 occurred5 received6 ip9 page_url11 revenue17 currency18 properties21
present = sum(1 << i for i in (0, 1, 2, 4, 5, 6, 9, 11, 17, 18, 21))
rows = []
for k in range(0, n, per):
    buf = bytearray()
    for i in range(k, min(n, k + per)):
        j = i % 100 + 1
        buf += struct.pack('<i', present) + s(str(uuid.uuid4())) + s('track') + s('Bench') + s('u%d' % j) + struct.pack('<qq', T + i, T + i) \
            + s('10.0.0.%d' % (j % 250)) + s('https://example.com/p/%d' % j) + struct.pack('<d', j + 0.5) + s('USD') + s('{"revenue":%d.5,"currency":"usd"}' % j)
    rows.append((min(n, k + per) - k, bytes(buf)))
db.executemany("INSERT INTO batches (events, data) VALUES (?, ?)", rows)
db.commit()
print(db.execute("SELECT sum(events), count(*) FROM batches").fetchone())
