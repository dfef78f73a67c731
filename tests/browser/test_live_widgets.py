"""The live widgets of chapters 1, 2, 4 and 6 in the built HTML book, in headless Chromium
with every request outside 127.0.0.1 blocked: each control is operated and the numbers
the widget then shows must equal what the package computes in CPython for the same
input (microgpt.explore, the functions the widgets run in Pyodide). No console errors.

Screenshots (desktop, 390 px phone width, dark mode) go to BOOK_SCREENSHOTS.
"""

from __future__ import annotations

import json
import math

import pytest
from browser_support import note

from microgpt import explore


@pytest.fixture
def chapter(open_page):
    """chapter('01_data.html', width=1280, mode='light'): the shared harness's page there."""
    return lambda rel, width=1280, mode='light': open_page(width=width, mode=mode, path=f'book/{rel}')


def table_values(root, caption_part=None):
    """The exact numbers (data-value) of the widget's .mg-numbers table, row by row."""
    return root.evaluate("""(root, cap) => {
      const t = Array.from(root.querySelectorAll('table.mg-numbers'))
          .find(t => !cap || t.caption.textContent.includes(cap));
      return Array.from(t.querySelectorAll('tr')).slice(1).map(tr =>
          Array.from(tr.children).map(td =>
              td.dataset.value !== undefined ? Number(td.dataset.value) : td.textContent));
    }""", caption_part)


def drawn(root, selector):
    """(data-label or data-row/col, shown value) of every mark the renderer drew."""
    return root.evaluate("""(root, sel) => Array.from(root.querySelectorAll(sel)).map(g =>
        [g.dataset.label || (g.dataset.row + '|' + g.dataset.col), Number(g.dataset.value)])""", selector)


def close_to_shown(shown, exact, digits):
    return abs(shown - exact) <= 0.5 * 10 ** -digits + 1e-12


# ----------------------------------------------------------------------------- ch. 1: tokens

def test_tokens_widget(chapter, screenshot_dir):
    p = chapter('01_data.html')
    root = p.widget('tokens')
    chips = root.locator('.mg-chip')
    expected = explore.tokens_state('microgpt')
    assert chips.count() == len(expected['ids'])  # the default state, before any Python runs
    assert [c.strip() for c in chips.locator('.mg-chip-text').all_inner_texts()] == \
        [t['text'] for t in expected['tokens']]

    root.locator('input').fill('emma')
    seconds = p.wait_live(root, "(r, ids) => r.dataset.ids === ids", '26,4,12,12,0,26')
    note(f'ch. 1 tokens: first live result (Pyodide start + call) after {seconds:.1f} s')
    s = explore.tokens_state('emma')
    assert [int(x) for x in chips.locator('.mg-chip-id').all_inner_texts()] == s['ids']
    assert root.locator('.mg-summary').inner_text() == \
        f"{len(s['ids'])} tokens: [{', '.join(map(str, s['ids']))}]; decode(tokens) = 'emma'" == s['summary']

    root.locator('input').fill('Zoë')
    p.wait_live(root, "r => r.querySelector('.mg-error').textContent !== ''")
    assert root.locator('.mg-error').inner_text() == explore.tokens_state('Zoë')['error']
    assert chips.count() == 0
    root.screenshot(path=str(screenshot_dir / 'live-01-tokens.png'))
    p.check_clean()


# ----------------------------------------------------------------------------- ch. 2: backward

def test_backward_widget(chapter, screenshot_dir):
    p = chapter('02_autograd.html')
    root = p.widget('backward')
    expected = explore.backward_state()
    last = len(expected['steps']) - 1

    def grads():
        return [row[2] for row in table_values(root)]

    assert root.get_attribute('data-step') == '0' and grads() == expected['steps'][0]['grads']
    root.get_by_role('button', name='next').click()
    assert root.get_attribute('data-step') == '1'
    assert grads() == expected['steps'][1]['grads']
    assert root.locator('.mg-summary').inner_text() == expected['steps'][1]['title']
    root.locator('input[type=range]').focus()
    p.page.keyboard.press('End')
    assert root.get_attribute('data-step') == str(last) and grads() == expected['steps'][last]['grads']
    p.page.keyboard.press('ArrowLeft')
    assert grads() == expected['steps'][last - 1]['grads']
    root.get_by_role('button', name='back').click()
    assert root.get_attribute('data-step') == str(last - 2)

    # a new input runs the package in the browser: every grad equals CPython's
    root.get_by_label('a', exact=True).fill('1.5')
    root.get_by_label('a', exact=True).press('Enter')
    seconds = p.wait_live(root, "r => r.querySelector('table.mg-numbers td').nextSibling.dataset.value === '1.5'")
    note(f'ch. 2 backward: first live result after {seconds:.1f} s')
    new = explore.backward_state(a=1.5)
    assert [row[1] for row in table_values(root)] == [n['data'] for n in new['nodes']]
    root.locator('input[type=range]').focus()
    p.page.keyboard.press('End')
    assert grads() == new['steps'][-1]['grads']
    root.screenshot(path=str(screenshot_dir / 'live-02-backward.png'))
    p.check_clean()


# ----------------------------------------------------------------------------- ch. 4: attention

def check_attention(root, state, pos):
    step = state['steps'][pos]
    assert root.get_attribute('data-position') == str(pos)
    cells = drawn(root, '.mg-live-heatmap .mg-cell')
    exact = [w for head in step['attn'] for w in head]
    assert len(cells) == len(exact) == state['n_head'] * (pos + 1)
    assert all(close_to_shown(v, w, 2) for (_, v), w in zip(cells, exact)), (cells, exact)
    bars = drawn(root, '.mg-live-bars .mg-bar')
    assert [label for label, _ in bars] == state['labels']
    assert all(close_to_shown(v, q, 3) for (_, v), q in zip(bars, step['probs']))
    assert f"p(‘{step['next']}’) = {step['probs'][step['next_id']]:.3f}" in root.inner_text()
    assert len(root.locator('.mg-cache .mg-chip').all()) == state['block_size']


