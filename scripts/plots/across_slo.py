#!/usr/bin/env python3
"""Violation rate and ANTT across SLO multipliers (paper Table 5 / Fig. 14): one row of panels
per arrival rate, one line per policy (mean over seeds)."""

import dysta_plots as dp


def main():
    args = dp.arguments(__doc__)
    metrics = [("slo_violation_rate", dp.VIOLATION_LABEL, 100.0), ("antt", dp.ANTT_LABEL, 1.0)]
    dp.metric_lines(args, metrics, "slo_multiplier", 5.2)


if __name__ == "__main__":
    main()
