"""The build side of the live widgets (book/_ext/microgpt_live.py): each div's resolved
declaration and first state embedded in the page, and what is (not) accepted in a
widget's markup."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
from microgpt_live import LiveWidgetError, embed_states

from microgpt.explore import softmax_state

DIV = ('<div class="mg-live" data-widget="softmax"\n'
       '     data-args=\'{"logits": [2.0, 1.0], "labels": ["a", "</script><!--<script>"], "temperature": 0.5}\'>'
       '</div>')


def payload_of(html):
    start = html.index('<script type="application/json" class="mg-live-spec">')
    return html[:start], html[start:].split(">", 1)[1].rsplit("</script></div>", 1)[0]


def test_the_resolved_declaration_and_first_state_are_embedded_after_the_tag():
    html, kinds = embed_states(DIV)
    assert kinds == ["softmax"]
    before, payload = payload_of(html)
    assert before == DIV[: -len("</div>")]
    for raw in "<>&":  # nothing in the JSON can end the script or open a comment
        assert raw not in payload
    data = json.loads(payload)
    assert data["spec"] == {"kind": "softmax", "calls": {"state": {
        "fn": "explore.softmax_state", "stream": False,
        "args": {"logits": [2.0, 1.0], "labels": ["a", "</script><!--<script>"], "temperature": 0.5}}}}
    assert data["state"] == softmax_state(logits=[2.0, 1.0], labels=["a", "</script><!--<script>"],
                                          temperature=0.5)


def test_a_streaming_widget_gets_its_declared_defaults_and_no_state():
    html, kinds = embed_states('<div class="mg-live" data-widget="training" data-args=\'{"num_steps": 5}\'></div>')
    data = json.loads(payload_of(html)[1])
    assert kinds == ["training"] and data["state"] is None
    assert data["spec"]["calls"]["train"] == {"fn": "explore.training_progress", "stream": True,
                                              "args": {"num_steps": 5, "sample_every": 100, "num_preview": 5}}


@pytest.mark.parametrize("div, message", [
    ('<div class="mg-live" data-widget="../x"></div>', "data-widget must name"),
    ('<div class="mg-live" data-widget="nosuch"></div>', "no live widget 'nosuch'"),
    ('<div class="mg-live" data-widget="tokens" data-state="microgpt.data:load_docs"></div>', "data-state is gone"),
    ('<div class="mg-live" data-widget="tokens" data-args=\'{"path": "/etc/passwd"}\'></div>',
     "has no argument 'path'"),
    ('<div class="mg-live" data-widget="softmax" data-args="{bad"></div>', "not JSON"),
    ('<div class="mg-live" data-widget="softmax" data-args="[1]"></div>', "must be a JSON object"),
])
def test_bad_markup_is_a_clear_build_error(div, message):
    with pytest.raises(LiveWidgetError) as info:
        embed_states(div)
    assert message in str(info.value)
