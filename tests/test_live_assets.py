"""`make book` always publishes the current book/_extra (live/ JavaScript, vendor/):
Sphinx copies html_extra_path only when a page was rebuilt, so the live extension
copies it again at the end of every build (book/_ext/microgpt_live.py:copy_extra)."""

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from microgpt_live import copy_extra


def test_an_edited_live_file_is_published_and_unchanged_ones_are_left_alone(tmp_path):
    src = tmp_path / "src" / "book" / "_extra"
    (src / "live" / "widgets").mkdir(parents=True)
    (src / "live" / "runtime.js").write_text("new runtime")
    (src / "live" / "widgets" / "tokens.js").write_text("tokens")
    out = tmp_path / "html"
    (out / "live" / "widgets").mkdir(parents=True)
    (out / "live" / "runtime.js").write_text("old runtime")  # what the last build copied
    (out / "live" / "widgets" / "tokens.js").write_text("tokens")
    app = SimpleNamespace(outdir=str(out), confdir=str(tmp_path / "src"),
                          config=SimpleNamespace(html_extra_path=["book/_extra"]))
    assert copy_extra(app) == ["live/runtime.js"]
    assert (out / "live" / "runtime.js").read_text() == "new runtime"
    (src / "live" / "boot.mjs").write_text("boot")
    assert copy_extra(app) == ["live/boot.mjs"] and (out / "live" / "boot.mjs").read_text() == "boot"
    assert copy_extra(app) == []
