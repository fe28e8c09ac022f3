"""Capacity without browsers: many simulated users on `scripts/serve.sh`, over Streamlit's protocol.

Run from the project root:

    .venv/bin/python benchmarks/bench_ws.py [--replicas 1 2] [--users 1 2 4 8] [--actions 30]
                                            [--mode press|drag]

For each replica count, starts `scripts/serve.sh` (nginx in front of the replicas, each warmed up
with one page load) and, for each number of users, opens that many sessions through nginx
(`deploy/stclient.py`: the frontend's websocket protocol, no browser; each user has its own
sticky cookie and its own link, the starter CosineDecay with a distinct `warmup_steps`, so no
user's curves come from another's cache). Then every user acts `--actions` times in a closed loop
(the next action when the previous run is over, no think time):

- `press`: the selected configuration's `decay_steps` slider one position along (as a key press
  on the page sends it: the option's label), a full page run. Each press is checked: the URL the
  run writes must hold the slider's new value.
- `drag`: one frame of a live drag (the page of issue #17: a `st.components.v2` follower keyed
  `chart.live` sends `{"frame": {"key", "index", "seq"}}` and only the chart's fragment reruns).

Latency of an action: from sending its `rerun_script` to the run's `script_finished`, on the
client (the server's work and the network; no browser rendering). Server CPU: user + system time
of the replica processes (from /proc) over the acting phase, divided by the actions. Prints
markdown: per replica count and users, actions/s, p50 and p95 latency, CPU per action; then the
capacity, the highest actions/s of a level whose p95 is at most 300 ms, per core in use
(min(replicas, cores)). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from machine import machine_line  # benchmarks/machine.py (the script's own folder)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from browser_support import serving
from stclient import Session
from streamlit.proto.WidgetStates_pb2 import WidgetState

from lrviz import state as ss
from lrviz.page import session as page_session
from lrviz.page.live_drag import css_class
from lrviz.share import decode_state, encode_state

PARAM = "decay_steps"
SLIDER = page_session.widget_key(0, PARAM, page_session.SLIDER)
LIVE_KEY = page_session.LIVE_KEY  # issue #17's live-drag follower (lrviz.page.live_drag)
P95_TARGET = 0.300  # s


@dataclass
class Level:
    """One load level's results."""

    replicas: int
    users: int
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0  # s of replica CPU over the acting phase
    opens: list[float] = field(default_factory=list)
    wrong: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def p(self, q: float) -> float:
        return float(np.percentile(self.latencies, q))


def user_link(number: int) -> str:
    """The starter with `warmup_steps` 1000 + number: every user's curves are its own."""
    studio = ss.starter_studio()
    studio = ss.set_params(studio, studio.selected, warmup_steps=1000 + number)
    return urlencode(encode_state(ss.to_shared(studio)))


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def slider_value(label: str) -> int:
    return int(label.replace(",", ""))


def url_value(query: str) -> int:
    params = dict(part.split("=", 1) for part in query.split("&"))
    studio, _ = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    return int(studio.entries[0].config["config"][PARAM])


class User:
    """One simulated user: a session and the way its actions move along the slider."""

    def __init__(self, session: Session, mode: str) -> None:
        self.session = session
        self.mode = mode
        self.direction = 1
        self.seq = 0
        self.index = 0

    async def act(self, level: Level) -> None:
        if self.mode == "press":
            await self.press(level)
        else:
            await self.drag_frame(level)

    def _step(self, count: int) -> int:
        """The next option index, turning back at either end (a value not just sent)."""
        if not 0 <= self.index + self.direction < count:
            self.direction = -self.direction
        self.index += self.direction
        return self.index

    async def press(self, level: Level) -> None:
        slider = self.session.widgets[SLIDER].proto
        shown = int((slider.value if slider.set_value and slider.value else slider.default)[0])
        self.index = shown
        state = self.session.select_slider_state(SLIDER, self._step(len(slider.options)) - shown)
        run = await self.session.run([state])
        level.latencies.append(run.seconds)
        if run.query is None or url_value(run.query) != slider_value(
            state.string_array_value.data[0]
        ):
            level.wrong += 1

    async def drag_frame(self, level: Level) -> None:
        slider = self.session.widgets[SLIDER].proto
        follower = self.session.widgets[LIVE_KEY]
        self.seq += 1
        frame = {
            "key": css_class(SLIDER),
            "index": self._step(len(slider.options)),
            "seq": self.seq,
        }
        state = WidgetState(id=follower.id, json_value=json.dumps({"frame": frame}))
        run = await self.session.run([state], fragment_id=follower.fragment_id)
        level.latencies.append(run.seconds)


async def load(url: str, pids: list[int], replicas: int, users: int, actions: int, mode: str):
    level = Level(replicas, users)
    sessions = [
        Session(url, user_link(n), cookie=f"lrviz_client={secrets.token_hex(16)}")
        for n in range(users)
    ]
    for session in sessions:
        await session.__aenter__()
    try:
        opened = await asyncio.gather(*(s.run() for s in sessions))
        level.opens = [run.seconds for run in opened]
        crowd = [User(s, mode) for s in sessions]
        if mode == "drag" and LIVE_KEY not in sessions[0].widgets:
            raise SystemExit(f"--mode drag: the page has no `{LIVE_KEY}` follower (issue #17)")

        async def user_loop(user: User) -> None:
            for _ in range(actions):
                await user.act(level)

        before, started = cpu_seconds(pids), time.perf_counter()
        await asyncio.gather(*(user_loop(u) for u in crowd))
        level.seconds = time.perf_counter() - started
        level.cpu = cpu_seconds(pids) - before
    finally:
        for session in sessions:
            await session.__aexit__()
    return level


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--actions", type=int, default=30, help="actions per user per level")
    parser.add_argument("--mode", choices=("press", "drag"), default="press")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(machine_line())
    print(f"\nload before: {os.getloadavg()[0]:.2f} (1-min); mode {args.mode}\n")
    print("| replicas | users | actions/s | p50 ms | p95 ms | CPU ms/action | open p50 s | wrong |")
    print("|---|---|---|---|---|---|---|---|")
    best: dict[int, float] = {}
    for replicas in args.replicas:
        with serving(replicas) as served:
            pids = list(served.replicas.values())
            for users in args.users:
                level = asyncio.run(
                    load(served.url, pids, replicas, users, args.actions, args.mode)
                )
                print(
                    f"| {replicas} | {users} | {level.rate:.1f} | {level.p(50) * 1000:.0f} "
                    f"| {level.p(95) * 1000:.0f} | {level.cpu / len(level.latencies) * 1000:.0f} "
                    f"| {np.median(level.opens):.2f} | {level.wrong} |",
                    flush=True,
                )
                if level.p(95) <= P95_TARGET:
                    best[replicas] = max(best.get(replicas, 0.0), level.rate)
    print(f"\nload after: {os.getloadavg()[0]:.2f} (1-min)\n")
    for replicas in args.replicas:
        used = min(replicas, cores)
        rate = best.get(replicas)
        text = (
            f"{rate:.1f} actions/s, {rate / used:.1f} per core ({used} in use)"
            if rate
            else "no level had p95 <= 300 ms"
        )
        print(f"- {replicas} replica(s): {text}")


if __name__ == "__main__":
    main()