def test_attention_widget(chapter, screenshot_dir):
    p = chapter('04_gpt.html')
    root = p.widget('attention')
    slider = root.locator('input[type=range]')
    state = explore.attention_state('olivia', 'trained')
    check_attention(root, state, 0)
    slider.focus()
    for pos in (1, 2, 3):
        p.page.keyboard.press('ArrowRight')
        check_attention(root, state, pos)
    p.page.keyboard.press('End')
    check_attention(root, state, len(state['steps']) - 1)

    # another name: computed by the package in the browser
    root.get_by_label('name').fill('emma')
    seconds = p.wait_live(root, "r => r.textContent.includes('“emma”, trained model')")
    note(f'ch. 4 attention: first live result after {seconds:.1f} s')
    emma = explore.attention_state('emma', 'trained')
    check_attention(root, emma, len(emma['steps']) - 1)  # the slider keeps its place (clamped)
    root.get_by_label('model').select_option('untrained')
    p.wait_live(root, "r => r.textContent.includes('“emma”, untrained model')")
    untrained = explore.attention_state('emma', 'untrained')
    slider.focus()
    p.page.keyboard.press('Home')
    p.page.keyboard.press('ArrowRight')
    p.page.keyboard.press('ArrowRight')
    check_attention(root, untrained, 2)
    root.screenshot(path=str(screenshot_dir / 'live-04-attention.png'))

    root.get_by_label('name').fill('zoë')
    p.wait_live(root, "r => r.querySelector('.mg-error').textContent !== ''")
    assert root.locator('.mg-error').inner_text() == explore.attention_state('zoë')['error']
    p.check_clean()


# ----------------------------------------------------------------------------- ch. 6: inference

def test_temperature_widget(chapter, screenshot_dir):
    p = chapter('06_inference.html')
    root = p.widget('temperature', 0)
    default = explore.temperature_state(0.5)
    names = root.locator('.mg-names')
    assert names.get_attribute('data-names') == json.dumps(default['names'], separators=(',', ':'))
    assert [row[1] for row in table_values(root)] == default['probs']
    root.locator('input[type=range]').focus()
    for _ in range(10):  # 0.5 -> 1.0 in steps of 0.05
        p.page.keyboard.press('ArrowRight')
    assert root.locator('output').inner_text() == '1.00'
    seconds = p.wait_live(root, "r => r.dataset.temperature === '1'")
    note(f'ch. 6 temperature: first live result after {seconds:.1f} s')
    hot = explore.temperature_state(1.0)
    assert [row[1] for row in table_values(root)] == hot['probs']
    assert root.locator('.mg-names').inner_text() == '8 names at T = 1.00: ' + ' '.join(hot['names'])
    assert f"entropy {hot['entropy']:.2f} nats" in root.inner_text()
    bars = drawn(root, '.mg-bar')
    assert all(close_to_shown(v, q, 3) for (_, v), q in zip(bars, hot['probs']))
    root.screenshot(path=str(screenshot_dir / 'live-06-temperature.png'))
    p.check_clean()


def test_score_widget(chapter, screenshot_dir):
    p = chapter('06_inference.html')
    root = p.widget('score', 0)
    default = explore.score_state('andrej')
    assert root.locator('.mg-summary').get_attribute('data-mean') == repr(default['mean'])
    root.get_by_label('name to score').fill('emma')
    seconds = p.wait_live(root, "r => r.querySelector('.mg-summary').textContent.startsWith('\"emma\"')")
    note(f'ch. 6 score: first live result after {seconds:.1f} s')
    s = explore.score_state('emma')
    rows = table_values(root)
    assert [(r[1], r[2]) for r in rows] == [(r['input'], r['target']) for r in s['rows']]
    assert [r[3] for r in rows] == [r['p'] for r in s['rows']]
    assert [r[4] for r in rows] == [r['nll'] for r in s['rows']]
    assert float(root.locator('.mg-summary').get_attribute('data-mean')) == s['mean']
    assert math.isclose(s['mean'], sum(r['nll'] for r in s['rows']) / 5)
    root.screenshot(path=str(screenshot_dir / 'live-06-score.png'))
    root.get_by_label('name to score').fill('zoë')
    p.wait_live(root, "r => r.querySelector('.mg-error').textContent !== ''")
    assert root.locator('.mg-error').inner_text() == explore.score_state('zoë')['error']
    p.check_clean()


# ----------------------------------------------------------------------------- how they look

@pytest.mark.parametrize('rel, kind', [('01_data.html', 'tokens'), ('02_autograd.html', 'backward'),
                                       ('04_gpt.html', 'attention'), ('06_inference.html', 'temperature'),
                                       ('06_inference.html', 'score')])
@pytest.mark.parametrize('width, mode', [(1280, 'light'), (390, 'light'), (1280, 'dark')])
def test_widget_fits_and_renders(chapter, screenshot_dir, rel, kind, width, mode):
    """The default state is drawn without Python, fits the page width, in light and dark mode."""
    p = chapter(rel, width=width, mode=mode)
    root = p.widget(kind)
    overflow = root.evaluate("r => r.scrollWidth - r.clientWidth")
    assert overflow <= 1, f'{kind} overflows its column by {overflow} px at {width} px'
    assert root.locator('svg, .mg-chip').count() > 0
    root.screenshot(path=str(screenshot_dir / f'live-{kind}-{width}-{mode}.png'))
    p.check_clean()
