"""spotcheck's extension of moto 5.2.1, loaded into moto's server by sandbox/aws/server.py.

``install()`` patches moto in place; it must run before the server handles its first request
(backends and URL maps are built lazily on first use). What it adds, by module:

* ``events``       EC2 events on the EventBridge default bus (full envelope, with "account")
* ``ec2_events``   "EC2 Instance State-change Notification" for every instance transition
* ``spot_market``  the deterministic Spot market model (prices, capacity, allocation rules)
* ``ec2_spot``     the model wired into DescribeSpotPriceHistory, CreateFleet, RunInstances
* ``fis``          experiments, the Spot interruption action, AWS::FIS::ExperimentTemplate
* ``eks``          sandbox hooks, endpoint/CA from the daemon, add-ons, DescribeUpdate
* ``ssm_hooks``    /spotcheck/ parameters reported to the daemon
* ``cloudformation`` stack outputs after ``aws cloudformation deploy`` (a moto fix)
* ``eks_amis``     the EKS-optimized AMIs and their public SSM parameters, as on the date
* ``cloud9``       Cloud9 environments (moto has none), closed to new customers after 2024-07-25
* ``pricing``      the Price List Query API (moto has none): EC2 On-Demand prices from data/, for the aws path's rehearsal
* ``platform``     the platform view of the sandbox's date (SPOTCHECK_PLATFORM_FILE)
* ``fixes``        moto answers that differ from AWS where the tutorial shows them (DNS names, role names)
* ``scheduler``    deferred work (FIS steps, Spot pool recovery) on the sandbox daemon's tutorial clock
* ``snapshot``     a sandbox snapshot's AWS side: every backend, the Spot market and pending jobs, saved and loaded in place
* ``routing``      moto's dispatcher with each host's service remembered (server.py uses it)
* ``api``          /spotcheck-api/ inspection endpoint and the daemon's /_spotcheck/ routes: fire, snapshot save/load (a WSGI middleware)
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from . import cloud9, cloudformation, ec2_events, ec2_spot, eks, eks_amis, events, fis, fixes, pricing, ssm_hooks

    events.install()
    ec2_spot.install()  # before ec2_events, which wraps the RunInstances it installs
    ec2_events.install()
    fis.install()
    eks.install()
    ssm_hooks.install()
    cloudformation.install()
    eks_amis.install()
    cloud9.install()
    pricing.install()
    fixes.install()
    _cancel_timers_on_reset()
    _installed = True


def _cancel_timers_on_reset() -> None:
    """``POST /moto-api/reset`` drops every backend; pending FIS timers and Spot-market
    overrides belong to the state it drops, so they go too."""
    from moto.core.base_backend import BackendDict

    from . import ec2_spot, scheduler

    original = BackendDict.reset.__func__  # type: ignore[attr-defined]

    def reset(cls: type) -> None:
        scheduler.cancel_all()
        ec2_spot.reset_market()
        original(cls)

    BackendDict.reset = classmethod(reset)  # type: ignore[method-assign, assignment]
