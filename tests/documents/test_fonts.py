import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from desktop_app.documents import (
    FACES,
    HEI,
    KAI,
    SONG,
    FontRegistry,
    FontSource,
    MissingGlyphError,
    fonts_dir,
    missing_characters,
    pick_font,
    resources_dir,
)
from desktop_app.documents import fonts as fonts_mod
from desktop_app.documents import resources as resources_mod

UNPRINTABLE = "\U00030000"  # CJK Ext-G: in none of the bundled fonts


def test_bundled_fonts_are_truetype_and_small():
    files = [p for p in fonts_dir().iterdir() if p.suffix.lower() in (".ttf", ".ttc")]
    assert {p.name for p in files} == {"uming.ttc", "LXGWWenKai-Regular.ttf", "wqy-microhei.ttc"}
    assert sum(p.stat().st_size for p in files) < 60 * 1024 * 1024
    for path in files:
        TTFontFile(str(path), subfontIndex=0)  # raises TTFError for CFF outlines
    readme = (fonts_dir() / "README.md").read_text(encoding="utf-8")
    for path in files:
        assert path.name in readme
    licences = {p.name for p in (fonts_dir() / "LICENSES").iterdir()}
    assert {"ARPHICPL.txt", "OFL-1.1.txt", "Apache-2.0.txt"} <= licences


def test_every_face_resolves_and_covers_gb2312(registry):
    for face in FACES:
        font = registry.primary(face)
        missing = [c for c in fonts_mod._gb2312_hanzi() if c not in font.char_map]
        assert missing == [], face


def test_fonts_registered_once_per_process(registry):
    source = registry.primary(SONG).source
    results = []
    threads = [threading.Thread(target=lambda: results.append(fonts_mod.load_font(source))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in results}) == 1 and results[0] is registry.primary(SONG)


def test_missing_characters_uses_the_face_font():
    assert missing_characters("蒙阴县政务信息系统〔2026〕7号—《》“”", SONG) == []
    assert missing_characters("王䶮", HEI) == ["䶮"]  # WenQuanYi Micro Hei lacks Ext-A
    assert missing_characters("王䶮", SONG) == []


def test_pick_font_falls_back_to_a_font_with_every_character(registry):
    assert pick_font("王小明", HEI) is registry.primary(HEI)
    assert pick_font("王䶮", HEI).has("䶮")


def test_font_runs_switch_only_for_the_missing_character(registry):
    runs = registry.font_runs("王䶮同志", HEI, "联系人")
    assert [text for _, text in runs] == ["王", "䶮", "同志"]
    assert runs[0][0] is runs[2][0] is registry.primary(HEI)


def test_unprintable_character_is_refused_with_field_and_character(registry):
    with pytest.raises(MissingGlyphError) as info:
        registry.pick_font(f"蒙阴县{UNPRINTABLE}局", KAI, "建设单位")
    err = info.value
    assert err.field == "建设单位" and err.characters == [UNPRINTABLE]
    assert str(err) == (f"字段「建设单位」中的字符「{UNPRINTABLE}」在所有可用字体中都没有字形，无法打印。"
                        "请改用常用字或安装含该字的字体。")
    with pytest.raises(MissingGlyphError):
        registry.font_runs(UNPRINTABLE, SONG, "备注")


def test_invisible_code_points_need_no_glyph(registry):
    # Zero-width space and a variation selector are dropped rather than refused.
    assert registry.missing_characters("政\u200b务\ufe00", SONG) == []
    assert "".join(t for _, t in registry.font_runs("政\u200b务", SONG)) == "政务"


def test_resources_dir_is_the_package_folder_and_can_be_overridden(monkeypatch, tmp_path):
    import desktop_app.resources as package

    assert (resources_dir() / "fonts" / "uming.ttc").is_file()
    assert resources_dir() == Path(package.__file__).parent  # importlib.resources, no sys._MEIPASS
    monkeypatch.setenv(resources_mod.RESOURCES_ENV, str(tmp_path / "x"))
    assert resources_mod.resources_dir() == tmp_path / "x"


def test_windows_fonts_folder_is_searched(monkeypatch, tmp_path):
    fonts = tmp_path / "Fonts"
    fonts.mkdir()
    (fonts / "simhei.ttf").symlink_to(fonts_dir() / "wqy-microhei.ttc")
    monkeypatch.setenv("WINDIR", str(tmp_path))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    assert fonts_mod.system_sources(HEI) == [FontSource(fonts / "simhei.ttf", 0, "system")]
    # 小标宋 absent: the title borrows the system 黑体.
    assert fonts_mod.system_sources("title") == [FontSource(fonts / "simhei.ttf", 0, "system")]
    assert fonts_mod.system_sources(SONG) == []


def test_fontconfig_match_counts_only_for_the_requested_family(monkeypatch):
    answers = {"SimSun:lang=zh-cn": "SimSun,宋体\n/f/simsun.ttc\n0",
               "FangSong:lang=zh-cn": "DejaVu Sans\n/f/DejaVuSans.ttf\n0"}

    def fake_run(args, **kwargs):
        return subprocess.CompletedProcess(args, 0, stdout=answers.get(args[-1], "DejaVu Sans\n/f/d.ttf\n0"))

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/fc-match")
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(sys, "platform", "linux")
    assert fonts_mod.system_sources(SONG) == [FontSource(Path("/f/simsun.ttc"), 0, "system")]
    assert fonts_mod.system_sources("fangsong") == []


def test_system_font_without_chinese_is_rejected():
    # ReportLab's own Vera.ttf stands in for a mis-installed "FangSong" without hanzi.
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    assert fonts_mod.load_font(FontSource(vera, 0, "system")) is None
    assert fonts_mod.load_font(FontSource(Path("/nonexistent/simfang.ttf"), 0, "system")) is None


def test_default_registry_prefers_system_fonts_then_bundled(monkeypatch, tmp_path):
    monkeypatch.delenv(fonts_mod.FONTS_ENV, raising=False)
    (tmp_path / "simsun.ttf").symlink_to(fonts_dir() / "LXGWWenKai-Regular.ttf")
    fake = FontSource(tmp_path / "simsun.ttf", 0, "system")
    monkeypatch.setattr(fonts_mod, "system_sources", lambda face: [fake] if face == SONG else [])
    reg = FontRegistry.default()
    assert reg.primary(SONG).source == fake
    assert reg.fonts(SONG)[1].source.origin == "bundled"
    monkeypatch.setenv(fonts_mod.FONTS_ENV, "bundled")
    assert FontRegistry.default().primary(SONG).source.origin == "bundled"
