#!/usr/bin/env python3
"""Violation rate, ANTT and throughput across arrival rates (paper Fig. 15): one row of panels
per SLO multiplier, one line per policy (mean over seeds)."""

import dysta_plots as dp


def main():
    args = dp.arguments(__doc__)
    metrics = [("slo_violation_rate", dp.VIOLATION_LABEL, 100.0), ("antt", dp.ANTT_LABEL, 1.0),
               ("throughput_inf_per_s", dp.THROUGHPUT_LABEL, 1.0)]
    dp.metric_lines(args, metrics, "rate", 4.6)


if __name__ == "__main__":
    main()
