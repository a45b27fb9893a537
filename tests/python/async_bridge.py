"""AsyncClient behind blocking calls, for the tests only: so that the tests written for Client
(test_client.py, test_operators.py) run unchanged against AsyncClient too. The AsyncClient lives on
an event loop of its own thread; each call is a coroutine run there and waited for."""

import asyncio
import threading

from support import jobq

CALL_TIMEOUT_S = 60.0  # beyond any call's own timeout: a hang fails the test rather than the run


class BlockingAsyncClient:
    def __init__(self, **kw):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="async-client-loop", daemon=True)
        self._thread.start()
        self.aclient = self.run(self._make(kw))
        self.url = self.aclient.url

    @staticmethod
    async def _make(kw):
        return jobq.AsyncClient(**kw)  # made on its loop, as an application would

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(CALL_TIMEOUT_S)

    def __getattr__(self, name):
        method = getattr(self.aclient, name)
        return lambda *a, **kw: self.run(method(*a, **kw))

    def iter_jobs(self, **kw):
        async def collect():
            return [job async for job in self.aclient.iter_jobs(**kw)]
        return iter(self.run(collect()))

    def watch(self, job_id, **kw):
        return BlockingStream(self, self.run(self.aclient.watch(job_id, **kw)))

    def events(self, **kw):
        return BlockingStream(self, self.run(self.aclient.events(**kw)))

    def close(self):
        if self._loop.is_closed():
            return
        self.run(self.aclient.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class BlockingStream:
    def __init__(self, bridge, stream):
        self._bridge, self._stream = bridge, stream

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._bridge.run(self._stream.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self):
        self._bridge.run(self._stream.aclose())


class Bridged:
    """Put first among a ClientTestCase's bases: its clients are AsyncClients behind the bridge."""

    def new_client(self, **kw):
        kw.setdefault("url", f"http://127.0.0.1:{self.server.port}")
        kw.setdefault("api_key", self.server_key)
        client = BlockingAsyncClient(**kw)
        self.addCleanup(client.close)
        return client
