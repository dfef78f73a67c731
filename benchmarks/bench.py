"""
`python benchmarks/bench.py`: how fast is each engine, on the book preset and the built-in names?

  (a) the scalar engine (microgpt.model / microgpt.train), training N steps, every step timed;
  (b) the plain baseline, plain_microgpt.py next to this file: the same algorithm as a bare single
      file with no trace hooks and no checks, on the same steps;
  (c) the list engine (microgpt.list_engine: plain lists, standard library only) on the same
      N steps, repeated;
  (d) the NumPy engine on the same N steps, repeated;
  (e) sampling 20 names at temperature 0.5 with each engine, repeated.

Then a table of medians and ratios, and checks that the engines computed the same numbers
(the plain baseline's and the list engine's losses must equal the scalar engine's exactly).

Every timing is given as wall time and as this process's CPU time (which barely moves when
other programs compete for the machine). The trainings run one after the other, not
interleaved: Python's garbage collector makes a step's cost grow with every object alive in
the process, so interleaving would make each engine pay for the other's computation graph.

    python benchmarks/bench.py                 # 1000 steps: about 8 minutes on an idle machine
    python benchmarks/bench.py --quick         # 50 steps, 3 repeats: a smoke test
    python benchmarks/bench.py --json out.json # also write every timing and loss
"""

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time

import plain_microgpt as plain  # the baseline, next to this file (its folder is on sys.path)

from microgpt import list_engine, numpy_engine
from microgpt.config import get_config
from microgpt.data import NAMES_PATH, Tokenizer, load_docs, shuffled
from microgpt.model import GPT
from microgpt.sample import sample as scalar_sample
from microgpt.tables import table_lines  # the book's one table printer (no matplotlib needed)
from microgpt.train import training_steps


def setup(config, data_path):
    """What `python -m microgpt` does before training: shuffle, tokenizer, initial weights.
    Returns (docs, tokenizer, initial weights, rng) with rng in the state sampling starts from."""
    rng = random.Random(config.seed)
    docs = shuffled(load_docs(data_path), rng)
    tokenizer = Tokenizer(docs)
    weights = numpy_engine.GPT(config, tokenizer.vocab_size, rng).weights()  # same draws as the scalar GPT
    return docs, tokenizer, weights, rng


def stopwatch(fn, *args):
    """(fn(*args), wall milliseconds, CPU milliseconds of this process). Wall time is what a
    reader waits; CPU time barely moves when other programs compete for the machine."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, (time.perf_counter() - wall0) * 1e3, (time.process_time() - cpu0) * 1e3


def time_steps(step, steps, name, log=None):
    """The one timing loop: call step(i) -> loss for i = 0..steps-1, timing each call.
    Returns {'wall_ms', 'cpu_ms', 'losses'}, one entry per step."""
    gc.collect()  # start every engine from the same, clean heap
    record = {'wall_ms': [], 'cpu_ms': [], 'losses': []}
    for i in range(steps):
        loss, wall, cpu = stopwatch(step, i)
        record['wall_ms'].append(wall)
        record['cpu_ms'].append(cpu)
        record['losses'].append(loss)
        if log is not None and (i + 1) % max(1, steps // 10) == 0:
            log(f"  {name}: step {i + 1} / {steps}")
    return record


def bench_scalar(config, docs, tokenizer, weights, steps, log):
    """Train the package's scalar engine for `steps` steps, timing each one."""
    model = GPT.from_weights(config, weights)
    scalar_steps = training_steps(model, tokenizer, docs, steps)
    record = time_steps(lambda i: next(scalar_steps).loss, steps, 'scalar', log)
    scalar_steps.close()  # let the suspended generator drop its last graph
    return model, record


def bench_plain(config, docs, weights, steps, data_path, log):
    """Train the plain baseline for the same steps, from the same documents and weights."""
    plain.setup(data_path, config.n_embd, config.n_head, config.n_layer, config.block_size,
                config.activation, config.seed)
    if plain.docs != docs or [[p.data for p in row] for row in plain.state_dict['wte']] != weights['wte']:
        raise RuntimeError("the plain baseline did not start from the same documents and weights")
    return time_steps(lambda i: plain.train_step(i, steps), steps, 'plain', log)


def bench_engine(engine, name, config, docs, tokenizer, weights, steps, repeats, log):
    """Train engine (a module with GPT and training_steps) `repeats` times, each time from
    the same initial weights."""
    runs = []
    for _ in range(repeats):
        model = engine.GPT.from_weights(config, weights)
        steps_iter = engine.training_steps(model, tokenizer, docs, steps)
        runs.append(time_steps(lambda i, it=steps_iter: next(it).loss, steps, name))
    log(f"  {name}: {repeats} runs of {steps} steps")
    return model, runs


