"""The source systems the gateway reads, as the pages introduce them: each registered
provider's ``ProviderSpec.title`` in ``connectors.registry`` order, so a provider added
there is named on the landing page and in GraphiQL's example without a page edit."""

from __future__ import annotations

from functools import cache

from connectors.registry import PACKAGES, provider_spec


@cache
def source_titles() -> tuple[str, ...]:
    return tuple(provider_spec(slug).title for slug in PACKAGES)


def source_names() -> str:
    """``"Recruiterflow, Jobvite and BPOC"``: the titles as a sentence names them."""
    titles = source_titles()
    if len(titles) < 2:
        return "".join(titles)
    return f"{', '.join(titles[:-1])} and {titles[-1]}"
