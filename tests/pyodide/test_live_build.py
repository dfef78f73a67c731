"""The build side of the live widgets (book/_ext/microgpt_live.py): default states
embedded in the page, and what is (not) accepted in a widget's markup."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
from microgpt_live import LiveWidgetError, embed_states

from microgpt.explore import softmax_state

DIV = ('<div class="mg-live" data-widget="softmax" data-state="microgpt.explore:softmax_state"\n'
       '     data-args=\'{"logits": [2.0, 1.0], "labels": ["a", "</script>"], "temperature": 0.5}\'></div>')


def test_default_state_is_the_package_result_embedded_after_the_tag():
    html, kinds = embed_states(DIV)
    assert kinds == ["softmax"]
    start = html.index('<script type="application/json" class="mg-live-state">')
    assert html[:start] == DIV[: -len("</div>")]
    payload = html[start:].split(">", 1)[1].rsplit("</script></div>", 1)[0]
    assert "</script>" not in payload  # "</" escaped: a label cannot end the script early
    expected = softmax_state(logits=[2.0, 1.0], labels=["a", "</script>"], temperature=0.5)
    assert json.loads(payload) == expected


def test_a_widget_without_state_is_left_alone():
    div = '<div class="mg-live" data-widget="training" data-args=\'{"num_steps": 5}\'></div>'
    assert embed_states(div) == (div, ["training"])


@pytest.mark.parametrize("div, message", [
    ('<div class="mg-live" data-widget="../x"></div>', "data-widget"),
    ('<div class="mg-live" data-widget="a" data-state="os:system"></div>', "microgpt.<module>:<function>"),
    ('<div class="mg-live" data-widget="a" data-state="microgpt.explore:softmax_state" data-args="{bad"></div>',
     "not JSON"),
])
def test_bad_markup_is_a_clear_build_error(div, message):
    with pytest.raises(LiveWidgetError, match=message.replace(".", r"\.").replace("<", ".").replace(">", ".")):
        embed_states(div)
