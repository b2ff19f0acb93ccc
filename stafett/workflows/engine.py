"""The one entry point for every state change: ``fire(obj, trigger, actor, ...)``.

Machines are module-level ``transitions.Machine`` objects with ``model=None``. The persistent
object keeps only its state string; a short-lived ``Step`` wrapper is what the machine sees,
so no machine is ever pickled into the database.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from .. import audit
from ..events import AfterTransition, notify
from ..models.base import DomainError, find_parent, new_id, utcnow
from ..models.log import Log
from ..models.org import Municipality
from ..security import Permission, permits


class WorkflowError(DomainError):
    """A transition was refused; nothing changed (R18)."""


class TransitionForbidden(WorkflowError):
    """The actor lacks the transition's permission."""


@dataclass
class Step:
    """What a machine sees during one transition: the object, who acts, and why."""

    obj: Any
    actor: Any
    reason: str = ""
    note: str = ""
    request: Any = None
    params: dict = field(default_factory=dict)

    @property
    def state(self) -> str:
        return self.obj.state

    @state.setter
    def state(self, value: str) -> None:
        self.obj.state = value

    @property
    def log(self) -> Log:
        return self.obj if isinstance(self.obj, Log) else find_parent(self.obj, Log)

    @property
    def actor_id(self) -> str:
        return actor_ref(self.actor)


@dataclass(frozen=True)
class TransitionSpec:
    """One transition with its permission, guards (DOMAIN rules) and effects, in one place."""

    trigger: str
    source: str | tuple[str, ...]
    dest: str
    permission: Permission
    guards: tuple[Callable[[Step], None], ...] = ()
    before: tuple[Callable[[Step], None], ...] = ()  # after the guards, before the change
    effects: tuple[Callable[[Step], None], ...] = ()  # after the change

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else self.source


def _as_condition(guard: Callable[[Step], None]) -> Callable:
    def condition(event) -> bool:
        guard(event.model)  # raises WorkflowError with the rule it enforces
        return True

    condition.__name__ = guard.__name__
    return condition


def _as_callback(effect: Callable[[Step], None]) -> Callable:
    def callback(event) -> None:
        effect(event.model)

    callback.__name__ = effect.__name__
    return callback


class Workflow:
    def __init__(self, name: str, states: list[str], transitions: list[TransitionSpec]):
        self.name = name
        self.states = states
        self.specs = {spec.trigger: spec for spec in transitions}
        self.machine = Machine(
            model=None, states=states, initial=None, auto_transitions=False, send_event=True,
            name=name,
            transitions=[
                dict(trigger=s.trigger, source=list(s.sources), dest=s.dest,
                     conditions=[_as_condition(g) for g in s.guards],
                     before=[_as_callback(b) for b in s.before],
                     after=[_as_callback(e) for e in s.effects])
                for s in transitions
            ],
        )

    def available(self, obj, may) -> list[str]:
        """Triggers whose source and permission fit (guards are checked on firing);
        ``may(permission, obj)`` answers for the user (a request's ``has_permission``)."""
        return [t for t, spec in self.specs.items()
                if obj.state in spec.sources and may(spec.permission, obj)]


_WORKFLOWS: dict[type, Workflow] = {}


def register(cls: type, workflow: Workflow) -> Workflow:
    _WORKFLOWS[cls] = workflow
    return workflow


def workflow_for(obj) -> Workflow:
    for cls in type(obj).__mro__:
        if cls in _WORKFLOWS:
            return _WORKFLOWS[cls]
    raise LookupError(type(obj).__name__)


def actor_ref(actor) -> str:
    """A non-personal reference to whoever acts, for the journal."""
    return getattr(actor, "uid", None) or getattr(actor, "username", "anonymous")


def fire(obj, trigger: str, actor, *, reason: str = "", note: str = "", request=None,
         **params) -> Step:
    """Check permission and guards, fire, record who/when/from/to/why, announce (R18).

    A refused transition raises WorkflowError; the savepoint taken first is rolled back so
    nothing the guards or effects touched survives, and a refusal entry is journaled.
    """
    step, source = _transition(obj, trigger, actor, reason=reason, note=note, request=request,
                               **params)
    _announce(step, trigger, source)
    return step


