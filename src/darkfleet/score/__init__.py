"""darkfleet.score: the explainable 0-100 risk score per vessel (see docs/risk.md)."""

from darkfleet.score.config import RiskConfig, apply_risk_overrides, load_risk_config
from darkfleet.score.risk import score_vessels

__all__ = ["RiskConfig", "apply_risk_overrides", "load_risk_config", "score_vessels"]
