"""The entries of the hub: the single source of truth for what a claim or a question is.

The JSON Schema in ``schemas/``, the field reference in the docs and the scaffolding templates
are all generated from these classes. Every model is closed (unknown fields are errors) and
strict (a YAML value of the wrong type is an error, never silently converted).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from site_tools.states import QuestionState

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TAG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
METRIC_PATTERN = r"^[a-z][a-z0-9_]*$"

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=2, max_length=80)]
Tag = Annotated[str, Field(pattern=TAG_PATTERN, max_length=40)]
Text = Annotated[str, Field(min_length=1)]
# Strict mode still accepts a YAML int where a float is expected. Infinities and NaN are
# refused: a tolerance of .inf or a NaN target would make a prediction that cannot fail.
Number = Annotated[float, Field(allow_inf_nan=False)]


class _Closed(BaseModel):
    # A model validator that blames one field raises ValueError("@field: message"), so the
    # error points at that field's line (see entry_errors).
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )


# --- expectations: what the runner checks a measured number against -------------------------


class Target(_Closed):
    """The metric should equal a value, within a relative and/or absolute tolerance."""

    kind: Literal["target"]
    """Expectation kind: a value with a tolerance."""
    value: Number
    """The predicted value."""
    rel_tol: Annotated[Number, Field(ge=0)] | None = None
    """Allowed relative deviation, as a fraction of ``|value|`` (0.02 means 2%)."""
    abs_tol: Annotated[Number, Field(ge=0)] | None = None
    """Allowed absolute deviation, in the metric's own units."""

    @model_validator(mode="after")
    def _needs_a_tolerance(self) -> Target:
        if self.rel_tol is None and self.abs_tol is None:
            raise ValueError("a target needs rel_tol, abs_tol or both")
        return self

    def allowed(self) -> float:
        """Largest allowed |measured - value|: the looser of the two tolerances."""
        return max(self.abs_tol or 0.0, (self.rel_tol or 0.0) * abs(self.value))

    def check(self, measured: float) -> bool:
        return abs(measured - self.value) <= self.allowed()

    def describe(self) -> str:
        parts = []
        if self.rel_tol is not None:
            parts.append(f"±{self.rel_tol:.3g} rel")
        if self.abs_tol is not None:
            parts.append(f"±{self.abs_tol:.3g} abs")
        return f"{self.value:.4g} ({', '.join(parts)})"


class Interval(_Closed):
    """The metric should lie in a closed interval ``[low, high]``."""

    kind: Literal["interval"]
    """Expectation kind: a closed interval."""
    low: Number
    """Lower end, included."""
    high: Number
    """Upper end, included."""

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.low > self.high:
            raise ValueError(
                f"@low: interval is reversed: low {self.low} is above high {self.high}"
            )
        return self

    def check(self, measured: float) -> bool:
        return self.low <= measured <= self.high

    def describe(self) -> str:
        return f"in [{self.low:.4g}, {self.high:.4g}]"


class AtLeast(_Closed):
    """The metric should be at least a value (a one-sided bound)."""

    kind: Literal["at_least"]
    """Expectation kind: a lower bound."""
    value: Number
    """The bound, included."""

    def check(self, measured: float) -> bool:
        return measured >= self.value

    def describe(self) -> str:
        return f"≥ {self.value:.4g}"


class AtMost(_Closed):
    """The metric should be at most a value (a one-sided bound)."""

    kind: Literal["at_most"]
    """Expectation kind: an upper bound."""
    value: Number
    """The bound, included."""

    def check(self, measured: float) -> bool:
        return measured <= self.value

    def describe(self) -> str:
        return f"≤ {self.value:.4g}"


Expectation = Annotated[Target | Interval | AtLeast | AtMost, Field(discriminator="kind")]
EXPECTATION_KINDS = ("target", "interval", "at_least", "at_most")


# --- seed rules -------------------------------------------------------------------------------


SeedRule = Literal["all", "majority"]
"""How many seeds must meet a prediction for it to hold."""


def seeds_required(rule: SeedRule, n_seeds: int) -> int:
    """Number of seeds that must pass under ``rule`` out of ``n_seeds``."""
    return n_seeds if rule == "all" else n_seeds // 2 + 1


class Alternative(_Closed):
    """The naive prediction this one is sharp enough to rule out."""

    description: Text
    """The naive alternative in a sentence, e.g. "a 1/λ timescale without the logarithm"
    (Markdown, math allowed)."""
    expect: Expectation
    """What the metric would have to satisfy if the naive alternative were right; the
    measured value must fail it."""


