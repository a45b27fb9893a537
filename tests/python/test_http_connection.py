"""The client's HTTP/1.1 connection against a scripted server on loopback: the answers jobqd never
gives (chunked, closed early, no length) and a kept-alive connection the server has closed."""

import socket
import threading
import unittest

from support import jobq


class ScriptedServer:
    """Accepts connections on 127.0.0.1; answers the n-th request (counted over all connections) with
    answers[n] (raw bytes) and then closes the connection if closes[n]."""

    def __init__(self, answers, closes):
        self.answers, self.closes = answers, closes
        self.requests, self.connections = [], 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.sock.close()

    def _serve(self):
        while len(self.requests) < len(self.answers):
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                if not self._talk(conn):
                    continue

    def _talk(self, conn):
        buf = b""
        while len(self.requests) < len(self.answers):
            while b"\r\n\r\n" not in buf:
                more = conn.recv(65536)
                if not more:
                    return False
                buf += more
            head, _, buf = buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buf) < length:
                buf += conn.recv(65536)
            buf = buf[length:]
            n = len(self.requests)
            self.requests.append(head.split(b"\r\n")[0].decode())
            conn.sendall(self.answers[n])
            if self.closes[n]:
                return True
        return True


def answer(body, extra=""):
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"{extra}\r\n{body}").encode()


class HttpConnection(unittest.TestCase):
    def serve(self, answers, closes):
        server = ScriptedServer(answers, closes)
        self.addCleanup(server.close)
        client = jobq.Client(url=f"http://127.0.0.1:{server.port}")
        self.addCleanup(client.close)
        return server, client

    def test_a_kept_alive_connection_the_server_closed_is_reopened_once(self):
        server, client = self.serve([answer('{"n":1}'), answer('{"n":2}')], [True, False])
        self.assertEqual(client.stats(), {"n": 1})
        self.assertEqual(len(client._http.idle_connections()), 1)  # no Connection: close was said
        self.assertEqual(client.stats(), {"n": 2})
        self.assertEqual((len(server.requests), server.connections), (2, 2))

    def test_an_answer_cut_short_is_a_connection_failure_and_is_not_sent_again(self):
        cut = answer('{"n":1}')[:-3]
        server, client = self.serve([cut, answer('{"n":2}')], [True, False])
        with self.assertRaises(jobq.ConnectionFailed):
            client.stats()
        self.assertEqual(client._http.idle_connections(), [])
        self.assertEqual(server.requests, ["GET /api/v1/stats HTTP/1.1"])

    def test_a_chunked_answer_is_read_whole(self):
        chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"4\r\n{\"n\"\r\n3;ext=1\r\n:42\r\n1\r\n}\r\n0\r\nX-Trailer: 1\r\n\r\n")
        server, client = self.serve([chunked, answer('{"n":2}')], [False, False])
        self.assertEqual(client.stats(), {"n": 42})
        self.assertEqual(client.stats(), {"n": 2})
        self.assertEqual(server.connections, 1)

    def test_connection_close_and_a_body_to_the_end_are_not_kept(self):
        to_the_end = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"n\":3}"
        server, client = self.serve([answer('{"n":1}', "Connection: close\r\n"), to_the_end],
                                    [True, True])
        self.assertEqual(client.stats(), {"n": 1})
        self.assertEqual(client._http.idle_connections(), [])
        self.assertEqual(client.stats(), {"n": 3})
        self.assertEqual(client._http.idle_connections(), [])
        self.assertEqual(server.connections, 2)

    def test_an_error_answer_keeps_its_json_error(self):
        body = '{"error":{"code":"not_found","message":"no job x"}}'
        refusal = (f"HTTP/1.1 404 Not Found\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()
        _, client = self.serve([refusal], [False])
        with self.assertRaises(jobq.NotFound):
            client.get("x")

    def test_a_status_line_that_is_not_http_is_a_connection_failure(self):
        _, client = self.serve([b"SSH-2.0-OpenSSH_9.2\r\n\r\n"], [True])
        with self.assertRaises(jobq.ConnectionFailed):
            client.stats()


if __name__ == "__main__":
    unittest.main()
