"""Applying records through the resolvers, in two passes.

The first pass checks every record, in kind order (domains, users, aliases,
forwardings, throttles), against what storage holds (read once per domain
through the resolvers) and what earlier records will create: values,
permissions, and whether the record creates, changes or matches an account.
The second pass writes what differs, through the same resolvers as REST
and GraphQL, several records at a time. The resolvers check the domain
limits (account counts, quotas) anew as they write, so the first pass
cannot promise those.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from gateway import addresses
from gateway.errors import ErrorCode, GatewayError, InvalidInput, NotFound
from gateway.model import Alias, Domain, DomainChanges, User
from gateway.passwords import is_prehashed, verify_password
from gateway.resolvers import aliases, domains, forwardings, password_hashes, throttles, users, validation
from gateway.resolvers.access import require_account, require_domain, require_global
from gateway.resolvers.context import Context
from gateway.resolvers.password_policy import check_password
from gateway.transfer.records import BadRecord, Kind, Record

Write = Callable[[], Awaitable[Any]]
USER_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": validation.display_name,
    "language": validation.language,
    "quota": validation.quota,
    "transport": validation.transport,
    "employee_id": validation.display_name,
}
LIMITS = ("msg_size", "max_msgs", "max_quota", "max_rcpts")


BATCH = 200  # users of one domain created in one write


@dataclass(frozen=True)
class NewMailbox:
    email: str
    data: users.UserInput
    active: bool | None


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"  # not written: an earlier record failed and the import stopped


@dataclass
class Outcome:
    """What became of one record."""

    record: Record | BadRecord
    action: Action
    error: GatewayError | None = None
    write: Write | None = field(default=None, repr=False)
    new_user: NewMailbox | None = None  # a user to create, which may be written in a batch with others

    @property
    def kind(self) -> Kind | None:
        return self.record.kind

    @property
    def key(self) -> str:
        return self.record.key


class Progress(Protocol):
    """Told of each pass and each record done."""

    def start(self, phase: str, total: int) -> None: ...
    def advance(self) -> None: ...


class Silent:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class Report:
    outcomes: list[Outcome]
    dry_run: bool
    stopped: bool = False
    wrote: bool = False  # the second pass ran

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.action is Action.FAILED]

    def count(self, kind: Kind | None, action: Action) -> int:
        return sum(1 for outcome in self.outcomes if outcome.kind == kind and outcome.action is action)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


class State:
    """What storage holds, read through the resolvers once per domain, and what earlier records create."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._domains: dict[str, Domain] | None = None
        self._users: dict[str, dict[str, User]] = {}
        self._aliases: dict[str, dict[str, Alias]] = {}
        self._hashes: dict[str, dict[str, str]] = {}
        self.new_domains: set[str] = set()
        self.new_users: set[str] = set()

    async def domain(self, name: str) -> Domain | None:
        """The stored domain, if the actor sees it."""
        if self._domains is None:
            self._domains = {domain.name: domain for domain in await domains.list_domains(ctx=self.ctx)}
        return self._domains.get(name)

    async def require_domain(self, name: str) -> Domain | None:
        """The stored domain the actor manages, None for one an earlier record creates, else ``NO_SUCH_DOMAIN``."""
        require_domain(self.ctx, name)
        found = await self.domain(name)
        if found is None and name not in self.new_domains:
            raise NotFound(ErrorCode.NO_SUCH_DOMAIN)
        return found

    async def user(self, email: str) -> User | None:
        domain = addresses.domain_of(email)
        if await self.domain(domain) is None:
            return None
        if domain not in self._users:
            self._users[domain] = {user.email: user for user in await users.list_users(ctx=self.ctx, domain=domain)}
        return self._users[domain].get(email)

    async def alias(self, address: str) -> Alias | None:
        domain = addresses.domain_of(address)
        if await self.domain(domain) is None:
            return None
        if domain not in self._aliases:
            found = await aliases.list_aliases(ctx=self.ctx, domain=domain)
            self._aliases[domain] = {alias.address: alias for alias in found}
        return self._aliases[domain].get(address)

    async def password_hash(self, email: str) -> str | None:
        domain = addresses.domain_of(email)
        if domain not in self._hashes:
            self._hashes[domain] = await password_hashes.domain_password_hashes(ctx=self.ctx, domain=domain)
        return self._hashes[domain].get(email)


