"""A sandbox snapshot's AWS side: every moto backend, the extension's own state, pending jobs.

The sandbox daemon saves and restores a whole sandbox (sandbox/snapshot/); moto's
part is one file, written by ``save(path)`` and read back by ``load(path)`` (the routes
``POST /_spotcheck/snapshot/save`` and ``/load`` in api.py). A restore happens in place: the
moto process keeps running and keeps its port, only its state is replaced.

What the file holds, pickled in ONE pass so that shared objects stay shared (an FIS experiment
holds the EC2 instances it targets and the scheduler jobs that will interrupt them; a pending
job's callable is a bound method of the backend it works on):

* every BackendDict in use (``BackendDict._instances``: every service with state in some
  account), as {account: {region: backend}}, named by the module attribute that holds it;
* the extension's state outside backends: the Spot market (``ec2_spot._market``: capacity
  overrides, reclaimed pools, its seed);
* the pending scheduler jobs (scheduler.Job: id, name, due instant, callable).

Format: one JSON header line ``{"kind", "format": AWS_SNAPSHOT_FORMAT, "moto": moto.__version__,
"compression": "zlib"}``, then the pickle, zlib-compressed (level 1: a sandbox daemon's moto
pickles to some 23 MB with only a cluster, an instance and an experiment in it, most of it IAM's
AWS-managed policies in each of the six partitions moto creates; compressed under a fifth of
that, for some 0.2 s each way). Pickled objects are moto's own classes, so a file is readable only by the same
moto version with the same extension format: ``load`` refuses any other, naming both
(``SnapshotFormatError``, a 409 on the route).

Plain ``pickle`` refuses a few things moto's backends hold; ``_Pickler`` handles them:

* locks and conditions (SQS queues hold a ``threading.Condition``; the FIS backend and the
  Spot market an ``RLock``): saved as nothing, recreated fresh and unlocked on load. Nothing
  waits on them at save time: the daemon saves only while none of its AWS calls is running
  and its clock stands still (no job fires);
* a ``defaultdict`` whose default factory is a lambda (SSM's ``_resource_tags`` is
  ``defaultdict(lambda: defaultdict(dict))``): the factory is replaced by an equivalent
  picklable one (``_factory_of``), found by calling it once; a factory whose product is not a
  plain empty container is refused by name;
* a ``defaultdict`` subclass whose ``__init__`` takes other arguments (SSM's ``ParameterDict``):
  rebuilt without calling it, then given its attributes and items;
* weak containers (Lambda's ``_arns`` is a WeakValueDictionary): saved as their entries;
* cryptography's keys and certificates (KMS's asymmetric keys): saved as PEM;
* references to a BackendDict or an account's backends (AccountSpecificBackend) from inside a
  backend: saved by name, so on load they are the loading process's own.

EC2 keeps class-level weak references to its backends (VPC peering and transit gateway
attachments across regions find each other through them); ``load`` points them at the loaded
backends.

Not kept: moto's per-class instance lists for ``/moto-api/data.json`` (``instances_tracked``,
inspection only) and caches rebuilt from files (platform view, add-on catalogue).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import pickle
import sys
import threading
import types
import weakref
import zlib
from collections import defaultdict
from functools import partial
from typing import Any

import moto
from moto.core.base_backend import AccountSpecificBackend, BackendDict, backend_lock

from . import ec2_spot, scheduler

AWS_SNAPSHOT_FORMAT = 1
SAVE_ATTEMPTS = 3
ZLIB_LEVEL = 1
_MAGIC = "spotcheck-aws-state"

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class SnapshotFormatError(Exception):
    """The file was written by another format or another moto version."""


class SnapshotError(Exception):
    """The state cannot be saved, or the file cannot be read (not a snapshot, truncated)."""


# ---- naming the BackendDicts -------------------------------------------------------------------


def _backend_dict_names() -> dict[int, tuple[str, str]]:
    """id(BackendDict) -> (module, attribute) for every BackendDict a loaded module holds.

    Modules import each other's BackendDicts (``from moto.ec2.models import ec2_backends``), so
    the same object has several names; the one in the module that defines its backend class is
    preferred, any works on load (the loading process imports the module).
    """
    names: dict[int, tuple[str, str]] = {}
    for module_name, module in list(sys.modules.items()):
        if module is None or not (module_name.startswith("moto.") or module_name.startswith("spotcheck_moto")):
            continue
        if getattr(module, "__name__", module_name) != module_name:
            continue  # an alias (moto.cloud9 is spotcheck_moto.cloud9): name it by its real module
        for attr, value in list(vars(module).items()):
            if isinstance(value, BackendDict):
                known = names.get(id(value))
                home = getattr(value.backend, "__module__", "")
                if known is None or (module_name == home and known[0] != home):
                    names[id(value)] = (module_name, attr)
    return names


def _in_use() -> list[BackendDict]:
    seen: dict[int, BackendDict] = {}
    for bd in BackendDict._instances:  # type: ignore[misc]
        if len(bd) and id(bd) not in seen:
            seen[id(bd)] = bd
    return list(seen.values())


def _resolve(module: str, attr: str) -> BackendDict:
    value = getattr(importlib.import_module(module), attr, None)
    if not isinstance(value, BackendDict):
        raise SnapshotError(f"the snapshot names the backends {module}.{attr}, which this moto does not have")
    return value


# ---- pickling what plain pickle refuses --------------------------------------------------------


def _is_lambda(f: Any) -> bool:
    return isinstance(f, types.FunctionType) and f.__name__ == "<lambda>"


def _factory_of(factory: Any, where: str) -> Any:
    """A picklable default factory that makes what ``factory`` (a lambda) makes."""
    if not _is_lambda(factory):
        return factory
    try:
        made = factory()
    except TypeError as e:
        raise pickle.PicklingError(f"{where}: the defaultdict factory {factory.__qualname__} takes arguments ({e})") from e
    if type(made) in (dict, list, set, int, float, str, tuple) and not made:
        return type(made)
    if type(made) is defaultdict and not made:
        return partial(defaultdict, _factory_of(made.default_factory, where))
    raise pickle.PicklingError(f"{where}: the defaultdict factory {factory.__qualname__} makes {type(made).__name__} {made!r}, which a snapshot cannot rebuild")


def _fresh_event(is_set: bool) -> threading.Event:
    event = threading.Event()
    if is_set:
        event.set()
    return event


def _is_crypto(obj: Any, method: str) -> bool:
    return type(obj).__module__.startswith("cryptography.") and hasattr(obj, method)


def _private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


def _public_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem)


def _certificate(pem: bytes) -> Any:
    from cryptography.x509 import load_pem_x509_certificate

    return load_pem_x509_certificate(pem)


def _reduce_crypto(obj: Any) -> Any:
    """cryptography's keys and certificates (KMS's asymmetric keys) as PEM, or NotImplemented."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization as s

    if isinstance(obj, x509.Certificate):
        return (_certificate, (obj.public_bytes(s.Encoding.PEM),))
    if _is_crypto(obj, "private_bytes"):
        return (_private_key, (obj.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()),))
    if _is_crypto(obj, "public_bytes") and _is_crypto(obj, "verify"):
        return (_public_key, (obj.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo),))
    return NotImplemented


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary:
    return weakref.WeakValueDictionary(items)


