"""A gunicorn worker that gives each kept-alive connection its own thread.

gunicorn's ``gthread`` worker hands every request from its polling loop to a thread pool
and, after the answer, hands the kept-alive connection back to the loop: two thread
switches, a future, a wake-up pipe and a re-registration with epoll per request. For
Cogito's short calls that bookkeeping cost as much CPU as parsing and answering the HTTP
itself (a trivial WSGI app: 0.20 ms of server CPU per kept-alive request with gthread,
0.11 ms here, from /proc), so here a connection's thread reads, answers and waits for its
next request itself, like werkzeug's threaded server, while gunicorn still does the rest:
the arbiter, the HTTP parser, ``wsgi.create``, error pages (``handle_error``), signals.

- at most ``threads`` requests run at once (a semaphore), as with gthread;
- at most ``worker_connections`` connections are open; more wait in the listen backlog;
- a kept-alive connection idle for ``keepalive`` seconds is closed (a new one waits
  ``NEW_CONNECTION_TIMEOUT`` seconds for its first request);
- SIGTERM: no new connections, idle ones closed at once, requests in progress finish
  (``Connection: close``) within ``graceful_timeout``.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import ssl
import threading
import time
from datetime import datetime
from typing import Any

from gunicorn import http, sock, util
from gunicorn.http import wsgi
from gunicorn.workers import base

NEW_CONNECTION_TIMEOUT = 30.0
LOOP_SECONDS = 1.0  # the main loop wakes at least this often to tell the arbiter it lives


class _Connection:
    """One accepted socket and whether its thread is between requests (safe to cut)."""

    __slots__ = ("addr", "idle", "sock")

    def __init__(self, client: socket.socket, addr: Any) -> None:
        self.sock = client
        self.addr = addr
        self.idle = True


class ConnectionThreadWorker(base.Worker):  # type: ignore[misc]
    """One thread per connection; gunicorn's parser and WSGI glue; ``threads`` requests at once."""

    def init_process(self) -> None:
        self._running = threading.BoundedSemaphore(max(1, self.cfg.threads))
        self._lock = threading.Lock()
        self._connections: dict[int, _Connection] = {}
        self._threads: set[threading.Thread] = set()
        super().init_process()

    # --- the main loop: accept, tell the arbiter we live, stop gracefully ---------------------

    def run(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)
        while self.alive:
            self.notify()
            if not self.is_parent_alive():
                break
            if len(self._connections) >= self.cfg.worker_connections:
                self._wait_for_pipe(0.05)  # full: leave new clients in the backlog for now
                continue
            try:
                ready, _, _ = select.select(self.wait_fds, [], [], LOOP_SECONDS)
            except OSError as exc:
                if exc.errno in (errno.EINTR, errno.EBADF):
                    continue
                raise
            for fd in ready:
                if fd == self.PIPE[0]:
                    self._drain_pipe()
                else:
                    self._accept(fd)
        self._stop()

    def is_parent_alive(self) -> bool:
        if self.ppid != os.getppid():
            self.log.info("Parent changed, shutting down: %s", self)
            return False
        return True

    def _wait_for_pipe(self, seconds: float) -> None:
        try:
            ready, _, _ = select.select([self.PIPE[0]], [], [], seconds)
        except OSError:
            return
        if ready:
            self._drain_pipe()

    def _drain_pipe(self) -> None:
        try:
            while os.read(self.PIPE[0], 4096):
                pass
        except OSError:
            pass

    def _accept(self, listener: socket.socket) -> None:
        while self.alive and len(self._connections) < self.cfg.worker_connections:
            try:
                client, addr = listener.accept()
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED):
                    return
                raise
            client.setblocking(True)
            util.close_on_exec(client)
            conn = _Connection(client, addr)
            thread = threading.Thread(target=self._serve, args=(listener, conn), daemon=True)
            with self._lock:
                self._connections[id(conn)] = conn
                self._threads.add(thread)
            thread.start()

    def _stop(self) -> None:
        """Close idle connections now; let requests in progress finish within graceful_timeout."""
        deadline = time.monotonic() + self.cfg.graceful_timeout
        for listener in self.sockets:
            try:
                listener.close()
            except OSError:
                pass
        while True:
            with self._lock:
                for conn in self._connections.values():
                    if conn.idle:
                        _cut(conn.sock)
                threads = list(self._threads)
            if not threads or time.monotonic() >= deadline:
                return
            self.notify()
            threads[0].join(min(0.1, max(0.0, deadline - time.monotonic())))

    # --- one connection's thread ---------------------------------------------------------------

    def _serve(self, listener: socket.socket, conn: _Connection) -> None:
        req = None
        client = conn.sock
        try:
            if self.cfg.is_ssl:
                client = conn.sock = sock.ssl_wrap_socket(client, self.cfg)
            server = listener.getsockname()
            parser = http.get_parser(self.cfg, client, conn.addr)
            client.settimeout(NEW_CONNECTION_TIMEOUT)
            while self.alive:
                req = next(parser)  # StopIteration when the client is done or HTTP says stop
                conn.idle = False
                client.settimeout(self.timeout or None)
                with self._running:
                    keep = self._handle(req, client, conn.addr, server)
                if not keep or not self.alive:
                    break
                if not parser.finish_body(deadline=time.monotonic() + 5.0):
                    break  # an unread body that would not drain: the next request's start is unknown
                conn.idle = True
                client.settimeout(self.cfg.keepalive)
                req = None
        except (TimeoutError, http.errors.NoMoreData, StopIteration) as exc:
            self.log.debug("Closing connection: %r", exc)
        except ssl.SSLError as exc:
            if exc.args[0] != ssl.SSL_ERROR_EOF:
                self.handle_error(req, client, conn.addr, exc)
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.EBADF):
                self.log.exception("Socket error processing request.")
        except Exception as exc:  # noqa: BLE001 - gunicorn's own answer (a JSON 400 for bad HTTP)
            self.handle_error(req, client, conn.addr, exc)
        finally:
            getattr(util, "close_graceful", util.close)(client)
            with self._lock:
                self._connections.pop(id(conn), None)
                self._threads.discard(threading.current_thread())

    def _handle(self, req: Any, client: socket.socket, addr: Any, server: Any) -> bool:
        """One request through the app; whether the connection may serve another."""
        environ: dict[str, Any] = {}
        resp = None
        try:
            self.cfg.pre_request(self, req)
            request_start = datetime.now()
            resp, environ = wsgi.create(req, client, addr, server, self.cfg)
            environ["wsgi.multithread"] = True
            self.nr += 1
            if self.nr >= self.max_requests and self.alive:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
            if not self.alive or not self.cfg.keepalive:
                resp.force_close()
            respiter = self.wsgi(environ, resp.start_response)
            try:
                if isinstance(respiter, environ["wsgi.file_wrapper"]):
                    resp.write_file(respiter)
                else:
                    for item in respiter:
                        resp.write(item)
                resp.close()
            finally:
                self.log.access(resp, req, environ, datetime.now() - request_start)
                if hasattr(respiter, "close"):
                    respiter.close()
            return not resp.should_close()
        except OSError:
            raise
        except (Exception, SystemExit):
            if resp is not None and resp.headers_sent:
                self.log.exception("Error handling request")
                raise StopIteration() from None
            raise
        finally:
            try:
                self.cfg.post_request(self, req, environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")


def _cut(client: socket.socket) -> None:
    """End a connection whose thread waits for a request: its read returns at once."""
    try:
        client.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass

