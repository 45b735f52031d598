#!/usr/bin/env python3
"""A real HTTP receiver for Vigil's webhook-sink tests (127.0.0.1 only).

Every POST body (one Falco JSON alert, or a JSON array of them) is appended to --log, one alert per line,
flushed and fsynced *before* the response is sent, so the log shows exactly what the receiver accepted.
--statuses "500,429,200" answers the first requests with those codes (the alerts of a non-2xx request are
logged to --rejected-log, not --log); "hang" instead holds the request for --hang-seconds, logs nothing and
closes the connection without an answer (a client timeout); after the list runs out every request gets 200.
--delay-seconds makes every request wait that long before it is accepted (a slow SIEM).
SIGTERM stops it gracefully: no new request is accepted (one arriving on an open keep-alive connection
gets 503 and is not logged), requests in progress are answered first, idle connections are dropped; so no
alert is logged without its response having been sent. Prints "listening PORT" on stdout when ready.
"""
import argparse
import http.server
import json
import os
import signal
import ssl
import sys
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--rejected-log")
    parser.add_argument("--statuses", default="")
    parser.add_argument("--retry-after")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca", help="require a client certificate signed by this CA")
    parser.add_argument("--hang-seconds", type=float, default=2.0)
    parser.add_argument("--delay-seconds", type=float, default=0.0,
                        help="a slow receiver: every request waits this long before it is accepted and answered")
    args = parser.parse_args()
    statuses = [s.strip() if s.strip() == "hang" else int(s) for s in args.statuses.split(",") if s.strip()]
    lock = threading.Lock()
    state = {"active": 0, "stopping": False}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without this, Nagle and the client's delayed ACK add 40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format, *arguments):
            pass

        def do_POST(self):
            with lock:
                if state["stopping"]:
                    self.close_connection = True
                    self.reply(503, b"stopping")
                    return
                state["active"] += 1
            try:
                self.handle_post()
            finally:
                with lock:
                    state["active"] -= 1

        def handle_post(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            try:
                document = json.loads(body.decode("utf-8"))
            except Exception:
                self.reply(400, b"invalid json")
                return
            alerts = document if isinstance(document, list) else [document]
            if args.delay_seconds > 0:
                time.sleep(args.delay_seconds)
            with lock:
                status = statuses.pop(0) if statuses else 200
            if status == "hang":
                time.sleep(args.hang_seconds)
                self.close_connection = True
                return
            with lock:
                target = args.log if status < 300 else args.rejected_log
                if target:
                    with open(target, "a", encoding="utf-8") as log:
                        for alert in alerts:
                            record = {"uuid": alert.get("uuid"), "rule": alert.get("rule"), "status": status,
                                      "client_cn": self.client_common_name(),
                                      "authorization": self.headers.get("Authorization"),
                                      "content_type": self.headers.get("Content-Type"),
                                      "batch_size": len(alerts) if isinstance(document, list) else 0, "alert": alert}
                            log.write(json.dumps(record, ensure_ascii=True) + "\n")
                        log.flush()
                        os.fsync(log.fileno())
            headers = {}
            if status == 429 and args.retry_after:
                headers["Retry-After"] = args.retry_after
            self.reply(status, b"ok" if status < 300 else b"try again", headers)

        def client_common_name(self):
            getpeercert = getattr(self.connection, "getpeercert", None)
            certificate = getpeercert() if getpeercert else None
            for entry in (certificate or {}).get("subject", ()):
                for key, value in entry:
                    if key == "commonName":
                        return value
            return None

        def reply(self, status, body, headers=None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(http.server.ThreadingHTTPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)

    def stop(signum, frame):
        with lock:
            state["stopping"] = True
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print("listening %d" % server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.05)
    server.server_close()
    while True:
        with lock:
            if state["active"] == 0:
                break
        time.sleep(0.01)
    return 0


if __name__ == "__main__":
    sys.exit(main())
