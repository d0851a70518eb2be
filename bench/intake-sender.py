#!/usr/bin/env python3
"""Fault-run sender for bench/intake.sh: THREADS threads post /v1/batch calls of BATCH events with known messageIds
until the server goes away, writing each acknowledged (200) messageId to OUT. Usage: intake-sender.py URL KEY OUT PREFIX [threads] [batch]"""
import base64, http.client, json, sys, threading, urllib.parse

url, key, out, prefix = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
threads, batch = int(sys.argv[5]) if len(sys.argv) > 5 else 4, int(sys.argv[6]) if len(sys.argv) > 6 else 100
target = urllib.parse.urlparse(url)
auth = "Basic " + base64.b64encode((key + ":").encode()).decode()
lock = threading.Lock()
acked = open(out, "w")

def send(t):
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    n = 0
    while True:
        ids = [f"{prefix}{t}-{n}-{i}" for i in range(batch)]
        body = json.dumps({"batch": [{"type": "track", "userId": f"u{i}", "event": "Fault Run", "messageId": m} for i, m in enumerate(ids)]})
        try:
            connection.request("POST", "/v1/batch", body, {"Content-Type": "application/json", "Authorization": auth})
            response = connection.getresponse()
            answer = response.read()
            status = response.status
        except Exception:
            return
        if status != 200:
            print(f"sender {t}: {status} {answer[:200]!r}", file=sys.stderr)
        if status == 200:
            with lock:
                acked.write("\n".join(ids) + "\n")
                acked.flush()
        n += 1

workers = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
