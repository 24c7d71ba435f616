"""A tiny notes service: keeps its notes under ./data, which it must be able to write.

On start it records its pid in data/server.pid; POST /notes appends the body
to data/notes.log; GET /notes returns the log.
"""

import http.server
import os
from pathlib import Path

DATA = Path("data")


class Notes(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (DATA / "notes.log").read_bytes() if (DATA / "notes.log").exists() else b""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        note = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(DATA / "notes.log", "ab") as log:
            log.write(note.rstrip(b"\n") + b"\n")
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    (DATA / "server.pid").write_text(f"{os.getpid()}\n")
    port = int(os.environ.get("NOTES_PORT", "8080"))
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Notes).serve_forever()