def _transition(obj, trigger: str, actor, *, reason: str = "", note: str = "", request=None,
                **params) -> tuple[Step, str]:
    workflow = workflow_for(obj)
    spec = workflow.specs.get(trigger)
    source = obj.state
    municipality = find_parent(obj, Municipality)
    step = Step(obj, actor, reason=reason, note=note, request=request, params=params)
    if spec is None or source not in spec.sources:
        _refuse(municipality, step, trigger, WorkflowError(
            "transition_not_allowed", rule="R18", machine=workflow.name, trigger=trigger,
            state=source))
    if not permits(actor, obj, spec.permission):
        _refuse(municipality, step, trigger, TransitionForbidden("transition_forbidden",
                                                                 trigger=trigger))
    savepoint = _savepoint(obj)
    try:
        workflow.machine.events[trigger].trigger(step)
    except (WorkflowError, DomainError, MachineError) as exc:
        if savepoint is not None:
            savepoint.rollback()
        refusal = exc if isinstance(exc, WorkflowError) else WorkflowError(
            getattr(exc, "msg", "transition_not_allowed"), rule=getattr(exc, "rule", "R18"))
        _refuse(municipality, step, trigger, refusal)
    _record(municipality, workflow, step, trigger, source)
    return step, source


def _announce(step: Step, trigger: str, source: str) -> None:
    workflow = workflow_for(step.obj)
    notify(AfterTransition(step.log, f"{workflow.name}.{trigger}", step.obj, step.actor,
                           step.request, workflow=workflow.name, trigger=trigger,
                           source=source, dest=step.obj.state))


def create(container, obj, trigger: str, actor, **why) -> Step:
    """Fire a creating transition (from the ``new`` pseudo-state) and store the object only
    if it passes: a refused creation leaves the container untouched. The change is
    announced once the object is stored."""
    obj.__name__ = obj.__name__ or new_id()
    obj.__parent__ = container
    step, source = _transition(obj, trigger, actor, **why)
    container.add(obj)
    _announce(step, trigger, source)
    return step


def _savepoint(obj):
    jar = next((o._p_jar for o in _lineage(obj) if getattr(o, "_p_jar", None)), None)
    if jar is None:
        return None
    return jar.transaction_manager.get().savepoint(optimistic=True)


def _lineage(obj):
    while obj is not None:
        yield obj
        obj = getattr(obj, "__parent__", None)


def _refuse(municipality, step: Step, trigger: str, error: WorkflowError):
    if municipality is not None:
        log = step.log
        entry = dict(what=f"transition:{trigger}", object_id=step.obj.id or "",
                     log_id=log.id if log else None, actor=step.actor_id, cause=error.msg,
                     **audit.placement(step.obj, log))
        audit.record_refusal(municipality.journal, **entry)
        error.refusal = (municipality, entry)
    raise error


@contextmanager
def one_change(transaction_manager):
    """Steps that stand or fall together (a consent and the transition resting on it):
    when one is refused, everything they did is rolled back, but the refusal stays in
    the journal (R18)."""
    savepoint = transaction_manager.get().savepoint()
    try:
        yield
    except DomainError as error:
        savepoint.rollback()
        refusal = getattr(error, "refusal", None)
        if refusal is not None:
            municipality, entry = refusal
            audit.record_refusal(municipality.journal, **entry)
        raise


def _record(municipality, workflow: Workflow, step: Step, trigger: str, source: str) -> None:
    log = step.log
    at = utcnow()
    if municipality is not None:
        audit.record_transition(
            municipality.journal, machine=workflow.name, trigger=trigger,
            object_id=step.obj.id or "", log_id=log.id if log else None, source=source,
            dest=step.obj.state, actor=step.actor_id, reason=step.reason,
            **audit.placement(step.obj, log))
    if log is not None and log.state != "deleted":
        log.add_history(dict(at=at, machine=workflow.name, trigger=trigger,
                             object=step.obj.id, source=source, dest=step.obj.state,
                             actor=step.actor_id, reason=step.reason, note=step.note))


def refuse(msg: str, rule: str, **mapping) -> None:
    """For guards: stop the transition with a message naming the rule."""
    raise WorkflowError(msg, rule=rule, **mapping)