class Prediction(_Closed):
    """One quantitative prediction about a metric the reproduction reports."""

    metric: Annotated[str, Field(pattern=METRIC_PATTERN)]
    """Name of the metric in the script's JSON output (snake_case)."""
    description: Text
    """What the metric measures, in words, with units (Markdown, math allowed)."""
    expect: Expectation
    """The predicted value and its tolerance."""
    source: Text
    """Where the prediction comes from: formula, paper and equation, or a one-line
    derivation. Written before the run; never a value read off a run (Markdown, math
    allowed)."""
    seeds: SeedRule = "all"
    """How many seeds must meet the expectation: ``all`` or ``majority``."""
    alternative: Alternative | None = None
    """A naive alternative the tolerance is sharp enough to rule out."""


# --- reproduction -----------------------------------------------------------------------------


DeviceKind = Literal["cpu", "gpu"]
"""Hardware a reproduction needs at full size."""


ParamValue = bool | int | float | str | list[int | float]
"""A parameter's value: a number, a flag, a word, or a list of numbers."""
PARAM_PATTERN = r"^[a-z][a-z0-9_]*$"
ParamName = Annotated[str, Field(pattern=PARAM_PATTERN, max_length=40)]
Overrides = dict[ParamName, ParamValue]


class Parameter(_Closed):
    """One input of the reproduction script, declared as data so that it is shown,
    recorded, part of the claim's identity, and overridable by smoke runs and mutants."""

    value: ParamValue
    """The value the full reproduction runs with."""
    unit: str | None = None
    """Unit, if the value has one (``steps``, ``s``, ``units of 1/λ``...)."""
    meaning: Text
    """What the parameter is, in one line (Markdown, math allowed)."""


class Configuration(_Closed):
    """A named set of overrides of the declared parameters (smoke, medium)."""

    overrides: Overrides = {}
    """Parameter name to the value this configuration uses instead of the declared one."""
    timeout_s: Annotated[int, Field(gt=0, le=1800)] = 120
    """Wall-clock limit per seed in this configuration, in seconds."""
    description: str | None = None
    """What this configuration checks, in a sentence (Markdown, math allowed)."""


class Plot(_Closed):
    """How to draw the script's series on the claim page."""

    title: str | None = None
    """Plot title; defaults to the claim title."""
    x_label: Text
    """Label of the x axis, with units."""
    y_label: Text
    """Label of the y axis, with units."""
    x_log: bool = False
    """Log-scale x axis."""
    y_log: bool = False
    """Log-scale y axis."""
    labels: dict[str, str] = {}
    """Legend label to show instead of a series' name in the script's output (name to label),
    for names written for code (``sw2 = 2, theory``) rather than for readers."""
    caption: str | None = None
    """What the reader sees where theory and measurement part outside the tested range
    (a floor of the measurement, a regime the theory does not cover), in a sentence or two
    (Markdown, math allowed); shown under the plot."""


TIMEOUT_HEADROOM = 5
"""A claim's ``timeout_s`` must be at least this many times its ``cost_s``: ``cost_s`` is
measured on an idle core, and a loaded machine (parallel jobs, a busy CI runner) easily
doubles it."""


class Reproduction(_Closed):
    """How to reproduce the claim: a script run once per seed."""

    script: Annotated[str, Field(pattern=r"^repro/[A-Za-z0-9_./-]+\.py$")]
    """Path of the script from the hub root, under ``repro/``."""
    device: DeviceKind = "cpu"
    """``cpu``, or ``gpu`` when the full configuration needs a GPU."""
    timeout_s: Annotated[int, Field(gt=0)] = 60
    """Wall-clock limit per seed, in seconds (the hub caps it). It must be at least
    ``TIMEOUT_HEADROOM`` (5) times ``cost_s``, so that a loaded machine does not turn a
    sound reproduction into a timeout."""
    memory_mb: Annotated[int, Field(gt=0)] = 2048
    """Memory limit per seed, in MiB (the hub caps it)."""
    seeds: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]
    """Seeds to run; each run gets one as ``--seed``."""
    cost_s: Annotated[Number, Field(gt=0)] | None = None
    """Typical wall time per seed on one CPU core (or one GPU for GPU claims), in seconds."""
    threads: Annotated[int, Field(ge=1, le=64)] = 1
    """Size of the script's BLAS/OpenMP/torch thread pools, however it is run (under
    ``lmhub run``, alone, or on a Dask worker); one unless the script needs more. Part of
    the run's provenance."""
    parameters: dict[ParamName, Parameter] = {}
    """The script's inputs (name to value, unit and meaning); the script receives them
    through the harness as ``args.params``."""
    inputs: list[Annotated[str, Field(pattern=r"^repro/[A-Za-z0-9_./-]+$")]] = []
    """Data files under ``repro/`` the script reads; they are part of the claim's identity and
    the only hub files besides the script and its helpers that a sandboxed run can see. Each
    must be a plain file under ``repro/``, reached through no symlink (the catalog checks)."""
    smoke: Configuration | None = None
    """Tiny CPU configuration (overrides of the parameters that run in seconds); required for
    GPU claims."""
    medium: Configuration | None = None
    """Optional CPU configuration of a GPU claim that finishes in minutes and checks the
    direction of each effect, not the claim's verdict."""
    plot: Plot | None = None
    """How to plot the script's series."""

    @field_validator("seeds")
    @classmethod
    def _distinct(cls, seeds: list[int]) -> list[int]:
        if len(set(seeds)) != len(seeds):
            raise ValueError("seeds must be distinct")
        return seeds

    @model_validator(mode="after")
    def _overrides_declared(self) -> Reproduction:
        for name, config in (("smoke", self.smoke), ("medium", self.medium)):
            if config is not None:
                why = override_problem(self.parameters, config.overrides)
                if why:
                    raise ValueError(f"@{name}: {why}")
        return self

    @model_validator(mode="after")
    def _gpu_needs_smoke(self) -> Reproduction:
        if self.device == "gpu" and self.smoke is None:
            raise ValueError(
                "@device: a gpu reproduction needs a smoke configuration that runs on CPU"
            )
        return self


