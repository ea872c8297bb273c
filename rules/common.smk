# Helpers shared by the rule files: the validated config, the config part each job depends on
# (from each stage's settings module, so that a job re-runs only when its own part changes), and
# pa_study.workflow (as `wf`), which names every stage's files and builds the arguments naming them.
import sys
from pathlib import Path

from pa_study.config import INSTRUMENTS, canonical_json, load_schema, validated_config
from pa_study.errors import InputError

# The config is checked before the stages are imported, so that a bad config is reported at once.
SCHEMA = load_schema(Path(workflow.basedir) / "config.schema.yaml")
try:
    config.update(validated_config(config, SCHEMA))
except InputError as exc:
    sys.exit(f"pa-study: error: {exc}")

import pa_study.workflow as wf
from pa_study.clean import clean_settings
from pa_study.compare import comparison_settings
from pa_study.figures import FIGURES
from pa_study.indicators import FAMILIES, family_settings
from pa_study.ingest import corrections_settings, ingest_settings
from pa_study.plan import PlanSettings
from pa_study.multiverse import check_multiverse

# The multiverse's values are checked against the families' choices and the schema as a whole.
try:
    check_multiverse(config, SCHEMA)
except InputError as exc:
    sys.exit(f"pa-study: error: {exc}")

ENV = "envs/pa-study.yaml"
