"""The old home of Jobvite's Onboarding API, kept for its importers: the envelope now
lives in ``connectors.jobvite.envelope`` and the client in
``connectors.jobvite.onboarding``."""

from connectors.jobvite.envelope import decrypt_envelope, encrypt_envelope
from connectors.jobvite.onboarding import JobviteOnboardingClient

__all__ = ["JobviteOnboardingClient", "decrypt_envelope", "encrypt_envelope"]