def _weak_keys(items: dict[Any, Any]) -> weakref.WeakKeyDictionary:
    return weakref.WeakKeyDictionary(items)


def _weak_set(items: list[Any]) -> weakref.WeakSet:
    return weakref.WeakSet(items)


def _new_defaultdict(kind: type, factory: Any) -> defaultdict:
    made = kind.__new__(kind)
    defaultdict.__init__(made, factory)
    return made


class _Pickler(pickle.Pickler):
    def __init__(self, file: Any, names: dict[int, tuple[str, str]]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = names
        # id(AccountSpecificBackend) -> (module, attribute, account)
        self._accounts: dict[int, tuple[str, str, str]] = {}
        for bd in _in_use():
            name = names.get(id(bd))
            if name is not None:
                for account, asb in dict.items(bd):
                    self._accounts[id(asb)] = (*name, account)

    def persistent_id(self, obj: Any) -> Any:  # noqa: D102  (pickle's hook)
        if isinstance(obj, BackendDict):
            name = self._names.get(id(obj))
            if name is None:
                raise pickle.PicklingError(f"a backend holds the backends of service {obj.service_name!r}, which no module names")
            return ("backend-dict", *name)
        if isinstance(obj, AccountSpecificBackend):
            ref = self._accounts.get(id(obj))
            if ref is None:
                raise pickle.PicklingError(f"a backend holds the {obj.service_name!r} backends of account {obj.account_id}, which no module names")
            return ("account-backends", *ref)
        return None

    def reducer_override(self, obj: Any) -> Any:  # noqa: D102  (pickle's hook)
        kind = type(obj)
        if kind is _LOCK_TYPES[0]:
            return (threading.Lock, ())
        if kind is _LOCK_TYPES[1]:
            return (threading.RLock, ())
        if kind is threading.Condition:
            return (threading.Condition, ())
        if kind is threading.Event:
            return (_fresh_event, (obj.is_set(),))
        # weak containers: their entries are held strongly elsewhere in the same state (Lambda's
        # _arns maps to the functions its _functions holds), so the rebuilt ones keep them
        if kind is weakref.WeakValueDictionary:
            return (_weak_values, (dict(obj.items()),))
        if kind is weakref.WeakKeyDictionary:
            return (_weak_keys, (dict(obj.items()),))
        if kind is weakref.WeakSet:
            return (_weak_set, (list(obj),))
        if kind.__module__.startswith("cryptography."):
            return _reduce_crypto(obj)
        if isinstance(obj, defaultdict) and (kind is not defaultdict or _is_lambda(obj.default_factory)):
            factory = _factory_of(obj.default_factory, kind.__qualname__)
            if kind is defaultdict:
                return (defaultdict, (factory,), None, None, iter(obj.items()))
            # a subclass with an __init__ of its own (SSM's ParameterDict(account_id, region_name)):
            # defaultdict's own reduce would call it with the factory alone
            return (_new_defaultdict, (kind, factory), dict(vars(obj)) or None, None, iter(obj.items()))
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:  # noqa: D102  (pickle's hook)
        kind, *ref = pid
        if kind == "backend-dict":
            return _resolve(*ref)
        if kind == "account-backends":
            module, attr, account = ref
            return _resolve(module, attr)[account]  # the same object load() fills (it keeps accounts)
        raise pickle.UnpicklingError(f"unknown reference {pid!r} in the snapshot")


# ---- save --------------------------------------------------------------------------------------


def header() -> dict[str, Any]:
    return {"kind": _MAGIC, "format": AWS_SNAPSHOT_FORMAT, "moto": moto.__version__, "compression": "zlib"}


def _job_view(job: scheduler.Job) -> dict[str, Any]:
    return {"id": job.id, "name": job.name, "dueTutorialMs": job.due_ms}


def _services(state: dict[str, Any]) -> list[str]:
    return sorted({service for service, _module, _attr, _accounts in state["backends"]})


def _diagnose(state: dict[str, Any], names: dict[int, tuple[str, str]]) -> str:
    """Which part of the state plain pickling failed on (a save failed; said to the caller)."""
    parts: list[tuple[str, Any]] = [(f"service {s} ({m}.{a})", accounts) for s, m, a, accounts in state["backends"]]
    parts.append(("the Spot market", state["market"]))
    parts += [(f"pending job {j.id} ({j.name})", j) for j in state["jobs"]]
    problems = []
    for label, value in parts:
        try:
            _Pickler(io.BytesIO(), names).dump(value)
        except Exception as e:  # every failure is what the caller needs to hear
            problems.append(f"{label}: {type(e).__name__}: {e}")
    return "; ".join(problems) or "no single part fails alone"


def save(path: str) -> dict[str, Any]:
    """Write the AWS state to ``path`` atomically (a temporary file beside it, then rename).

    The caller (the daemon) makes sure nothing changes meanwhile: no AWS call of its own in
    flight, its clock held (no job fires). Returns the route's answer: bytes, services,
    pendingJobs.
    """
    if not os.path.isabs(path):
        raise SnapshotError(f"path must be absolute, got {path!r}")
    names = _backend_dict_names()
    with backend_lock:
        backends = []
        for bd in _in_use():
            name = names.get(id(bd))
            if name is None:
                raise SnapshotError(f"the backends of service {bd.service_name!r} are in no module this process has loaded")
            accounts = {account: dict(dict.items(asb)) for account, asb in dict.items(bd)}
            backends.append((bd.service_name, *name, accounts))
        backends.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
        jobs = sorted(scheduler.pending(), key=lambda j: (j.due_ms, j.id))
        state = {"backends": backends, "market": ec2_spot._market, "jobs": jobs}
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            buffer = io.BytesIO()
            try:
                _Pickler(buffer, names).dump(state)
                break
            except RuntimeError as e:
                # "dictionary changed size during iteration": a request the daemon does not count
                # as busy (the Karpenter twin's SQS long poll receiving a message) changed
                # something meanwhile; the next pass sees it done
                if attempt == SAVE_ATTEMPTS or "changed size during iteration" not in str(e):
                    raise SnapshotError(f"the AWS state kept changing while it was saved ({e})") from e
            except Exception as e:
                raise SnapshotError(f"the AWS state cannot be pickled ({type(e).__name__}: {e}); per part: {_diagnose(state, names)}") from e
    data = (json.dumps(header()) + "\n").encode("utf-8") + zlib.compress(buffer.getvalue(), ZLIB_LEVEL)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}-{threading.get_ident()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return {"bytes": len(data), "services": _services(state), "pendingJobs": [_job_view(j) for j in jobs]}


# ---- load --------------------------------------------------------------------------------------


def read_header(path: str) -> tuple[dict[str, Any], bytes]:
    """The file's header and its pickle; SnapshotFormatError for another format or moto."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise SnapshotError(f"cannot read the AWS state {path}: {e.strerror}") from e
    line, sep, payload = data.partition(b"\n")
    try:
        head = json.loads(line) if sep else None
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("kind") != _MAGIC:
        raise SnapshotError(f"{path} is not a spotcheck AWS state (no header line)")
    mine = header()
    if head.get("format") != mine["format"] or head.get("moto") != mine["moto"]:
        raise SnapshotFormatError(
            f"aws snapshot format {head.get('format')} (moto {head.get('moto')}) cannot be loaded by format {mine['format']} (moto {mine['moto']})"
        )
    if head.get("compression") != "zlib":
        raise SnapshotError(f"{path}: unknown compression {head.get('compression')!r} (expected zlib)")
    try:
        return head, zlib.decompress(payload)
    except zlib.error as e:
        raise SnapshotError(f"cannot read the AWS state {path}: truncated or damaged ({e})") from e


def _register_class_refs(backends: list[Any]) -> None:
    """Point moto's class-level weak references to backends at the loaded ones.

    moto.ec2's VPCBackend.vpc_refs, VPCPeeringConnectionBackend.vpc_pcx_refs and
    TransitGatewayAttachmentBackend.backend_refs ({class: {weakref(backend)}}) are filled by the
    backends' __init__, which unpickling does not run.
    """
    from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachmentBackend
    from moto.ec2.models.vpc_peering_connections import VPCPeeringConnectionBackend
    from moto.ec2.models.vpcs import VPCBackend

    for base, attr in ((VPCBackend, "vpc_refs"), (VPCPeeringConnectionBackend, "vpc_pcx_refs"), (TransitGatewayAttachmentBackend, "backend_refs")):
        refs = getattr(base, attr)
        refs.clear()
        for backend in backends:
            if isinstance(backend, base):
                refs[type(backend)].add(weakref.ref(backend))


def load(path: str) -> dict[str, Any]:
    """Replace every backend, the Spot market and the pending jobs with the file's.

    The file is read in full before anything is replaced: a refused or broken file leaves the
    running state as it was. Then pending jobs are cancelled (the daemon forgets them), every
    backend in use is dropped, the file's are put in place, and its pending jobs are registered
    again with their remaining delay (scheduler.restore; the daemon set its clock to the
    snapshot's instant before calling). Returns the route's answer: services, pendingJobs.
    """
    _head, payload = read_header(path)
    with backend_lock:
        try:
            state = _Unpickler(io.BytesIO(payload)).load()
        except SnapshotError:
            raise
        except Exception as e:
            raise SnapshotError(f"cannot read the AWS state {path}: {type(e).__name__}: {e}") from e
        scheduler.cancel_all()
        saved = {(module, attr): accounts for _service, module, attr, accounts in state["backends"]}
        targets = {(module, attr): _resolve(module, attr) for module, attr in saved}
        # Drop every backend in use. The AccountSpecificBackend objects of accounts the file has
        # stay (emptied): references the file held to them were resolved to these objects.
        keep = {id(targets[key][account]) for key, accounts in saved.items() for account in accounts}
        for bd in _in_use() + list(targets.values()):
            for account, asb in list(dict.items(bd)):
                dict.clear(asb)
                if id(asb) not in keep:
                    dict.__delitem__(bd, account)
        BackendDict._instances.clear()  # type: ignore[misc]
        for key, accounts in saved.items():
            bd = targets[key]
            for account, regions in accounts.items():
                asb = bd[account]  # the kept one
                for region, backend in regions.items():
                    dict.__setitem__(asb, region, backend)
            if len(bd):
                BackendDict._instances.append(bd)  # type: ignore[misc]
        _register_class_refs([backend for _s, _m, _a, accounts in state["backends"] for regions in accounts.values() for backend in regions.values()])
        with ec2_spot._market_lock:
            ec2_spot._market = state["market"]
    jobs = scheduler.restore(state["jobs"])
    return {"services": _services(state), "pendingJobs": [_job_view(j) for j in jobs]}
