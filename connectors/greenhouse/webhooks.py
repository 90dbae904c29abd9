"""Greenhouse's webhooks (developers.greenhouse.io/webhooks.html): ``Signature: sha256
<hex HMAC-SHA256(secret, body)>`` and ``Greenhouse-Event-ID`` per delivery.

``{"action": "candidate_stage_change", "payload": {"application": {"id": 1,
"candidate": {"id": 2}, "jobs": [{"id": 3}]}}}`` names candidate 2 (and job 3);
``job_*`` actions name ``payload.job``; interviews, offers and scorecards ask for an
incremental sync; ``ping`` (sent when the hook is saved) and the rest name nothing."""

from connectors.kit.webhooks import EventRule, EventRules, HmacWebhook

GREENHOUSE_WEBHOOKS = HmacWebhook(
    signature_header="Signature",
    prefix="sha256 ",
    delivery_id_header="Greenhouse-Event-ID",
    events=EventRules(
        event="action",
        data="payload",
        syncs=EventRule(prefixes=("interview_", "offer_", "scorecard_")),
        jobs=EventRule(prefixes=("job_",), job="job"),
        candidates=EventRule(
            any_event=True,
            candidate=("candidate", "application.candidate", "application.candidate_id"),
            job="application.jobs[]",
        ),
        require_ids=False,
    ),
)
