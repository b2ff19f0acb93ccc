"""State machines drawn from their own ``transitions.Machine`` definitions: server-side SVG
(no script, no external resource) and Mermaid text, each edge annotated with a count. States
and transitions are labelled by the callables given (their names in the reader's language)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from xml.sax.saxutils import escape

INITIAL = "new"  # the pseudo-state an object is in before its creating transition
_W, _H, _DX, _DY, _PAD = 120, 40, 250, 90, 40
_QUOTE = {'"': "&quot;"}  # for text in an attribute


def edges(workflow) -> list[tuple[str, str, str]]:
    """(source, dest, trigger) for every transition the machine knows."""
    found = []
    for trigger, event in workflow.machine.events.items():
        for source, transitions in event.transitions.items():
            found.extend((source, t.dest, trigger) for t in transitions)
    return sorted(found)


def _layers(workflow) -> dict[str, int]:
    """Depth of each state from the initial one (breadth first), for a left-to-right layout."""
    depth = {INITIAL: 0}
    frontier = [INITIAL]
    links = defaultdict(set)
    for source, dest, _trigger in edges(workflow):
        links[source].add(dest)
    while frontier:
        following = []
        for state in frontier:
            for dest in sorted(links[state] - depth.keys()):
                depth[dest] = depth[state] + 1
                following.append(dest)
        frontier = following
    for state in workflow.states:
        depth.setdefault(state, max(depth.values()) + 1)
    return depth


def _positions(workflow) -> dict[str, tuple[int, int]]:
    rows: dict[int, int] = defaultdict(int)
    placed = {}
    layers = _layers(workflow)
    for state in workflow.states:
        layer = layers[state]
        placed[state] = (_PAD + layer * _DX, _PAD + rows[layer] * _DY)
        rows[layer] += 1
    return placed


def _label(triggers: list[str], counts: Mapping[str, int],
           trigger_label: Callable[[str], str] = str) -> list[str]:
    return [f"{trigger_label(t)} ({counts.get(t, 0)})" for t in triggers]


def svg(workflow, counts: Mapping[str, int], state_label: Callable[[str], str] = str,
        trigger_label: Callable[[str], str] = str, title: str | None = None) -> str:
    """An SVG drawing of the machine; ``counts`` maps trigger -> transitions in the period;
    ``title`` is what a screen reader says it is (the workflow's name)."""
    pos = _positions(workflow)
    grouped = defaultdict(list)
    for source, dest, trigger in edges(workflow):
        grouped[(source, dest)].append(trigger)
    width = max(x for x, _ in pos.values()) + _W + _PAD + 120
    height = max(y for _, y in pos.values()) + _H + _PAD + 40
    marker = f"arrow-{workflow.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="machine" '
        f'aria-label="{escape(title or workflow.name, _QUOTE)}">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#5b6475"/></marker></defs>',
    ]
    for (source, dest), triggers in sorted(grouped.items()):
        parts.append(_edge(pos[source], pos[dest], _label(triggers, counts, trigger_label),
                           marker))
    for state, (x, y) in pos.items():
        parts.append(
            f'<g class="state"><rect x="{x}" y="{y}" width="{_W}" height="{_H}" rx="8" '
            f'fill="{"#eef1f5" if state == INITIAL else "#fff"}" stroke="#0b5fa5"/>'
            f'<text x="{x + _W // 2}" y="{y + 25}" text-anchor="middle" font-size="13" '
            f'font-family="sans-serif">{escape(state_label(state))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _edge(a: tuple[int, int], b: tuple[int, int], lines: list[str], marker: str) -> str:
    if b[0] > a[0]:  # forward: right side to left side, bent upwards
        start, end = (a[0] + _W, a[1] + _H // 2), (b[0], b[1] + _H // 2)
        control = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 18)
    elif b[0] < a[0]:  # backward: bottom to bottom, bent below both
        start, end = (a[0] + _W // 2, a[1] + _H), (b[0] + _W // 2, b[1] + _H)
        control = ((start[0] + end[0]) / 2, max(start[1], end[1]) + 45)
    else:  # same column: right side to right side, bent outwards
        start, end = (a[0] + _W, a[1] + _H // 2), (b[0] + _W, b[1] + _H // 2)
        control = (start[0] + 25 + abs(end[1] - start[1]) / 4, (start[1] + end[1]) / 2)
    mid = (0.25 * start[0] + 0.5 * control[0] + 0.25 * end[0],
           0.25 * start[1] + 0.5 * control[1] + 0.25 * end[1])
    anchor = "start" if a[0] == b[0] else "middle"
    x = mid[0] + 4 if a[0] == b[0] else mid[0]
    top = mid[1] - 4 - 13 * (len(lines) - 1)
    text = "".join(f'<tspan x="{x:.0f}" y="{top + 13 * i:.0f}">{escape(line)}</tspan>'
                   for i, line in enumerate(lines))
    return (f'<g class="edge"><path d="M{start[0]},{start[1]} Q{control[0]},{control[1]} '
            f'{end[0]},{end[1]}" fill="none" stroke="#5b6475" marker-end="url(#{marker})"/>'
            f'<text text-anchor="{anchor}" font-size="11" font-family="sans-serif" '
            f'fill="#1d2433">{text}</text></g>')


def mermaid(workflow, counts: Mapping[str, int], state_label: Callable[[str], str] = str,
            trigger_label: Callable[[str], str] = str) -> str:
    """The same machine as Mermaid ``stateDiagram-v2`` text, with the counts. States keep
    their codes as identifiers and are shown by their labels."""
    lines = ["stateDiagram-v2"]
    lines.extend(f'    state "{state_label(s)}" as {s}' for s in workflow.states if s != INITIAL)
    for source, dest, trigger in edges(workflow):
        start = "[*]" if source == INITIAL else source
        lines.append(f"    {start} --> {dest}: {trigger_label(trigger)} "
                     f"({counts.get(trigger, 0)})")
    return "\n".join(lines)
