"""初始设置: on a new database, ask who this installation is and create it (init_installation).

Each field is checked as it is typed, with the reason in Chinese under the field; the final
page calls the operation and maps any refusal back onto the page that holds the field.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop_app.errors import GovisError, ValidationError
from desktop_app.models.kinds import COUNTY, FINANCE, UNIT
from desktop_app.services import operations as ops

CODE_RE = re.compile(r"[A-Za-z0-9_-]{2,30}")
PREFIX_RE = re.compile(r"[A-Z]{1,6}")
ROLE_CHOICES = (
    (UNIT, "申报单位/建设单位", "县直部门、乡镇（街道）、园区等：填报项目申报、合同、进度、变更、验收申请和自评价。"),
    (COUNTY, "县政府办公室", "县政府办公室（电子政务中心）：组织评审、备案、监督检查、验收和后评价，掌握全口径台账。"),
    (FINANCE, "县财政局", "资金审核、预算安排和拨付把关。"),
)


def _error_label() -> QLabel:
    lab = QLabel()
    lab.setStyleSheet("color: #c62828")
    lab.setWordWrap(True)
    return lab


class _FieldPage(QWizardPage):
    """A page of line edits, each with a checker returning a Chinese message or ''."""

    def __init__(self, title: str, subtitle: str):
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.checks: dict[str, callable] = {}
        self.touched: set[str] = set()

    def add_field(self, name: str, label: str, check, default: str = "", placeholder: str = "",
                  secret: bool = False) -> QLineEdit:
        edit = QLineEdit(default)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(placeholder)
        err = _error_label()
        self.form.addRow(label, edit)
        self.form.addRow("", err)
        self.edits[name], self.errors[name], self.checks[name] = edit, err, check
        edit.textEdited.connect(lambda _t, n=name: self._edited(n))
        return edit

    def _edited(self, name: str) -> None:
        self.touched.add(name)
        self.errors[name].setText(self.checks[name](self.edits[name].text()))

    def value(self, name: str) -> str:
        return self.edits[name].text().strip()

    def problems(self) -> dict[str, str]:
        return {n: msg for n, check in self.checks.items() if (msg := check(self.edits[n].text()))}

    def validatePage(self) -> bool:
        # Checked on 下一步 rather than by overriding isComplete: PySide6 6.12 on Python 3.11
        # mis-counts references to the bool an overridden isComplete returns, and the interpreter
        # aborts on exit after enough keystrokes (tests/ui/test_shell_start.py types many).
        problems = self.problems()
        for n in self.checks:
            self.errors[n].setText(problems.get(n, ""))
        return not problems

    def show_error(self, name: str, message: str) -> None:
        self.errors[name].setText(message)


def check_code(text: str) -> str:
    if not text.strip():
        return "请填写单位代码"
    return "" if CODE_RE.fullmatch(text.strip()) else "单位代码只能由 2-30 位字母、数字、下划线或短横线组成"


def check_name(text: str) -> str:
    if not text.strip():
        return "单位名称不能为空"
    return "" if len(text.strip()) <= 100 else "单位名称过长（最多 100 字）"


def check_county(text: str) -> str:
    return "" if text.strip() else "请填写所在县（区）名称"


def check_prefix(text: str) -> str:
    return "" if PREFIX_RE.fullmatch(text.strip()) else "项目编号前缀只能是 1-6 位大写字母，如 MY"


def check_username(text: str) -> str:
    if not text.strip():
        return "管理员用户名不能为空"
    return "" if re.fullmatch(r"[A-Za-z0-9_.-]{2,30}", text.strip()) else "用户名只能由 2-30 位字母、数字、点、下划线或短横线组成"


def check_display(text: str) -> str:
    return "" if text.strip() else "请填写管理员姓名"


def check_password(text: str) -> str:
    from desktop_app.services.passwords import check_rule

    return check_rule(text) or ""


def check_passphrase(text: str) -> str:
    return "" if len(text.strip()) >= 8 else "口令至少 8 个字符；请设置一个只有经办人知道的口令"


class RolePage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("欢迎使用政务信息系统项目管理")
        self.setSubTitle("首次使用需要设置本机所属单位。请先选择本单位的角色：角色决定本机可以办理哪些事项。")
        lay = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for code, label, desc in ROLE_CHOICES:
            rb = QRadioButton(label)
            self.group.addButton(rb)
            self.buttons[code] = rb
            lay.addWidget(rb)
            d = QLabel(desc)
            d.setWordWrap(True)
            d.setContentsMargins(24, 0, 0, 8)
            lay.addWidget(d)
        self.buttons[UNIT].setChecked(True)
        lay.addStretch(1)

    def role(self) -> str | None:
        for code, rb in self.buttons.items():
            if rb.isChecked():
                return code
        return None




class KeyPage(_FieldPage):
    """The signing key's passphrase, typed twice (the key itself is made when the wizard finishes)."""

    def __init__(self):
        super().__init__("签名密钥", "本机向县政府办公室等单位报送的数据包都用本单位的签名密钥签名。"
                                     "私钥用口令加密保存在本机；请牢记口令，遗忘后须重新登记新密钥。")
        self.add_field("passphrase", "密钥口令：", check_passphrase, secret=True)
        self.add_field("confirm", "再次输入口令：", self.check_confirm, secret=True)
        self.edits["passphrase"].textChanged.connect(self._recheck_confirm)

    def check_confirm(self, text: str) -> str:
        if not text:
            return "请再次输入口令"
        return "" if text == self.edits["passphrase"].text() else "两次输入的口令不一致"

    def _recheck_confirm(self, _text: str) -> None:
        if "confirm" in self.touched:
            self.errors["confirm"].setText(self.check_confirm(self.edits["confirm"].text()))


class SummaryPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("确认并建立数据库")
        self.setSubTitle("请核对以下信息。点击“完成”后建立本单位数据库；单位代码和角色建立后不能更改。")
        lay = QVBoxLayout(self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.error = _error_label()
        lay.addWidget(self.text)
        lay.addWidget(self.error)
        lay.addStretch(1)

    def initializePage(self) -> None:
        w: SetupWizard = self.wizard()
        role_label = {c: label for c, label, _ in ROLE_CHOICES}[w.role_page.role()]
        o, a = w.org_page, w.admin_page
        self.text.setText(
            f"数据库文件：{w.db_label}\n\n单位角色：{role_label}\n单位代码：{o.value('org_code')}\n"
            f"单位名称：{o.value('org_name')}\n所在县（区）：{o.value('county')}\n项目编号前缀：{o.value('prefix')}\n\n"
            f"管理员用户名：{a.value('username')}\n管理员姓名：{a.value('display')}")
        self.error.clear()

    def validatePage(self) -> bool:
        return self.wizard().create_installation()


class SetupWizard(QWizard):
    """Creates the installation on `store`; `actor` holds the result after accept()."""

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.actor: ops.Actor | None = None
        self.key_error: str | None = None
        self.db_label = str(store.path)
        self.setWindowTitle("初始设置")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        for which, text in ((QWizard.WizardButton.NextButton, "下一步 >"), (QWizard.WizardButton.BackButton, "< 上一步"),
                            (QWizard.WizardButton.FinishButton, "完成"), (QWizard.WizardButton.CancelButton, "取消")):
            self.setButtonText(which, text)
        self.role_page = RolePage()
        self.org_page = _FieldPage("本单位信息", "单位代码用于数据包交换和项目归属，建议使用统一社会信用代码或县里分配的代码。")
        self.org_page.add_field("org_code", "单位代码：", check_code, placeholder="例如 MYJYJ")
        self.org_page.add_field("org_name", "单位名称：", check_name, placeholder="例如 蒙阴县教育和体育局")
        self.org_page.add_field("county", "所在县（区）：", check_county, "蒙阴县")
        self.org_page.add_field("prefix", "项目编号前缀：", check_prefix, "MY")
        self.admin_page = _FieldPage("系统管理员", "第一个用户是本机的系统管理员，以后用此用户名和密码登录，"
                                                    "并为其他人添加账户。")
        self.admin_page.add_field("username", "用户名：", check_username, "admin")
        self.admin_page.add_field("display", "姓名：", check_display, placeholder="例如 王明")
        self.admin_page.add_field("password", "登录密码：", check_password, secret=True, placeholder="至少8个字符")
        self.admin_page.add_field("password2", "再次输入密码：", self._check_password2, secret=True)
        self.key_page = KeyPage()
        self.summary_page = SummaryPage()
        self.org_page.edits["org_code"].textEdited.connect(self._suggest_prefix)
        for page in (self.role_page, self.org_page, self.admin_page, self.key_page, self.summary_page):
            self.addPage(page)
        self.resize(620, 500)

    def _check_password2(self, text: str) -> str:
        if not text:
            return "请再次输入密码"
        return "" if text == self.admin_page.edits["password"].text() else "两次输入的密码不一致"

    def _suggest_prefix(self, code: str) -> None:
        """A unit numbers its projects with its own code, so codes from different units never clash."""
        if self.role_page.role() == UNIT and "prefix" not in self.org_page.touched:
            self.org_page.edits["prefix"].setText(ops.default_code_prefix(UNIT, code))

    def create_installation(self) -> bool:
        o, a = self.org_page, self.admin_page
        try:
            self.actor = ops.init_installation(self.store, self.role_page.role(), o.value("org_code"),
                                               o.value("org_name"), o.value("county"), a.value("username"),
                                               a.value("display"), o.value("prefix"),
                                               admin_password=a.edits["password"].text())
        except ValidationError as exc:
            where = {"org_code": (o, "org_code"), "org_name": (o, "org_name"), "code_prefix": (o, "prefix"),
                     "admin_username": (a, "username"), "admin_password": (a, "password")}
            for name, msg in exc.fields.items():
                if name in where:
                    page, field = where[name]
                    page.show_error(field, msg)
            self.summary_page.error.setText("；".join(exc.fields.values()) + "。请返回上一步修改。")
            return False
        except GovisError as exc:
            self.summary_page.error.setText(exc.message)
            return False
        try:
            from desktop_app import exchange

            exchange.setup_keys(self.store, self.actor, self.key_page.value("passphrase"))
        except GovisError as exc:  # the installation stands; the key can be made later in 数据交换
            self.key_error = exc.message
        return True
