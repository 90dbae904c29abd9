"""The AI behind interviews and resume analysis: one provider interface, two providers
(``offline``, the deterministic default, and ``openai_compat``)."""
