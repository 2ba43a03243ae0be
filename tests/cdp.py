"""A small headless-Chromium driver over the DevTools protocol, for tests that look at a page as a person would.

It speaks CDP over `--remote-debugging-pipe` (NUL-separated JSON on the browser's fds 3 and 4): no port to pick,
no websocket client, no package beyond the standard library. Every console error, uncaught exception and
browser-logged error is collected in `errors`, and every request URL in `requests`.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    """The browser binary: $CHROMIUM, else the first of the usual names on PATH (Debian: /usr/bin/chromium)."""
    exe = os.environ.get("CHROMIUM")
    if exe:
        return exe if os.access(exe, os.X_OK) else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


class CDPError(RuntimeError):
    pass


class _Spawned:
    """The spawned browser process: wait with a timeout, kill."""

    def __init__(self, pid: int) -> None:
        self.pid, self.returncode = pid, None

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                return False
            else:
                time.sleep(0.05)
        return True

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)


class Browser:
    """One headless browser with one page attached (flat session); use as a context manager."""

    def __init__(self, exe: str, width: int = 1280, height: int = 900, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.errors: list[str] = []
        self.requests: list[str] = []
        self._events: list[dict[str, Any]] = []
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next = 0
        self._profile = tempfile.mkdtemp(prefix="n2k-chromium-")
        to_r, self._to_w = os.pipe()  # our commands -> the browser's fd 3
        self._from_r, from_w = os.pipe()  # the browser's fd 4 -> our reader
        args = [exe, "--headless", "--remote-debugging-pipe", f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--font-render-hinting=none", "about:blank"]
        if os.geteuid() == 0:  # CI and this workplace run as root, where Chromium refuses its sandbox
            args.insert(1, "--no-sandbox")
        self._stderr = open(Path(self._profile) / "stderr.log", "wb")  # noqa: SIM115 (closed in close())
        # posix_spawn, not fork + preexec_fn: a pytest session has threads by now, and a forked child that
        # runs Python code before exec can deadlock (Chromium then never answers). Our fds are close-on-exec;
        # dup2 onto 3 and 4 (the pipe Chromium reads and writes) clears that flag for those two only.
        self.proc = _Spawned(os.posix_spawn(exe, args, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, self._stderr.fileno(), 2),
            (os.POSIX_SPAWN_DUP2, to_r, 3),
            (os.POSIX_SPAWN_DUP2, from_w, 4),
        ]))
        os.close(to_r)
        os.close(from_w)
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self._attach(width, height)
        except BaseException:
            self.close()
            raise

    def _attach(self, width: int, height: int) -> None:
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t["targetId"] for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    # -- protocol --------------------------------------------------------------------------------------------------

    def _read(self) -> None:
        buf = b""
        with os.fdopen(self._from_r, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 16):
                buf += chunk
                *messages, buf = buf.split(b"\0")
                for raw in messages:
                    self._inbox.put(json.loads(raw))
        self._inbox.put(None)  # the browser went away

    def _note(self, msg: dict[str, Any]) -> None:
        method, params = msg.get("method", ""), msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console.error: " + " ".join(str(a.get("value", a.get("description")))
                                                            for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        self._events.append(msg)

    def _receive(self, deadline: float) -> dict[str, Any]:
        try:
            msg = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise CDPError(f"no answer from Chromium within {self.timeout}s") from None
        if msg is None:
            raise CDPError(f"Chromium exited: {self.stderr_tail()}")
        if "method" in msg:
            self._note(msg)
        return msg

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = False) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise CDPError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))

    def wait_for(self, method: str) -> dict[str, Any]:
        """The next event `method` (one that already arrived counts), e.g. Page.loadEventFired."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method:
                    return dict(self._events.pop(i))
            self._receive(deadline)

    # -- what a test does ------------------------------------------------------------------------------------------

    def open(self, url: str, javascript: bool = True) -> None:
        self.call("Emulation.setScriptExecutionDisabled", {"value": not javascript}, session=True)
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise CDPError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click at the element's centre (not element.click()), as a person would."""
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView("
                      "{block: 'center'}); const r = e.getBoundingClientRect(); "
                      "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 0 if kind == "mouseMoved" else 1}, session=True)

    def type(self, text: str) -> None:
        self.call("Input.insertText", {"text": text}, session=True)

    def screenshot(self, path: Path, height: int | None = None, top: int = 0) -> None:
        """A PNG of the viewport, or of `height` pixels of the page from `top` down."""
        params: dict[str, Any] = {"format": "png"}
        if height:
            width = self.js("document.documentElement.clientWidth")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": top, "width": width, "height": height,
                                                            "scale": 1})
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", params, session=True)["data"]))

    def stderr_tail(self) -> str:
        self._stderr.flush()
        return (Path(self._profile) / "stderr.log").read_text(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (CDPError, OSError):
            pass
        if not self.proc.wait(timeout=5):
            self.proc.kill()
            self.proc.wait(timeout=30)
        os.close(self._to_w)
        self._stderr.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
