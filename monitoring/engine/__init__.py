"""The engine: every figure of design/metrics.md computed set-wise from compact arrays (numpy/pandas).

- `calendar`: days, months, quarters, years and age bands as integers;
- `kernels`: array kernels (combined keys, merged ranges, difference arrays, distinct counts, sums per cell);
- `dataset`: the `Dataset` (never changed after it is built), care-form groups, scope levels, roll-ups;
- `monthly`: the monthly figures; `cohorts`: stay durations, cohort outcomes and the yearly cost table;
- `load`: the Dataset from the database (COPY on PostgreSQL); `frames`: from the engine's frames to series,
  and the figures of one part of a run; `memory`: keeping freed memory in the process while it computes.

All speed machinery lives in this package; the rest of the app sees a Dataset in and series out.
"""
from .calendar import (
                      BAND_ALL,
                      BAND_NAMES,
                      OPEN,
                      days_to_months,
                      half_label,
                      month_label,
                      month_last_day,
                      quarter_label,
                      year_label,
)
from .cohorts import cohort_figures, kaplan_meier_quantiles, yearly_cost_figures
from .dataset import ALL, FAMILY_BASED, GROUP_NAMES, LEVELS, RESIDENTIAL, STAY, TARGET_GROUP_BASE, Dataset, presort
from .kernels import _distinct_in_key_order, count_events, merge_ranges
from .monthly import (
                      DECLARATION_PARTS,
                      DROPOUT_REASONS,
                      MONTHLY_PARTS,
                      breakdown_episodes,
                      monthly_figures,
                      monthly_frames,
                      stock_and_served,
)

__all__ = [
    "ALL", "BAND_ALL", "BAND_NAMES", "DECLARATION_PARTS", "DROPOUT_REASONS", "FAMILY_BASED", "GROUP_NAMES", "LEVELS", "MONTHLY_PARTS",
    "OPEN", "RESIDENTIAL", "STAY", "TARGET_GROUP_BASE", "Dataset", "_distinct_in_key_order", "breakdown_episodes", "cohort_figures", "count_events",
    "days_to_months", "half_label", "kaplan_meier_quantiles", "merge_ranges", "month_label", "month_last_day", "monthly_figures",
    "monthly_frames", "presort", "quarter_label", "stock_and_served", "year_label", "yearly_cost_figures",
]