def bench_sampling(engines, rng_state, repeats, num_samples=20):
    """engines: {name: draw_names(rng_state, k)}. Time drawing num_samples names with each
    engine, `repeats` times, every time from the same rng state (so each repeat does the same
    work). The engines take turns, repeat by repeat. Returns {name: record}."""
    records = {name: {'wall_ms': [], 'cpu_ms': [], 'samples': None} for name in engines}
    for _ in range(repeats):
        for name, draw_names in engines.items():
            names, wall, cpu = stopwatch(draw_names, rng_state, num_samples)
            records[name]['wall_ms'].append(wall)
            records[name]['cpu_ms'].append(cpu)
            records[name]['samples'] = records[name]['samples'] or names
    return records


def summarize_training(runs):
    """Medians over runs (each a record of per-step times): the typical run."""
    return {'median_step_ms': statistics.median(t for run in runs for t in run['wall_ms']),
            'total_s': statistics.median(sum(run['wall_ms']) for run in runs) / 1e3,
            'cpu_s': statistics.median(sum(run['cpu_ms']) for run in runs) / 1e3}


def summarize_sampling(record):
    return {'median_ms': statistics.median(record['wall_ms']), 'median_cpu_ms': statistics.median(record['cpu_ms'])}


def run(steps=1000, repeats=5, sample_repeats=20, data_path=NAMES_PATH, out=print, log=None):
    """Run every benchmark, print the table with out(line), return all the numbers as a dict."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    config = get_config('book', num_steps=steps)
    docs, tokenizer, weights, rng = setup(config, data_path)
    sample_state = rng.getstate()  # where `python -m microgpt` starts sampling from
    load_before = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')

    log(f"training {steps} steps, one engine after the other ...")
    scalar_model, scalar = bench_scalar(config, docs, tokenizer, weights, steps, log)
    base = bench_plain(config, docs, weights, steps, data_path, log)
    list_model, list_runs = bench_engine(list_engine, 'list', config, docs, tokenizer, weights, steps, repeats, log)
    np_model, np_runs = bench_engine(numpy_engine, 'numpy', config, docs, tokenizer, weights, steps, repeats, log)

    log(f"sampling 20 names x {sample_repeats} per engine ...")

    def scalar_names(state, k):
        r = random.Random()
        r.setstate(state)
        return [scalar_sample(scalar_model, tokenizer, r, config.temperature) for _ in range(k)]

    def engine_names(engine, model):
        def names(state, k):
            r = random.Random()
            r.setstate(state)
            return [engine.sample(model, tokenizer, r, config.temperature) for _ in range(k)]
        return names

    def plain_names(state, k):
        plain.rng.setstate(state)
        return [plain.sample(config.temperature) for _ in range(k)]

    engines = {'scalar': scalar_names, 'list': engine_names(list_engine, list_model),
               'numpy': engine_names(numpy_engine, np_model), 'plain': plain_names}
    sampled = bench_sampling(engines, sample_state, sample_repeats)

    # --- summary: every engine's numbers side by side
    results = {'scalar': dict(scalar, training=summarize_training([scalar])),
               'list': dict(runs=list_runs, losses=list_runs[0]['losses'], training=summarize_training(list_runs)),
               'numpy': dict(runs=np_runs, losses=np_runs[0]['losses'], training=summarize_training(np_runs)),
               'plain': dict(base, training=summarize_training([base]))}
    for name, record in sampled.items():
        results[name].update(sampling=summarize_sampling(record), sample_wall_ms=record['wall_ms'],
                             sample_cpu_ms=record['cpu_ms'], samples=record['samples'])

    def ratio(a, b, kind):  # how many times longer engine a took than engine b
        if kind == 'training':
            return {'wall': results[a]['training']['total_s'] / results[b]['training']['total_s'],
                    'cpu': results[a]['training']['cpu_s'] / results[b]['training']['cpu_s']}
        return {'wall': results[a]['sampling']['median_ms'] / results[b]['sampling']['median_ms'],
                'cpu': results[a]['sampling']['median_cpu_ms'] / results[b]['sampling']['median_cpu_ms']}
    ratios = {'list_speedup_training': ratio('scalar', 'list', 'training'),
              'list_speedup_sampling': ratio('scalar', 'list', 'sampling'),
              'numpy_speedup_training': ratio('scalar', 'numpy', 'training'),
              'numpy_speedup_sampling': ratio('scalar', 'numpy', 'sampling')}
    scalar_losses, numpy_losses = results['scalar']['losses'], results['numpy']['losses']
    checks = {'numpy_losses_4dp': [f"{x:.4f}" for x in numpy_losses] == [f"{x:.4f}" for x in scalar_losses],
              'numpy_samples': results['numpy']['samples'] == results['scalar']['samples']}
    ratios['scalar_vs_plain_training'] = ratio('scalar', 'plain', 'training')
    ratios['scalar_vs_plain_sampling'] = ratio('scalar', 'plain', 'sampling')
    checks['plain_losses_exact'] = base['losses'] == scalar_losses
    checks['plain_samples'] = results['plain']['samples'] == results['scalar']['samples']
    checks['list_losses_exact'] = all(run['losses'] == scalar_losses for run in list_runs)
    checks['list_samples'] = results['list']['samples'] == results['scalar']['samples']
    result = dict(results, steps=steps, repeats=repeats, sample_repeats=sample_repeats, num_docs=len(docs),
                  config=config.to_dict(), python=platform.python_version(),
                  numpy_version=numpy_engine.np.__version__, cpus=os.cpu_count(),
                  load_average=[load_before, os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')],
                  ratios=ratios, checks=checks,
                  numpy_max_abs_loss_diff=max(abs(a - b) for a, b in zip(numpy_losses, scalar_losses)))
    print_table(result, out)
    return result


ENGINES = (('scalar', 'scalar engine'), ('plain', 'plain baseline'), ('list', 'list engine'),
           ('numpy', 'numpy engine'))
REPEATED = ('list', 'numpy')  # the fast engines: trained `repeats` times


def print_table(r, out=print):
    ratios, checks = r['ratios'], r['checks']

    def yes(ok):
        return 'yes' if ok else 'NO'
    out(f"microgpt bench: book preset, {r['num_docs']:,} names, {r['steps']} training steps "
        f"(Python {r['python']}, NumPy {r['numpy_version']}, {r['cpus']} CPUs, "
        f"load average {r['load_average'][0]:.2f} -> {r['load_average'][1]:.2f})")
    out("")
    training = [('  ' + label, r['repeats'] if key in REPEATED else 1, r[key]['training']['median_step_ms'],
                 r[key]['training']['total_s'], r[key]['training']['cpu_s']) for key, label in ENGINES]
    for line in table_lines(['training', 'runs', 'median ms/step', 'total s', 'cpu s'], training, '{:.3f}'):
        out(line)
    out("")
    sampling = [('  ' + label, r['sample_repeats'], r[key]['sampling']['median_ms'],
                 r[key]['sampling']['median_cpu_ms']) for key, label in ENGINES]
    for line in table_lines(['sampling 20 names, T=0.5', 'runs', 'median ms', 'cpu ms'], sampling, '{:.3f}'):
        out(line)
    out("")
    out("ratios (of wall time; of CPU time in brackets)")
    lines = [('list speed-up over scalar, training', 'list_speedup_training'),
             ('list speed-up over scalar, sampling', 'list_speedup_sampling'),
             ('numpy speed-up over scalar, training', 'numpy_speedup_training'),
             ('numpy speed-up over scalar, sampling', 'numpy_speedup_sampling'),
             ('scalar / plain time, training (<= 1: no slower)', 'scalar_vs_plain_training'),
             ('scalar / plain time, sampling (<= 1: no slower)', 'scalar_vs_plain_sampling')]
    for label, key in lines:
        if key in ratios:
            wall, cpu = (f"{x:.1f}" if x >= 10 else f"{x:.3f}" for x in (ratios[key]['wall'], ratios[key]['cpu']))
            out(f"  {label:<50} {wall:>9}x  (cpu {cpu}x)")
    out("")
    out("checks")
    out(f"  plain baseline losses == scalar losses, every step, exactly: {yes(checks['plain_losses_exact'])}")
    out(f"  plain baseline samples == scalar samples: {yes(checks['plain_samples'])}")
    out(f"  list engine losses == scalar losses, every step, exactly: {yes(checks['list_losses_exact'])}")
    out(f"  list engine samples == scalar samples: {yes(checks['list_samples'])}")
    out(f"  numpy losses == scalar losses, every step, to 4 decimals: {yes(checks['numpy_losses_4dp'])} "
        f"(largest difference {r['numpy_max_abs_loss_diff']:.1e})")
    out(f"  numpy samples == scalar samples: {yes(checks['numpy_samples'])}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python benchmarks/bench.py', description=__doc__.strip().split('\n')[0])
    ap.add_argument('--steps', type=int, help="training steps (default 1000; --quick: 50)")
    ap.add_argument('--repeats', type=int, help="list and NumPy training runs (default 5; --quick: 3)")
    ap.add_argument('--sample-repeats', type=int, help="repeats of sampling 20 names (default 20; --quick: 3)")
    ap.add_argument('--quick', action='store_true', help="a smoke test: 50 steps, 3 repeats")
    ap.add_argument('--data', default=NAMES_PATH, help="names file (default: the built-in names)")
    ap.add_argument('--json', metavar='PATH', help="also write every timing, loss and sample as JSON")
    args = ap.parse_args(argv)
    quick = {'steps': 50, 'repeats': 3, 'sample_repeats': 3}
    full = {'steps': 1000, 'repeats': 5, 'sample_repeats': 20}
    steps, repeats, sample_repeats = (getattr(args, k) if getattr(args, k) is not None
                                      else (quick if args.quick else full)[k]
                                      for k in ('steps', 'repeats', 'sample_repeats'))
    for name, value in (('--steps', steps), ('--repeats', repeats), ('--sample-repeats', sample_repeats)):
        if value <= 0:
            ap.error(f"{name} must be a positive integer, got {value}")
    result = run(steps, repeats, sample_repeats, args.data)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(result, f)
    return 0 if all(result['checks'].values()) else 1


if __name__ == '__main__':
    sys.exit(main())