def override_problem(parameters: dict[str, Parameter], overrides: Overrides) -> str | None:
    """Why ``overrides`` do not fit the declared ``parameters``, or None."""
    for name, value in overrides.items():
        if name not in parameters:
            known = ", ".join(sorted(parameters)) or "none declared"
            return f"override of undeclared parameter '{name}' (declared: {known})"
        declared = parameters[name].value
        if not same_kind(declared, value):
            return (
                f"override of '{name}' is {type(value).__name__} {value!r}, "
                f"but the parameter is {type(declared).__name__}"
            )
    return None


def same_kind(declared: ParamValue, value: ParamValue) -> bool:
    """Whether ``value`` may replace ``declared`` (an int may stand for a float)."""
    if isinstance(declared, bool) or isinstance(value, bool):
        return isinstance(declared, bool) and isinstance(value, bool)
    if isinstance(declared, float):
        return isinstance(value, int | float)
    return type(declared) is type(value)


class Mutant(_Closed):
    """A change of the parameters under which the claim's own theory predicts a different
    outcome: the named predictions must then fail, or the reproduction is insensitive."""

    id: Id
    """Kebab-case name of the mutant, unique within the claim."""
    overrides: Annotated[Overrides, Field(min_length=1)]
    """Parameter name to the value the mutant runs with."""
    why: Text
    """One line: what the change does to the physics, and why the theory then predicts
    another outcome (Markdown, math allowed)."""
    must_fail: Annotated[list[Annotated[str, Field(pattern=METRIC_PATTERN)]], Field(min_length=1)]
    """Metrics whose predictions must not hold under the mutant."""


# --- entries ----------------------------------------------------------------------------------


class Claim(_Closed):
    """A falsifiable, quantitative prediction about training, with a minimal reproduction."""

    id: Id
    """Kebab-case identifier; equal to the file name without ``.yaml``."""
    title: Annotated[str, Field(min_length=3, max_length=120)]
    """Short title in sentence case."""
    strand: Id
    """One of the strands in ``taxonomy.yaml``."""
    tags: list[Tag] = []
    """Free keywords, kebab-case."""
    statement: Text
    """The claim in a few sentences (Markdown, math allowed)."""
    setting: Text | None = None
    """The exact setting the reproduction uses (model, data, optimiser) (Markdown, math
    allowed)."""
    notes: Text | None = None
    """Caveats, scope, and where the literature's headline number differs from this setting
    (Markdown, math allowed)."""
    citations: Annotated[list[str], Field(min_length=1)]
    """Keys into ``references.bib``."""
    open_questions: list[Id] = []
    """Ids of open questions this claim bears on."""
    reproduction: Reproduction
    """How to reproduce the claim."""
    predictions: Annotated[list[Prediction], Field(min_length=1)]
    """The quantitative predictions the runner checks."""
    mutants: list[Mutant] = []
    """Changes of the parameters under which the theory predicts another outcome; ``lmhub run
    --mutants`` checks that each makes its named predictions fail."""

    @model_validator(mode="after")
    def _metrics_unique(self) -> Claim:
        names = [p.metric for p in self.predictions]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"@predictions: metric predicted twice: {', '.join(dupes)}")
        return self

    @model_validator(mode="after")
    def _mutants_fit(self) -> Claim:
        ids = [m.id for m in self.mutants]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"@mutants: mutant id used twice: {', '.join(dupes)}")
        metrics = {p.metric for p in self.predictions}
        parameters = self.reproduction.parameters
        for mutant in self.mutants:
            why = override_problem(parameters, mutant.overrides)
            if why:
                raise ValueError(f"@mutants: mutant '{mutant.id}': {why}")
            same = [n for n, v in mutant.overrides.items() if parameters[n].value == v]
            if same:
                raise ValueError(
                    f"@mutants: mutant '{mutant.id}' sets {', '.join(same)} to the declared "
                    "value, so it changes nothing"
                )
            unknown = [m for m in mutant.must_fail if m not in metrics]
            if unknown:
                raise ValueError(
                    f"@mutants: mutant '{mutant.id}' names metric(s) no prediction has: "
                    f"{', '.join(unknown)}"
                )
        return self

    def mutant(self, mutant_id: str) -> Mutant | None:
        return next((m for m in self.mutants if m.id == mutant_id), None)

    def parameters(self, overrides: Overrides | None = None) -> dict[str, ParamValue]:
        """The declared parameter values with ``overrides`` applied."""
        values = {name: p.value for name, p in self.reproduction.parameters.items()}
        values.update(overrides or {})
        return values


