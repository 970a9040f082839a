"""A signed-in session: one store and the acting user. The window holds one; so can scripts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop_app.lifecycle import machine
from desktop_app.lifecycle import rules as R
from desktop_app.lifecycle.facts import load_context, load_facts
from desktop_app.models import authority as A
from desktop_app.models.kinds import KINDS
from desktop_app.models.store import Store
from desktop_app.services import attachment_files as AF
from desktop_app.services import audit, queries
from desktop_app.services import authorize as Z
from desktop_app.services import operations as ops


@dataclass
class Session:
    store: Store
    actor: ops.Actor
    today_override: dt.date | None = field(default=None)

    @classmethod
    def open(cls, path: str, username: str | None = None) -> Session:
        store = Store.open(path)
        return cls(store, ops.installation_actor(store, username))

    @property
    def today(self) -> dt.date:
        return self.today_override or dt.date.today()

    # reads
    def ledger(self) -> list[dict]:
        queries.ensure_deadlines_fresh(self.store, self.today)
        return queries.ledger(self.store, today=self.today)

    def ledger_cached(self) -> list[dict]:
        """The ledger as last computed (its deadline column may be from an earlier day): instant."""
        return queries.ledger(self.store, today=self.today)

    def indicator_template(self) -> str:
        """The evaluation form's indicator lines to fill in (第六条, the county's indicator system)."""
        from desktop_app.lifecycle.policy import load_indicators

        return load_indicators(self.store).template()

    def deadlines_fresh(self) -> bool:
        return self.store.get_setting("deadlines_computed_for") == self.today.isoformat()

    def findings(self, project_ids: list[str] | None = None) -> list[R.Finding]:
        return queries.check(self.store, self.today, project_ids)

    def facts(self, project_id: str) -> R.Facts:
        return load_facts(self.store, [project_id])[0]

    def actions(self, project_id: str) -> list[tuple[machine.Transition, str | None]]:
        """Lifecycle actions this installation's role takes (machine.Transition.roles) from the current
        status, each with its refusal reason (None = allowed): the organisation's (machine) and the
        signed-in person's (authorize.person_reason)."""
        out = []
        for t, why in machine.available(self.facts(project_id), load_context(self.store, self.today), self.actor):
            if self.actor.role not in t.roles:
                continue  # a step of another party (the county office never submits): no button at all
            # the button names the action: its reason does not repeat it
            mine = Z.person_reason(self.actor, A.person_right(t.action), "此项")
            out.append((t, why or mine))
        return out

    def may(self, right: str) -> str | None:
        """Why the signed-in person may not exercise `right` (models.authority.PERSON_RIGHTS: draft,
        sign_off, export, import, settings, users), for a disabled button's tooltip; None if allowed."""
        return Z.person_reason(self.actor, right)

    def risk_ratings(self, project_ids: list[str] | None = None):
        """Every active project's risk rating as of today (services/risk.py)."""
        from desktop_app.services import risk

        return risk.ratings(self.store, self.today, project_ids)

    def rate_risk(self, project_id: str, level, note: str = "", rated_on: str | None = None):
        return ops.rate_risk(self.store, self.actor, project_id, level, note, rated_on, today=self.today)

    def may_rate_risk(self) -> str | None:
        """Why this person may not confirm risk ratings (None if they may): for the button's tooltip."""
        roles, _clause, why = A.RISK_RATING
        if self.actor.role not in roles:
            return why
        return Z.person_reason(self.actor, A.RISK_RATING_RIGHT, "确认风险评级")

    def open_round(self, year: int, values: dict):
        return ops.open_round(self.store, self.actor, year, values, today=self.today)

    def close_round(self, year: int, note: str = ""):
        return ops.close_round(self.store, self.actor, year, note, today=self.today)

    def round_writer(self) -> bool:
        """The annual round is the county office's (authority SETTINGS): other PCs never see its buttons."""
        return self.actor.role in A.SETTINGS["annual_round"][0]

    def ledger_import_mark(self, project_id: str) -> dict | None:
        return queries.ledger_import_mark(self.store, project_id)

    def review_ledger_import(self, project_id: str):
        return ops.review_ledger_import(self.store, self.actor, project_id)

    def audit_entries(self, project_id: str) -> list[dict]:
        return audit.for_project(self.store, project_id)

    def organisations(self) -> list[dict]:
        return self.store.all("SELECT * FROM organisations ORDER BY role, code")

    # writes: each is one operation (one transaction, one audit entry)
    def create_project(self, values: dict) -> dict:
        return ops.create_project(self.store, self.actor, values, self.today)

    def update_project(self, project_id: str, values: dict) -> dict:
        return ops.update_project(self.store, self.actor, project_id, values, self.today)

    def add_record(self, kind: str, project_id: str, values: dict) -> dict:
        return ops.add_record(self.store, self.actor, kind, project_id, values, self.today)

    def update_record(self, kind: str, record_id: str, values: dict) -> dict:
        return ops.update_record(self.store, self.actor, kind, record_id, values, self.today)

    def transition(self, project_id: str, action: str, values: dict | None = None) -> dict:
        return ops.transition(self.store, self.actor, project_id, action, values, self.today)

    def delete_project(self, project_id: str) -> ops.OpChanges:
        return ops.delete_project(self.store, self.actor, project_id, self.today)

    def delete_record(self, kind: str, record_id: str) -> ops.OpChanges:
        return ops.delete_record(self.store, self.actor, kind, record_id, self.today)

    def attach_file(self, project_id: str, path: str, record_kind: str, record_id: str) -> dict:
        """Attach to a record of the project; record_kind='project', record_id=project_id for the project."""
        return ops.attach_file(self.store, self.actor, project_id, path, record_kind, record_id)

    def attachments(self, project_id: str) -> list[dict]:
        return self.store.all("SELECT id, record_kind, record_id, filename, media_type, size, sha256, created_at "
                              "FROM attachments WHERE project_id=? ORDER BY created_at", (project_id,))

    def attachment_to_open(self, attachment_id: str) -> tuple[str, bytes]:
        """(name for the opened copy, content): the bound record's title plus the checked extension,
        never the stored file name. Refuses (Chinese) a stored file whose type or content is not allowed."""
        row = self.store.one("SELECT project_id, record_kind, record_id, filename, media_type, content "
                             "FROM attachments WHERE id=?", (attachment_id,))
        if not row:
            raise ops.NotFound("找不到该附件")
        try:
            _name, ext, _type = AF.check_attachment(row["filename"], None, row["content"])
        except ValueError as exc:
            raise ops.Refused(f"出于安全考虑，该附件不予打开：{exc}") from None
        kind, rid = row["record_kind"], row["record_id"]
        if kind not in KINDS or not rid:  # attachments added before every file was bound to a record
            kind, rid = "project", row["project_id"]
        record = self.store.find(kind, rid) if rid else None
        return AF.open_copy_name(AF.record_title(kind, record), ext), row["content"]
