"""Partner traffic for the reliability scenarios: commands published with confirms at a steady rate
(republished after a broker outage, with the same messageId, until confirmed), and the partner's
side of P.events, read back at the end."""
import json
import math
import threading
import time

import pika

from harness import command_body, log


def single_node_urls(url):
    """`amqp://u:p@n1:p1,n2:p2/vh` (tradingd's cluster form) as one URL per node, for pika."""
    head, _, rest = url.rpartition("@")
    authority, slash, tail = rest.partition("/")
    return [f"{head}@{node}{slash}{tail}" for node in authority.split(",")]


def connect(url, attempt=0):
    """A pika connection to one of the URL's nodes (the next one on each attempt)."""
    urls = single_node_urls(url)
    parameters = pika.URLParameters(urls[attempt % len(urls)])
    parameters.heartbeat = 10
    parameters.blocked_connection_timeout = 30
    return pika.BlockingConnection(parameters)


class CommandPublisher(threading.Thread):
    """Publishes `count` commands to `<prefix>.commands` at `rate` per second. A command counts as
    sent once the broker confirmed it; one whose confirm was lost is published again with the same
    messageId (tradingd records a messageId once), as a partner would.

    pika's blocking channel waits for each confirm before the next publish, so one connection
    sends at most one command per broker round trip (about 24/s on a loaded machine). The commands
    are therefore spread over lanes, one connection each, at most LANE_RATE per second per lane;
    command i is still due at i / rate."""

    LANE_RATE = 10

    def __init__(self, amqp_url, exchange, prefix, plants, count, rate):
        super().__init__(daemon=True)
        self.amqp_url, self.exchange, self.prefix = amqp_url, exchange, prefix
        self.bodies = [command_body(plants[i % len(plants)]) for i in range(count)]
        self.rate = rate
        self.lanes = max(1, math.ceil(rate / self.LANE_RATE))
        self.confirmed = 0
        self.republished = 0
        self.error = None
        self.seconds = 0.0  # from the first publish to the last confirm
        self._counts = threading.Lock()

    @property
    def message_ids(self):
        return [body["messageId"] for body in self.bodies]

    def _channel(self, lane, attempt):
        connection = connect(self.amqp_url, lane + attempt)
        channel = connection.channel()
        channel.confirm_delivery()
        return connection, channel

    def run(self):
        started = time.monotonic()
        lanes = [threading.Thread(target=self._lane, args=(lane, started), daemon=True) for lane in range(self.lanes)]
        for lane in lanes:
            lane.start()
        for lane in lanes:
            lane.join()
        self.seconds = time.monotonic() - started

    def _lane(self, lane, started):
        try:
            connection = channel = None
            reconnects = 0
            for index in range(lane, len(self.bodies), self.lanes):
                if self.error is not None:
                    return
                body = self.bodies[index]
                delay = started + index / self.rate - time.monotonic()  # read the clock once: it moves
                if delay > 0:
                    time.sleep(delay)
                attempts = 0
                while True:
                    try:
                        if channel is None:
                            connection, channel = self._channel(lane, reconnects)
                        channel.basic_publish(self.exchange, f"{self.prefix}.commands", json.dumps(body).encode(),
                                              pika.BasicProperties(content_type="application/json", delivery_mode=2),
                                              mandatory=True)
                        break
                    except Exception as error:  # broker away or publish not confirmed: again, same messageId
                        attempts += 1
                        reconnects += 1
                        with self._counts:
                            self.republished += 1
                        if attempts > 600:
                            raise RuntimeError(f"command {index} not confirmed after {attempts} tries: {error}")
                        channel = None
                        try:
                            connection and connection.close()
                        except Exception:
                            pass
                        time.sleep(0.5)
                with self._counts:
                    self.confirmed += 1
            connection and connection.close()
        except Exception as error:
            self.error = error
            log(f"command publisher failed: {error}")


def drain(amqp_url, queue, idle_seconds=3.0, limit=10_000_000):
    """Every message in `queue` (acked as read) until it has been idle for `idle_seconds`."""
    for attempt in range(len(single_node_urls(amqp_url))):
        try:
            connection = connect(amqp_url, attempt)
            break
        except Exception:
            if attempt == len(single_node_urls(amqp_url)) - 1:
                raise
    channel = connection.channel()
    bodies = []
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < idle_seconds and len(bodies) < limit:
        method, _, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.1)
            continue
        idle_since = time.monotonic()
        bodies.append(body)
    connection.close()
    return bodies