QuestionStatus = QuestionState
"""How far an open question has come."""


class OpenQuestion(_Closed):
    """A question the field cannot answer yet, with what would count as progress."""

    id: Id
    """Kebab-case identifier; equal to the file name without ``.yaml``."""
    title: Annotated[str, Field(min_length=3, max_length=160)]
    """The question, short."""
    strand: Id
    """One of the strands in ``taxonomy.yaml``."""
    tags: list[Tag] = []
    """Free keywords, kebab-case."""
    statement: Text
    """The question in Markdown, for a graduate student."""
    why_it_matters: Text
    """What an answer would change."""
    progress_criteria: Annotated[list[Text], Field(min_length=1)]
    """Concrete, checkable results that would count as an answer or as progress."""
    status: QuestionStatus = "open"
    """``open``, ``partial`` or ``resolved``."""
    status_evidence: Text | None = None
    """For ``partial`` or ``resolved``: the evidence, with citations."""
    related_claims: list[Id] = []
    """Ids of claims that bear on this question (each must list this question back)."""
    citations: list[str] = []
    """Keys into ``references.bib``."""

    @model_validator(mode="after")
    def _evidence_for_progress(self) -> OpenQuestion:
        if self.status != "open" and not self.status_evidence:
            raise ValueError(
                f"@status: status '{self.status}' needs status_evidence: "
                "the results, with citations, that show the progress"
            )
        return self


# --- hub settings -----------------------------------------------------------------------------


class Strand(_Closed):
    """One strand of the taxonomy."""

    id: Id
    """Kebab-case identifier that entries put in their ``strand`` field."""
    title: Text
    """Display name."""
    summary: Text
    """What the strand studies, in a sentence or two."""
    physics_analogue: Text
    """The piece of physics this strand resembles."""


class Taxonomy(_Closed):
    """The strands, as kept in ``taxonomy.yaml``."""

    strands: Annotated[list[Strand], Field(min_length=1)]
    """The strands, in display order."""


class HubLimits(_Closed):
    """Ceilings a contributed entry must stay under."""

    max_timeout_s: Annotated[int, Field(gt=0)] = 1800
    """Largest ``timeout_s`` an entry may ask for, in seconds."""
    max_seeds: Annotated[int, Field(gt=0)] = 16
    """Most seeds an entry may declare."""
    min_seeds: Annotated[int, Field(gt=0)] = 1
    """Fewest seeds an entry may declare."""
    max_memory_mb: Annotated[int, Field(gt=0)] = 8192
    """Largest ``memory_mb`` an entry may ask for, in MiB."""
    max_file_bytes: Annotated[int, Field(gt=0)] = 262144
    """Largest entry file accepted, in bytes."""


class HubSettings(_Closed):
    """``hub.yaml``: the hub's name, where its source lives, and its limits."""

    name: Text = "Learning Mechanics Hub"
    """The hub's name, shown on the site."""
    description: Text = "Falsifiable claims about training dynamics"
    """One line saying what the hub is."""
    repo_url: Annotated[
        str, Field(pattern=r"^(https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%+-]+)*/?)?$")
    ] = ""
    """Web address of the source repository (``https://host/owner/name``, or empty): the
    site's header links to it, claim pages give its clone command, and "edit" and "source"
    links point into it."""
    edit_branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9._/-]+$")] = "main"
    """Branch that edit and source links point to."""
    limits: HubLimits = HubLimits()
    """Ceilings on what entries may ask of the runner."""


def is_id(text: str) -> bool:
    return re.match(ID_PATTERN, text) is not None
