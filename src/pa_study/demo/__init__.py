"""Deterministic synthetic demo data for pa-study: four counties' raw files, corrections and truths.

Simulates each county's full household population (with planted identification errors, project
effects, capability gaps and cadre burdens), draws a stratified two-stage sample, injects recorded
field-data mess and writes the files in the county's delivery format. Run
``python -m pa_study.demo --help``.
"""

from pa_study.demo.generate import GENERATOR_VERSION, Destinations, generate, generate_county
from pa_study.demo.profiles import COUNTIES, CountyProfile

__all__ = ["COUNTIES", "GENERATOR_VERSION", "CountyProfile", "Destinations", "generate", "generate_county"]
