"""Statistics core of pa-study: design-based survey inference and the study's estimators."""

from pa_study.stats._effects_linear import demean_within
from pa_study.stats._errors import StatsInputError
from pa_study.stats._estimators import kish_deff
from pa_study.stats._moments import weighted_quantile
from pa_study.stats._results import Estimate, critical_value, minimum_detectable_effect
from pa_study.stats.effects import EffectEstimate, program_effect, rows_in_levels_with_both_groups
from pa_study.stats.poverty import AlkireFosterResult, alkire_foster, alkire_foster_curve, fgt
from pa_study.stats.replicate import ReplicateDesign
from pa_study.stats.scales import (
    AlphaResult,
    PrincipalComponent,
    SummaryIndex,
    cronbach_alpha,
    first_principal_component,
    reverse_code,
    summary_index,
)
from pa_study.stats.sensitivity import SensitivityResult, omitted_variable_sensitivity
from pa_study.stats.survey import RegressionResult, SurveyDesign, korn_graubard_interval
from pa_study.stats.targeting import TargetingResult, composite_incidence, targeting_errors
from pa_study.stats.thresholds import ThresholdVerdict, intersection_union, logit_interval, threshold_verdict

__all__ = [
    "AlkireFosterResult",
    "AlphaResult",
    "EffectEstimate",
    "Estimate",
    "PrincipalComponent",
    "RegressionResult",
    "ReplicateDesign",
    "SensitivityResult",
    "StatsInputError",
    "SummaryIndex",
    "SurveyDesign",
    "TargetingResult",
    "ThresholdVerdict",
    "alkire_foster",
    "alkire_foster_curve",
    "composite_incidence",
    "critical_value",
    "cronbach_alpha",
    "demean_within",
    "fgt",
    "intersection_union",
    "first_principal_component",
    "kish_deff",
    "korn_graubard_interval",
    "logit_interval",
    "minimum_detectable_effect",
    "omitted_variable_sensitivity",
    "program_effect",
    "reverse_code",
    "rows_in_levels_with_both_groups",
    "summary_index",
    "targeting_errors",
    "threshold_verdict",
    "weighted_quantile",
]
