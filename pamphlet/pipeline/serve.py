"""The live preview (build.py --watch --serve): the output folder served on localhost, with a page that shows the
web edition and the print pages (the proof sheet), reloads them after each rebuild and lists the build's problems."""

import functools
import http.server
import json
import threading
from pathlib import Path

import jinja2

from .. import editions
from ..errors import BuildError
from ..shipped import LAYOUTS
from ..sources.load import read_pamphlet

PAGE = "web-preview.html"  # in layouts/: the preview's own page (it runs a script; no edition does)


class Preview:
    """The state the page shows: how many builds have ended, and the last one's problems (one line each)."""

    def __init__(self, out, texts):
        self.out = Path(out)
        self.texts = texts
        self.version = 0
        self.problems = []
        self.changed = threading.Condition()
        self.closed = False
        self.server = None

    def built(self, problems):
        """A build ended (problems: its problems as lines; none when it wrote its files): tell every page."""
        with self.changed:
            self.version += 1
            self.problems = [str(problem) for problem in problems]
            self.changed.notify_all()

    def state(self):
        return {"version": self.version, "problems": self.problems}

    def wait(self, version, timeout):
        """The state once a build after version has ended, or after timeout seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != version or self.closed, timeout)
            return self.state()

    def page(self):
        """The preview's page, naming the files of the pamphlet's slug as the manifest has it now."""
        try:
            slug = read_pamphlet(self.texts).values.get("slug") or ""
        except BuildError:
            slug = ""  # the page lists the problem; the files come with the next good build
        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(LAYOUTS)), autoescape=True)
        return environment.get_template(PAGE).render(
            web=editions.file_name("web", slug), proof=editions.file_name("proof", slug)).encode("utf-8")

    def start(self, port):
        """Serve on 127.0.0.1 (never another interface) at port (0: any free one); return the address."""
        handler = functools.partial(_Handler, self, directory=str(self.out))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/"

    def stop(self):
        with self.changed:
            self.closed = True
            self.changed.notify_all()
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The preview page, its events, and the output folder's files (never hidden ones: the record, the lock)."""

    def __init__(self, preview, *args, **kwargs):
        self.preview = preview
        super().__init__(*args, **kwargs)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/":
            return self._send(self.preview.page(), "text/html; charset=utf-8")
        if path == "/state":
            return self._send(json.dumps(self.preview.state()).encode(), "application/json")
        if path == "/events":
            return self._events()
        if any(part.startswith(".") for part in path.split("/")):
            return self.send_error(404)
        return super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # after a rebuild the page must see the new files
        super().end_headers()

    def _send(self, body, kind):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self):
        """Server-sent events: the state now, then after each build, until the page goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.preview.state()
        try:
            while not self.preview.closed:
                self.wfile.write(f"data: {json.dumps(state)}\n\n".encode())
                self.wfile.flush()
                state = self.preview.wait(state["version"], timeout=15)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass  # the terminal is watch mode's
