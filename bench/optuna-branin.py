#!/usr/bin/python3
"""Optuna's TPESampler on Branin, the reference for SparseLab's TPE (experiment-service search/Samplers.java).

Needs Debian's python3-optuna (3.1 on bookworm): sudo apt-get install python3-optuna; run /usr/bin/python3 bench/optuna-branin.py.
Prints, per budget, the best value found for seeds 0-19 (Branin's minimum is 0.397887), univariate (Optuna's default)
and multivariate. SparseLab's side is SamplersTest.tpeFindsTheMinimumOfBraninWithinTwoHundredTrials (same function,
budgets and defaults; its figures are in its Javadoc and the README, Searches).
"""
import math
import statistics

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def branin(trial):
    x1 = trial.suggest_float("a", -5, 10)
    x2 = trial.suggest_float("b", 0, 15)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


for multivariate in (False, True):
    for budget in (50, 100, 200):
        best = []
        for seed in range(20):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=multivariate))
            study.optimize(branin, n_trials=budget)
            best.append(study.best_value)
        print("%s %3d trials: median %.3f, worst %.3f" % ("multivariate" if multivariate else "univariate  ", budget,
                                                           statistics.median(best), max(best)))
