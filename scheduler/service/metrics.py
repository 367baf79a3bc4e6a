"""Prometheus metrics of one service process, served as text at `GET /metrics`.

Each `App` has its own `CollectorRegistry` (never the library's global one), so several apps in one test
session, or in one process, do not collide. Two sources feed it, neither of them on the request path:

- committed domain events (`observe`, subscribed to the app's event log): air lateness when a broadcast
  is aired or published, render seconds when a program is built, delivery outcomes;
- the heartbeat (`measured`, every 10 s): broadcasts by state and the queue depths (`service.backlog`).

Counters and histograms count what *this* process did since it started (Prometheus adds the instance);
the gauges read the shared database, so every process reports the same broadcasts by state.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from loa114.scheduler.db.status import Status
from loa114.scheduler.events import (
    BroadcastAired,
    BroadcastPublished,
    BroadcastReady,
    DomainEvent,
    NoticeDelivered,
    NoticeFailed,
)
from loa114.scheduler.service.backlog import Backlog

# the classic text format every Prometheus reads (our names need none of the newer format's escaping)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENESS_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
RENDER_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
OUTCOMES = ("sent", "retry", "failed")
QUEUES = ("build", "air", "deliver")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.broadcasts = Gauge(
            "loa114_broadcasts",
            "Broadcast rows by state, at the last heartbeat",
            ["state"],
            registry=registry,
        )
        self.queue = Gauge(
            "loa114_queue_depth",
            "Work waiting at the last heartbeat: build (planned within the horizon), air (ready within the "
            "horizon), deliver (outbox deliveries due and not sent)",
            ["queue"],
            registry=registry,
        )
        self.last_beat = Gauge(
            "loa114_last_beat_timestamp_seconds", "When this process last beat (Unix time)", registry=registry
        )
        self.lateness = Histogram(
            "loa114_air_lateness_seconds",
            "As-run start minus airtime of each broadcast this process aired or published",
            buckets=LATENESS_BUCKETS,
            registry=registry,
        )
        self.render = Histogram(
            "loa114_render_seconds",
            "Time to build one program (texts, speech, assembly, playout folder) in this process",
            buckets=RENDER_BUCKETS,
            registry=registry,
        )
        self.deliveries = Counter(
            "loa114_deliveries",
            "Delivery attempts of notices by outcome: sent, retry (failed, tried again later), failed (final)",
            ["outcome"],
            registry=registry,
        )
        for outcome in OUTCOMES:
            self.deliveries.labels(outcome)
        for queue in QUEUES:
            self.queue.labels(queue)

    def observe(self, event: DomainEvent) -> None:
        """An event subscriber: called once per committed event of this process."""
        if isinstance(event, BroadcastAired | BroadcastPublished):
            self.lateness.observe(max(event.lateness_s, 0.0))
        elif isinstance(event, BroadcastReady) and event.render_s is not None:
            self.render.observe(event.render_s)
        elif isinstance(event, NoticeDelivered):
            self.deliveries.labels("sent").inc()
        elif isinstance(event, NoticeFailed):
            self.deliveries.labels("failed" if event.final else "retry").inc()

    def measured(self, backlog: Backlog) -> None:
        """The heartbeat's counts; a state with no row any more reads 0, not its last value."""
        for state in Status:
            self.broadcasts.labels(state.value).set(backlog.by_state.get(state.value, 0))
        for queue, depth in backlog.queues().items():
            self.queue.labels(queue).set(depth)
        self.last_beat.set(backlog.at.timestamp())

    def exposition(self) -> bytes:
        """The Prometheus text format (version 0.0.4)."""
        return generate_latest(self.registry)