class Importer:
    """Checks records, then writes them through the resolvers as ``ctx``'s actor."""

    def __init__(
        self,
        ctx: Context,
        *,
        dry_run: bool = False,
        continue_on_error: bool = False,
        jobs: int = 4,
        progress: Progress | None = None,
    ) -> None:
        self.ctx = ctx
        self.dry_run = dry_run
        self.continue_on_error = continue_on_error
        self.jobs = max(1, jobs)
        self.progress = progress or Silent()
        self.state = State(ctx)
        self.planners: dict[Kind, Callable[[Record], Awaitable[Outcome]]] = {
            Kind.DOMAIN: self._domain,
            Kind.USER: self._user,
            Kind.ALIAS: self._alias,
            Kind.FORWARDING: self._forwarding,
            Kind.THROTTLE: self._throttle,
        }

    async def run(self, records: Sequence[Record | BadRecord]) -> Report:
        """Check every record; then, unless a dry run (or a bad record without continue-on-error), write."""
        outcomes = await self._check(records)
        report = Report(outcomes=outcomes, dry_run=self.dry_run)
        if self.dry_run:
            return report
        if report.failed and not self.continue_on_error:
            report.stopped = True
            return report
        report.wrote = True
        await self._write(outcomes, report)
        return report

    async def _check(self, records: Sequence[Record | BadRecord]) -> list[Outcome]:
        order = list(Kind)
        ordered = sorted(records, key=lambda record: -1 if record.kind is None else order.index(record.kind))
        self.progress.start("checking", len(ordered))
        seen: dict[tuple[Kind, str], str] = {}
        outcomes = []
        for record in ordered:
            if isinstance(record, BadRecord):
                outcomes.append(Outcome(record, Action.FAILED, record.error))
            elif (record.kind, record.key) in seen:
                error = InvalidInput(
                    ErrorCode.INVALID_PARAMETER, f"{record.key} is also at {seen[record.kind, record.key]}"
                )
                outcomes.append(Outcome(record, Action.FAILED, error))
            else:
                seen[record.kind, record.key] = record.source
                try:
                    outcomes.append(await self.planners[record.kind](record))
                except GatewayError as exc:
                    outcomes.append(Outcome(record, Action.FAILED, exc))
            self.progress.advance()
        return outcomes

    async def _write(self, outcomes: list[Outcome], report: Report) -> None:
        pending = [outcome for outcome in outcomes if outcome.write is not None]
        self.progress.start("importing", len(pending))
        for kind in Kind:
            of_kind = [outcome for outcome in pending if outcome.kind is kind]
            groups: dict[str, list[Outcome]] = {}
            singles: list[list[Outcome]] = []
            for outcome in of_kind:
                if outcome.new_user is None:
                    singles.append([outcome])
                else:
                    groups.setdefault(addresses.domain_of(outcome.new_user.email), []).append(outcome)
            batches = [
                group[start : start + BATCH] for group in groups.values() for start in range(0, len(group), BATCH)
            ]
            await self._write_all(batches + singles, report)

    async def _write_all(self, batches: list[list[Outcome]], report: Report) -> None:
        queue = iter(batches)

        async def worker() -> None:
            for batch in queue:
                if len(batch) > 1 and not report.stopped and await self._create_users(batch):
                    continue
                for outcome in batch:
                    await self._write_one(outcome, report)

        await asyncio.gather(*(worker() for _ in range(min(self.jobs, len(batches)))))

    async def _write_one(self, outcome: Outcome, report: Report) -> None:
        if report.stopped:
            outcome.action = Action.SKIPPED
            return
        assert outcome.write is not None
        try:
            await outcome.write()
        except GatewayError as exc:
            outcome.action, outcome.error = Action.FAILED, exc
            report.stopped = not self.continue_on_error
        self.progress.advance()

    async def _create_users(self, batch: list[Outcome]) -> bool:
        """Create the users of ``batch`` (one domain) in one write; False when refused, to be written one by one."""
        ctx = self.ctx
        wanted = [outcome.new_user for outcome in batch if outcome.new_user is not None]
        try:
            domain = await domains.get_domain(ctx=ctx, name=addresses.domain_of(wanted[0].email))
            made = await asyncio.gather(
                *(users.new_user(ctx=ctx, email=item.email, data=item.data, domain=domain) for item in wanted)
            )
            await users.create_users(ctx=ctx, users=made)
        except GatewayError:
            return False
        for outcome in batch:
            item = outcome.new_user
            if item is not None and item.active is False:
                try:
                    await users.update_user(ctx=ctx, email=item.email, data=users.UserInput(active=False))
                except GatewayError as exc:
                    outcome.action, outcome.error = Action.FAILED, exc
            self.progress.advance()
        return True

    # one planner per kind: the checks, then what to write (None when storage already matches)

    def _outcome(self, record: Record, current: object, write: Write | None) -> Outcome:
        if current is None:
            return Outcome(record, Action.CREATE, write=write)
        return Outcome(record, Action.UPDATE if write else Action.UNCHANGED, write=write)

    async def _domain(self, record: Record) -> Outcome:
        ctx, values = self.ctx, record.values
        name = addresses.domain_name(values["domain"])
        wanted = domains.validated_changes(DomainChanges(**{k: v for k, v in values.items() if k != "domain"}))
        current = await self.state.domain(name)
        if current is None:
            require_global(ctx)
            self.state.new_domains.add(name)

            async def create() -> None:
                await domains.create_domain(ctx=ctx, name=name, changes=replace(wanted, active=None))
                if wanted.active is False:
                    await domains.update_domain(ctx=ctx, name=name, changes=DomainChanges(active=False))

            return self._outcome(record, None, create)
        require_domain(ctx, name)
        diff = {k: v for k, v in _given(vars(wanted)).items() if getattr(current, k) != v}
        changes = DomainChanges(**diff)
        write = (lambda: domains.update_domain(ctx=ctx, name=name, changes=changes)) if diff else None
        return self._outcome(record, current, write)

    async def _user(self, record: Record) -> Outcome:
        ctx, values = self.ctx, record.values
        email = addresses.member_address(values["email"])
        domain = await self.state.require_domain(addresses.domain_of(email))
        wanted = {name: check(values[name]) for name, check in USER_FIELDS.items() if name in values}
        password, password_hash = values.get("password"), values.get("password_hash")
        if password is not None and password_hash is not None:
            raise InvalidInput(ErrorCode.INVALID_PARAMETER, "give password or password_hash, not both")
        if password_hash is not None and (
            not is_prehashed(password_hash) or len(password_hash) > 255 or not validation.is_storable(password_hash)
        ):
            raise InvalidInput(ErrorCode.INVALID_PASSWORD_HASH)
        if password is not None:
            check_password(password, ctx.settings, domain)
        active = values.get("active")
        current = await self.state.user(email)
        if current is None:
            email = addresses.mailbox_address(email)
            require_domain(ctx, addresses.domain_of(email))
            if password is None and password_hash is None:
                raise InvalidInput(ErrorCode.PW_EMPTY)
            self.state.new_users.add(email)
            data = users.UserInput(password=password, password_hash=password_hash, **wanted)

            async def create() -> None:
                await users.create_user(ctx=ctx, email=email, data=data)
                if active is False:
                    await users.update_user(ctx=ctx, email=email, data=users.UserInput(active=False))

            outcome = self._outcome(record, None, create)
            outcome.new_user = NewMailbox(email, data, active)
            return outcome
        await require_account(ctx, email)
        diff = {name: value for name, value in wanted.items() if getattr(current, name) != value}
        if active is not None and active != current.active:
            diff["active"] = active
        if password_hash is not None and password_hash != await self.state.password_hash(email):
            diff["password_hash"] = password_hash
        if password is not None:
            stored = await self.state.password_hash(email)
            if stored is None or not await ctx.in_thread(verify_password, stored, password):
                diff["password"] = password
        change = users.UserInput(**diff)
        write = (lambda: users.update_user(ctx=ctx, email=email, data=change)) if diff else None
        return self._outcome(record, current, write)

    async def _alias(self, record: Record) -> Outcome:
        ctx, values = self.ctx, record.values
        address = addresses.member_address(values["address"])
        await self.state.require_domain(addresses.domain_of(address))
        require_domain(ctx, addresses.domain_of(address))
        wanted: dict[str, Any] = {}
        if "name" in values:
            wanted["name"] = validation.display_name(values["name"])
        if "access_policy" in values:
            wanted["access_policy"] = validation.access_policy(values["access_policy"])
        if "members" in values:
            wanted["members"] = tuple(sorted(aliases.member_list(values["members"])))
        active = values.get("active")
        current = await self.state.alias(address)
        if current is None:
            address = addresses.mailbox_address(address)
            data = aliases.AliasInput(**wanted)

            async def create() -> None:
                await aliases.create_alias(ctx=ctx, address=address, data=data)
                if active is False:
                    await aliases.update_alias(ctx=ctx, address=address, data=aliases.AliasInput(active=False))

            return self._outcome(record, None, create)
        stored = {
            "name": current.name,
            "access_policy": current.access_policy,
            "members": tuple(sorted(current.members)),
        }
        diff = {name: value for name, value in wanted.items() if stored[name] != value}
        if active is not None and active != current.active:
            diff["active"] = active
        change = aliases.AliasInput(**diff)
        write = (lambda: aliases.update_alias(ctx=ctx, address=address, data=change)) if diff else None
        return self._outcome(record, current, write)

    async def _forwarding(self, record: Record) -> Outcome:
        ctx = self.ctx
        email = addresses.member_address(record.values["email"])
        await self.state.require_domain(addresses.domain_of(email))
        targets = forwardings.forwarding_targets(email, record.values.get("targets", ()))
        current = await self.state.user(email)
        if current is None and email not in self.state.new_users:
            raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
        if current is not None:
            await require_account(ctx, email)
        stored = tuple(sorted(current.forwardings)) if current is not None else (email,)
        changed = stored != targets
        write = (lambda: forwardings.set_forwardings(ctx=ctx, email=email, targets=targets)) if changed else None
        # a forwarding record changes a user: it is never a creation of its own
        return Outcome(record, Action.UPDATE if changed else Action.UNCHANGED, write=write)

    async def _throttle(self, record: Record) -> Outcome:
        ctx, values = self.ctx, record.values
        target = throttles.parse_target(values["target"])
        kind = throttles.throttle_kind(values["kind"])
        data = throttles.ThrottleInput(period=values.get("period"), **{k: values.get(k) for k in LIMITS})
        if data.period is None:
            raise InvalidInput(ErrorCode.INVALID_PERIOD, "period is required")
        name = values["target"]
        new = False
        if target.domain is None:
            require_global(ctx)
        else:
            require_domain(ctx, target.domain)
            await self.state.require_domain(target.domain)
            if target.email is not None:
                user = await self.state.user(target.email)
                if user is None and target.email not in self.state.new_users:
                    raise NotFound(ErrorCode.NO_SUCH_ACCOUNT)
                new = user is None
            else:
                new = await self.state.domain(target.domain) is None
        current = None if new else await throttles.get_throttle(ctx=ctx, target=name, kind=kind)
        wanted = {"period": data.period, **{k: -1 if values.get(k) is None else values[k] for k in LIMITS}}
        same = current is not None and all(getattr(current, k) == v for k, v in wanted.items())
        write = None if same else (lambda: throttles.set_throttle(ctx=ctx, target=name, kind=kind, data=data))
        return self._outcome(record, current, write)


def summary_rows(report: Report) -> Iterable[tuple[str, int, int, int, int]]:
    """Per kind: created, updated, unchanged, failed."""
    for kind in Kind:
        yield (
            kind.section,
            report.count(kind, Action.CREATE),
            report.count(kind, Action.UPDATE),
            report.count(kind, Action.UNCHANGED),
            report.count(kind, Action.FAILED),
        )
