"""Moved to ``gateway.sandbox.faults``; kept while the Recruiterflow fake moves too."""

from gateway.sandbox.faults import Fault, Faults, with_faults

__all__ = ["Fault", "Faults", "with_faults"]
